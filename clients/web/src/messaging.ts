/**
 * The page's one door to the wire: connect (WebTransport, else WebSocket), send with an
 * Ack, typing, read receipts, and the events that arrive. Everything else the page does is
 * HTTP. This is the only module that calls the SDK's wire client, so the views do not
 * change when it does.
 */

import type { ChatMessage, FriendEvent, GroupEvent, MediaRef, MsgType } from "@prim/sdk";
import type { Session } from "./session.js";

export type WireEvent =
  | { kind: "message"; message: ChatMessage }
  | { kind: "typing"; conversation: string; userId: string }
  | { kind: "read"; conversation: string; readerId: string; seqnum: string }
  | { kind: "friend"; event: FriendEvent }
  | { kind: "group"; event: GroupEvent }
  | { kind: "status"; connected: boolean; transport: string; detail?: string };

export interface Messenger {
  /** "webtransport", "websocket", or "" while not connected. */
  readonly transport: string;
  start(): Promise<void>;
  /** Resolves once the server Acked the message, with its stored form (seqnum set). */
  sendText(peerId: string, text: string): Promise<ChatMessage>;
  sendMedia(peerId: string, type: MsgType, media: MediaRef): Promise<ChatMessage>;
  typing(peerId: string): void;
  markRead(peerId: string, seqnum: string): void;
  stop(): void;
}

/** Until the SDK's wire client is in the bundle: the page works over HTTP and says that
 * sending is not available. */
class NoWire implements Messenger {
  readonly transport = "";
  constructor(private readonly onEvent: (event: WireEvent) => void) {}
  async start(): Promise<void> {
    this.onEvent({ kind: "status", connected: false, transport: "",
                   detail: "this build has no wire client" });
  }
  async sendText(): Promise<ChatMessage> {
    throw new Error("sending needs the wire client, which this build lacks");
  }
  async sendMedia(): Promise<ChatMessage> {
    return this.sendText();
  }
  typing(): void {}
  markRead(): void {}
  stop(): void {}
}

export function createMessenger(_session: Session, onEvent: (event: WireEvent) => void): Messenger {
  return new NoWire(onEvent);
}

/** A media message's payload (a MediaRef), or undefined while the wire codecs are absent. */
export function decodeMedia(_payload: Uint8Array): MediaRef | undefined {
  return undefined;
}
