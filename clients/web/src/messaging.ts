/**
 * The page's one door to the wire: the SDK's WireClient (WebTransport, else WebSocket;
 * Acks, resends, reconnects and gap fill are its job), turned into the events and stored
 * message shapes the store keeps. Everything else the page does is HTTP.
 */

import {
  type Acked,
  type ChatMessage,
  type FriendEvent,
  type GroupEvent,
  type MediaRef,
  type MsgType,
  type ReadReceiptPayload,
  type StateEvent,
  type WireMessage,
  AuthenticationFailed,
  MediaRefSchema,
  WireClient,
  decodeMessage,
  encodePayload,
  toChatMessage,
  toBase64,
  wire,
} from "@prim/sdk";
import { api, type Session } from "./session.js";

export type WireEvent =
  | { kind: "message"; message: ChatMessage }
  | { kind: "typing"; conversation: string; userId: string }
  | { kind: "read"; conversation: string; readerId: string; seqnum: string }
  | { kind: "friend"; event: FriendEvent }
  | { kind: "group"; event: GroupEvent }
  | { kind: "status"; connected: boolean; transport: string; detail?: string }
  /** The server refused the access token: only signing in again helps. */
  | { kind: "signed-out" };

/** After a failed first connect, the page tries again this often (the SDK reconnects by
 * itself once it was connected). */
const RETRY_CONNECT_MS = 3000;

export class Messenger {
  private readonly client: WireClient;
  private stopped = false;

  constructor(private readonly me: Session, private readonly onEvent: (event: WireEvent) => void) {
    this.client = new WireClient({ userId: me.userId, token: me.accessToken, api });
    this.client.on("state", (s) => this.stateChanged(s));
    this.client.on("message", (m) => this.sequenced(m));
    // The server closed this device's connection for good (logged out or revoked
    // elsewhere): if the token was revoked, the next HTTP call's 401 signs the page out.
    this.client.on("BE_OFFLINE", () => {
      onEvent({ kind: "status", connected: false, transport: "",
                detail: "signed off by the server; reload to reconnect" });
      void api.user.getMyProfile({}).catch(() => undefined);
    });
    this.client.on("TYPING", (m) => onEvent({
      kind: "typing", conversation: String(m.conversation), userId: String(m.sender) }));
    this.client.on("READ_RECEIPT", (m) => onEvent({
      kind: "read", conversation: String(m.conversation), readerId: String(m.sender),
      seqnum: (m.payload as ReadReceiptPayload | undefined)?.seqnum ?? "0" }));
  }

  /** "webtransport" or "websocket" while connected, else "". */
  get transport(): string {
    return this.client.transport ?? "";
  }

  async start(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.client.connect();
        return;
      } catch (err) {
        if (err instanceof AuthenticationFailed) {
          this.onEvent({ kind: "signed-out" });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_CONNECT_MS));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.client.close("signed out");
  }

  async sendText(peerId: string, text: string): Promise<ChatMessage> {
    return this.stored(peerId, "MSG_TYPE_TEXT", new TextEncoder().encode(text),
                       await this.client.sendText(peerId, text));
  }

  async sendMedia(peerId: string, type: MsgType, media: MediaRef): Promise<ChatMessage> {
    const code = wire.MsgType[type.replace(/^MSG_TYPE_/, "") as keyof typeof wire.MsgType];
    return this.stored(peerId, type, encodePayload(code, media),
                       await this.client.send(code, peerId, media));
  }

  typing(peerId: string): void {
    this.client.typing(peerId);
  }

  markRead(peerId: string, seqnum: string): void {
    this.client.markRead(peerId, seqnum);
  }

  private stateChanged(s: StateEvent): void {
    if (s.error instanceof AuthenticationFailed) {
      this.onEvent({ kind: "signed-out" });
      return;
    }
    const detail = s.error === undefined ? s.state
      : s.error instanceof Error ? s.error.message : String(s.error);
    this.onEvent({ kind: "status", connected: s.state === "connected",
                   transport: this.client.transport ?? "", detail });
  }

  /** A sent message as history would return it. */
  private stored(peerId: string, type: MsgType, payload: Uint8Array, acked: Acked): ChatMessage {
    return { sender: this.me.userId, receiver: peerId, type, seqnum: String(acked.seqnum),
             timestampMs: String(acked.serverTimestampMs), payload: toBase64(payload) };
  }

  private sequenced(m: WireMessage): void {
    switch (m.typeName) {
      case "ADD_FRIEND":
      case "REMOVE_FRIEND":
        if (!m.fromHistory) this.onEvent({ kind: "friend", event: m.payload as FriendEvent });
        return;
      case "JOIN_GROUP":
      case "LEAVE_GROUP":
        if (!m.fromHistory) this.onEvent({ kind: "group", event: m.payload as GroupEvent });
        return;
      default:
        this.onEvent({ kind: "message", message: toChatMessage(m) });
    }
  }
}

export function createMessenger(session: Session, onEvent: (event: WireEvent) => void): Messenger {
  return new Messenger(session, onEvent);
}

/** A media message's payload (a MediaRef); undefined when it is not one. */
export function decodeMedia(payload: Uint8Array): MediaRef | undefined {
  try {
    return decodeMessage(MediaRefSchema, payload);
  } catch {
    return undefined;
  }
}
