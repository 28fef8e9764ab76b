/**
 * `WireClient`: a real-time PRIM connection that outlives its transports.
 *
 *     const wire = new WireClient({ userId, token, api });
 *     wire.on("TEXT", (m) => console.log(m.sender, m.payload));
 *     await wire.connect();
 *     const acked = await wire.sendText(peerId, "hi");
 *
 * What it does beyond framing (spec/PROTOCOL.md 3-5):
 * - **Auth first**, then a Ping whenever nothing was sent for `pingIntervalMs`; a server
 *   that answers nothing for longer than that plus `ackTimeoutMs` is taken for dead.
 * - **Send with an Ack promise.** A sequenced frame stays pending, keyed by its client
 *   timestamp, until its Ack; without one within `ackTimeoutMs`, and after every
 *   reconnect, the same frame (same timestamp, so the same idempotency key) is sent again.
 *   The server answers a resend with the original seqnum and stores nothing twice.
 * - **Events** for every message type (`on("TEXT")`, `on("READ_RECEIPT")`, ...), plus
 *   `message` for each sequenced one (deduplicated, in order), `frame`, `state`, `gap`
 *   and `error`.
 * - **Gap fill.** A seqnum that jumps past the last one seen in a conversation makes the
 *   client fetch exactly the missing range with ListHistory before it hands on the new
 *   message; after a reconnect the inbox says which conversations moved meanwhile.
 * - **Reconnect with backoff** (GetMyNode is asked again each time, so a client follows
 *   its user to another node); an Auth failure is final.
 * - **Multi-device**: the server copies what this user sends from other devices; those
 *   copies arrive as messages with `fromMe` set.
 */

import type { PrimClient } from "../../../generated/ts/client.js";
import { GROUP_ID_BASE, MsgType, msgTypeInfo } from "../../../generated/ts/header.js";
import { LIST_HISTORY_REQUEST_PAGE_SIZE_MAXIMUM } from "../../../generated/ts/constants.js";
import { AckPayloadSchema, ErrorSchema } from "../../../generated/ts/payloads.js";
import type * as T from "../../../generated/ts/types.js";
import { GapTracker, type Gap } from "./gaps.js";
import {
  type Frame,
  FrameDecoder,
  decodePayload,
  encodeFrame,
  encodePayload,
  frame as makeFrame,
} from "./frame.js";
import { decodeMessage, fromBase64, toBase64 } from "./protobuf.js";
import {
  type FrameTransport,
  type QuicOptions,
  type TransportCandidate,
  type WebSocketFactory,
  errorText,
  hasWebTransport,
  openFirst,
  openQuic,
  openWebSocket,
  openWebTransport,
} from "./transport.js";

export type MsgTypeName = keyof typeof MsgType;
export type TransportName = "webtransport" | "quic" | "websocket";
export type ConnectionState = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

/** Where the gateway's browser listeners are (GetMyNode's NodeAssignment names them). */
export interface WireEndpoints {
  webTransportUrl?: string;
  webSocketUrl?: string;
  /** host:port of raw QUIC (used only with the `quic` option, in Node). */
  quicAddress?: string;
  /** Hex SHA-256 of the WebTransport certificate (development certificates). */
  certificateHashes?: string[];
}

export interface BackoffOptions {
  initialMs?: number;
  factor?: number;
  maxMs?: number;
  /** +- this fraction of each delay, at random. */
  jitter?: number;
}

export interface WireClientOptions {
  /** The signed-in user (LoginResponse.userId). */
  userId: bigint | number | string;
  /** The access token (LoginResponse.accessToken). */
  token: string;
  /** The HTTP client: GetMyNode when `endpoints` is not given, history for gap fill. */
  api?: PrimClient;
  /** Fixed endpoints instead of asking GetMyNode. */
  endpoints?: WireEndpoints;
  /** Which transports to try, in order; default WebTransport (where the runtime has
   *  it), raw QUIC (where `quic` is given), then WebSocket. */
  transports?: TransportName[];
  /** Raw QUIC in Node: `{ module: await import("@matrixai/quic"), ca }`. */
  quic?: QuicOptions;
  /** Makes WebSockets where there is no global one (Node < 22: npm `ws`). */
  webSocket?: WebSocketFactory;
  /** Per transport attempt, and for the Auth answer. Default 5000. */
  connectTimeoutMs?: number;
  /** Ping after this long without sending. Default 20000. */
  pingIntervalMs?: number;
  /** Resend an un-Acked frame after this long. Default 5000. */
  ackTimeoutMs?: number;
  /** Give up on a send after this long. Default 60000. */
  sendTimeoutMs?: number;
  /** Reconnect when the transport drops. Default true. */
  reconnect?: boolean;
  backoff?: BackoffOptions;
  /** Fetch missed ranges from history (needs `api`). Default true. */
  fillGaps?: boolean;
}

/** What the Ack of a sent message says. */
export interface Acked {
  seqnum: bigint;
  serverTimestampMs: bigint;
  /** The server had it already (a resend). */
  duplicate: boolean;
  /** The client timestamp the frame was sent with (its idempotency key). */
  timestamp: bigint;
}

/** A message from the server (live, or fetched from history to fill a gap). */
export interface WireMessage {
  type: number;
  typeName: MsgTypeName | undefined;
  sender: bigint;
  receiver: bigint;
  /** The peer (1:1), the group, or this user (its notification stream). */
  conversation: bigint;
  seqnum: bigint;
  /** Server time (ms) for sequenced messages. */
  timestamp: bigint;
  /** By the type's payload kind: undefined, a string, bytes, or a decoded message. */
  payload: unknown;
  extension: Uint8Array;
  /** Sent by this user (from another device, or fetched from history). */
  fromMe: boolean;
  /** Came from ListHistory (a gap fill or catch-up), not live. */
  fromHistory: boolean;
  frame: Frame;
}

/** An Error frame that answers no pending send. */
export interface WireErrorEvent {
  error: T.Error;
  frame: Frame;
}

export interface StateEvent {
  state: ConnectionState;
  transport?: string;
  error?: unknown;
}

export type WireEvents = {
  message: WireMessage;
  frame: Frame;
  state: StateEvent;
  gap: Gap & { filled: number };
  error: WireErrorEvent;
} & { [K in MsgTypeName]: WireMessage };

/** The server refused a send with an Error frame. */
export class SendRefused extends Error {
  constructor(readonly code: string, message: string, readonly error: T.Error) {
    super(`${code}: ${message}`);
    this.name = "SendRefused";
  }
}

/** No Ack within sendTimeoutMs. */
export class SendTimeout extends Error {
  constructor(readonly timestamp: bigint) {
    super(`no Ack for the frame sent at ${timestamp} in time`);
    this.name = "SendTimeout";
  }
}

/** The client closed (or Auth failed) before the send was Acked. */
export class ConnectionLost extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "ConnectionLost";
  }
}

/** The server refused the token: sign in again. */
export class AuthenticationFailed extends Error {
  constructor(readonly error: T.Error) {
    super(`authentication failed: ${error.code ?? "?"} ${error.message ?? ""}`);
    this.name = "AuthenticationFailed";
  }
}

const TYPE_NAMES = new Map<number, MsgTypeName>(
  Object.entries(MsgType).map(([name, n]) => [n, name as MsgTypeName]),
);

interface Pending {
  frame: Frame;
  resolve: (acked: Acked) => void;
  reject: (error: unknown) => void;
  deadline: number;
  retry?: ReturnType<typeof setTimeout>;
}

type Listener<E> = (event: E) => void;

export class WireClient {
  readonly userId: bigint;
  private readonly options: WireClientOptions;
  private readonly listeners = new Map<string, Set<Listener<never>>>();
  private readonly pending = new Map<bigint, Pending>();
  private readonly gaps = new GapTracker();
  private transportNow: FrameTransport | undefined;
  private decoder = new FrameDecoder();
  private stateNow: ConnectionState = "idle";
  private lastTimestamp = 0n;
  private lastSent = 0;
  private lastReceived = 0;
  private serverTime = 0n;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private pongWaiters: ((at: number) => void)[] = [];
  private authWaiter: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  private inbound: Promise<void> = Promise.resolve();
  private closing = false;
  private wakeReconnect: (() => void) | undefined;

  constructor(options: WireClientOptions) {
    this.options = options;
    this.userId = BigInt(options.userId);
  }

  /** "connecting", "connected", "reconnecting", "closed" (or "idle" before connect). */
  get state(): ConnectionState {
    return this.stateNow;
  }

  /** The transport in use ("webtransport", "quic" or "websocket"), when connected. */
  get transport(): string | undefined {
    return this.stateNow === "connected" ? this.transportNow?.name : undefined;
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof WireEvents>(event: K, listener: Listener<WireEvents[K]>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  private emit<K extends keyof WireEvents>(event: K, value: WireEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<WireEvents[K]>)(value);
      } catch (error) {
        console.error(`PRIM: a ${String(event)} listener failed`, error);
      }
    }
  }

  private setState(state: ConnectionState, error?: unknown): void {
    this.stateNow = state;
    this.emit("state", { state, transport: this.transportNow?.name, error });
  }

  // -- connecting -----------------------------------------------------------------------

  /** Connects and authenticates; rejects when no transport opens or Auth fails. */
  async connect(): Promise<void> {
    if (this.stateNow !== "idle" && this.stateNow !== "closed") {
      throw new Error(`connect() while ${this.stateNow}`);
    }
    this.closing = false;
    this.setState("connecting");
    try {
      await this.dial();
    } catch (error) {
      this.setState("closed", error);
      throw error;
    }
  }

  /** Closes for good: pending sends fail with ConnectionLost. */
  close(reason = "closed by the client"): void {
    this.closing = true;
    this.stopHeartbeat();
    this.wakeReconnect?.();
    const transport = this.transportNow;
    this.transportNow = undefined;
    transport?.close(reason);
    this.failPending(new ConnectionLost(reason));
    if (this.stateNow !== "closed") this.setState("closed");
  }

  /** Drops the transport as a network failure would (reconnects if enabled). For tests
   *  and for "the network changed" hints from the page. */
  dropTransport(): void {
    this.transportNow?.close("dropped by the client");
  }

  private async endpoints(): Promise<WireEndpoints> {
    if (this.options.endpoints !== undefined) return this.options.endpoints;
    const api = this.options.api;
    if (api === undefined) throw new Error("WireClient needs `endpoints` or `api`");
    const node = await api.node.getMyNode({});
    return {
      webTransportUrl: node.webtransportUrl || undefined,
      webSocketUrl: node.websocketUrl || undefined,
      quicAddress: node.quicAddress || undefined,
      certificateHashes: node.webtransportCertificateHashes ?? [],
    };
  }

  private candidates(endpoints: WireEndpoints): TransportCandidate[] {
    const timeoutMs = this.options.connectTimeoutMs ?? 5000;
    const order = this.options.transports ?? ["webtransport", "quic", "websocket"];
    const quic = this.options.quic;
    const out: TransportCandidate[] = [];
    for (const name of order) {
      if (name === "webtransport" && endpoints.webTransportUrl && hasWebTransport()) {
        const url = endpoints.webTransportUrl;
        out.push({ name, open: () => openWebTransport(url, {
          certificateHashes: endpoints.certificateHashes, timeoutMs }) });
      } else if (name === "quic" && endpoints.quicAddress && quic !== undefined) {
        const address = endpoints.quicAddress;
        out.push({ name, open: () => openQuic(address, { ...quic, timeoutMs }) });
      } else if (name === "websocket" && endpoints.webSocketUrl) {
        const url = endpoints.webSocketUrl;
        out.push({ name, open: () => openWebSocket(url, {
          factory: this.options.webSocket, timeoutMs }) });
      }
    }
    return out;
  }

  private async dial(): Promise<void> {
    const transport = await openFirst(this.candidates(await this.endpoints()));
    if (this.closing) {
      transport.close("closed by the client");
      throw new ConnectionLost("closed while connecting");
    }
    this.decoder = new FrameDecoder();
    this.transportNow = transport;
    transport.onBytes = (data) => {
      if (this.transportNow === transport) this.bytesReceived(data);
    };
    transport.onClose = (reason) => {
      if (this.transportNow === transport) this.transportLost(reason);
    };
    const authenticated = new Promise<void>((resolve, reject) => {
      this.authWaiter = { resolve, reject };
    });
    const timeoutMs = this.options.connectTimeoutMs ?? 5000;
    const timer = setTimeout(() => this.authWaiter?.reject(
      new Error(`no answer to Auth within ${timeoutMs} ms`)), timeoutMs);
    this.write(makeFrame(MsgType.AUTH, {
      sender: this.userId, timestamp: this.nextTimestamp(),
      payload: new TextEncoder().encode(this.options.token),
    }));
    try {
      await authenticated;
    } catch (error) {
      this.transportNow = undefined;
      transport.close("authentication failed");
      throw error;
    } finally {
      clearTimeout(timer);
      this.authWaiter = undefined;
    }
    this.setState("connected");
    this.startHeartbeat();
    for (const p of this.pending.values()) this.write(p.frame); // resends, same timestamps
  }

  private transportLost(reason: string): void {
    this.transportNow = undefined;
    this.stopHeartbeat();
    this.authWaiter?.reject(new ConnectionLost(reason));
    for (const resolve of this.pongWaiters.splice(0)) resolve(Number.NaN);
    if (this.stateNow !== "connected") return; // closed, or a dial that fails by itself
    if (this.closing || this.options.reconnect === false) {
      this.failPending(new ConnectionLost(reason));
      this.setState("closed", new ConnectionLost(reason));
      return;
    }
    this.setState("reconnecting", new ConnectionLost(reason));
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    const b = this.options.backoff ?? {};
    let delay = b.initialMs ?? 200;
    while (!this.closing) {
      const jitter = b.jitter ?? 0.2;
      const wait = delay * (1 + (Math.random() * 2 - 1) * jitter);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wakeReconnect = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeReconnect = undefined;
      if (this.closing) return;
      try {
        await this.dial();
        void this.catchUp();
        return;
      } catch (error) {
        if (error instanceof AuthenticationFailed) {
          this.failPending(new ConnectionLost(error.message));
          this.setState("closed", error);
          return;
        }
        this.emit("state", { state: "reconnecting", error });
      }
      delay = Math.min(delay * (b.factor ?? 2), b.maxMs ?? 10_000);
    }
  }

  // -- heartbeat ------------------------------------------------------------------------

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const interval = this.options.pingIntervalMs ?? 20_000;
    const ackTimeout = this.options.ackTimeoutMs ?? 5000;
    this.lastReceived = Date.now();
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      if (now - this.lastReceived > interval + ackTimeout + 1000) {
        this.dropTransport(); // the server answers nothing: dead or unreachable
      } else if (now - this.lastSent >= interval || now - this.lastReceived >= interval) {
        this.write(makeFrame(MsgType.PING, { sender: this.userId,
                                             timestamp: this.nextTimestamp() }));
      }
    }, Math.max(250, Math.min(interval, ackTimeout) / 2));
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Round-trip time of a Ping, in ms (NaN when the transport dropped meanwhile). */
  ping(): Promise<number> {
    const start = Date.now();
    const pong = new Promise<number>((resolve) => {
      this.pongWaiters.push((at) => resolve(at - start));
    });
    this.write(makeFrame(MsgType.PING, { sender: this.userId, timestamp: this.nextTimestamp() }));
    return pong;
  }

  // -- sending --------------------------------------------------------------------------

  /** A client timestamp no earlier frame of this client used (the idempotency key). */
  nextTimestamp(): bigint {
    const now = BigInt(Date.now());
    this.lastTimestamp = now > this.lastTimestamp ? now : this.lastTimestamp + 1n;
    return this.lastTimestamp;
  }

  private write(f: Frame): boolean {
    const transport = this.transportNow;
    if (transport === undefined) return false;
    try {
      transport.send(encodeFrame(f));
      this.lastSent = Date.now();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Sends a sequenced message and resolves with its Ack; it is resent with the same
   * timestamp until Acked or `sendTimeoutMs` passes (SendTimeout), across reconnects.
   * Rejects with SendRefused when the server refuses it.
   */
  send(type: number, receiver: bigint | number | string, payload: unknown,
       extension: Uint8Array = new Uint8Array()): Promise<Acked> {
    if (this.stateNow === "idle" || this.stateNow === "closed") {
      return Promise.reject(new ConnectionLost("not connected: call connect() first"));
    }
    const f = makeFrame(type, {
      sender: this.userId, receiver: BigInt(receiver), timestamp: this.nextTimestamp(),
      payload: encodePayload(type, payload), extension,
    });
    return new Promise<Acked>((resolve, reject) => {
      const pending: Pending = {
        frame: f, resolve, reject, deadline: Date.now() + (this.options.sendTimeoutMs ?? 60_000),
      };
      this.pending.set(f.timestamp, pending);
      this.transmit(pending);
    });
  }

  private transmit(p: Pending): void {
    this.write(p.frame);
    const ackTimeout = this.options.ackTimeoutMs ?? 5000;
    const wait = Math.min(ackTimeout, p.deadline - Date.now());
    p.retry = setTimeout(() => {
      if (!this.pending.has(p.frame.timestamp)) return;
      if (Date.now() >= p.deadline) {
        this.pending.delete(p.frame.timestamp);
        p.reject(new SendTimeout(p.frame.timestamp));
      } else {
        this.transmit(p); // same frame, same timestamp: the server deduplicates
      }
    }, Math.max(wait, 0));
  }

  private settle(timestamp: bigint): Pending | undefined {
    const p = this.pending.get(timestamp);
    if (p === undefined) return undefined;
    this.pending.delete(timestamp);
    if (p.retry !== undefined) clearTimeout(p.retry);
    return p;
  }

  private failPending(error: unknown): void {
    for (const timestamp of [...this.pending.keys()]) this.settle(timestamp)?.reject(error);
  }

  sendText(receiver: bigint | number | string, text: string): Promise<Acked> {
    return this.send(MsgType.TEXT, receiver, text);
  }

  /** Replaces the text of message `seqnum` (the author only). */
  editText(receiver: bigint | number | string, seqnum: bigint | number | string,
           text: string): Promise<Acked> {
    const newPayload: T.EditPayload = {
      targetSeqnum: String(seqnum),
      newPayload: btoa(String.fromCharCode(...new TextEncoder().encode(text))),
    };
    return this.send(MsgType.EDIT, receiver, newPayload);
  }

  withdraw(receiver: bigint | number | string, seqnum: bigint | number | string
           ): Promise<Acked> {
    const payload: T.WithdrawPayload = { targetSeqnum: String(seqnum) };
    return this.send(MsgType.WITHDRAW, receiver, payload);
  }

  /** Moves the read marker (not sequenced, no Ack): relayed to the peer and own devices. */
  markRead(conversation: bigint | number | string, seqnum: bigint | number | string): boolean {
    const payload: T.ReadReceiptPayload = { seqnum: String(seqnum) };
    return this.write(makeFrame(MsgType.READ_RECEIPT, {
      sender: this.userId, receiver: BigInt(conversation), timestamp: this.nextTimestamp(),
      payload: encodePayload(MsgType.READ_RECEIPT, payload),
    }));
  }

  /** Tells the conversation this user is typing (live only, throttled by the server). */
  typing(conversation: bigint | number | string): boolean {
    return this.write(makeFrame(MsgType.TYPING, {
      sender: this.userId, receiver: BigInt(conversation), timestamp: this.nextTimestamp(),
    }));
  }

  // -- receiving ------------------------------------------------------------------------

  private bytesReceived(data: Uint8Array): void {
    this.lastReceived = Date.now();
    let frames: Frame[];
    try {
      this.decoder.feed(data);
      frames = this.decoder.frames();
    } catch (error) {
      this.transportNow?.close(`bad frames from the server: ${errorText(error)}`);
      return;
    }
    for (const f of frames) this.frameReceived(f);
  }

  private frameReceived(f: Frame): void {
    if (f.timestamp > this.serverTime && f.type !== MsgType.ACK) this.serverTime = f.timestamp;
    this.emit("frame", f);
    switch (f.type) {
      case MsgType.AUTH:
        this.authWaiter?.resolve();
        return;
      case MsgType.PONG:
        for (const resolve of this.pongWaiters.splice(0)) resolve(Date.now());
        return;
      case MsgType.ACK:
        this.acked(f);
        return;
      case MsgType.ERROR:
        this.errorReceived(f);
        return;
      case MsgType.BE_OFFLINE:
        this.later(() => this.deliver(f, false));
        this.closing = true; // the server signed this device off: do not come back
        return;
    }
    const info = msgTypeInfo(f.type);
    if (info?.sequenced) {
      this.later(() => this.sequenced(f));
    } else {
      this.later(() => this.deliver(f, false));
    }
  }

  /** Runs `work` after everything received before it (gap fills keep the order). */
  private later(work: () => Promise<void> | void): void {
    this.inbound = this.inbound.then(work).catch((error: unknown) => {
      console.error("PRIM: handling a frame failed", error);
    });
  }

  private acked(f: Frame): void {
    let payload: T.AckPayload = {};
    try {
      payload = decodeMessage(AckPayloadSchema, f.payload);
    } catch {
      // an Ack is an Ack even with a payload we cannot read
    }
    const p = this.settle(f.timestamp);
    if (p === undefined) return; // the Ack of a resend already answered
    const conversation = this.conversationOf(p.frame.sender, p.frame.receiver);
    if (f.seqnum > 0n) this.later(() => this.seen(conversation, f.seqnum));
    p.resolve({
      seqnum: f.seqnum, serverTimestampMs: BigInt(payload.serverTimestampMs ?? "0"),
      duplicate: payload.duplicate ?? false, timestamp: f.timestamp,
    });
  }

  private errorReceived(f: Frame): void {
    let error: T.Error = {};
    try {
      error = decodeMessage(ErrorSchema, f.payload);
    } catch {
      error = { message: "an Error frame that could not be decoded" };
    }
    if (this.authWaiter !== undefined) {
      this.authWaiter.reject(new AuthenticationFailed(error));
      return;
    }
    const ref = BigInt(error.refTimestampMs ?? "0");
    const p = ref !== 0n ? this.settle(ref) : undefined;
    if (p !== undefined) {
      p.reject(new SendRefused(error.code ?? "ERROR_CODE_UNSPECIFIED", error.message ?? "",
                               error));
      return;
    }
    this.emit("error", { error, frame: f });
    this.later(() => this.deliver(f, false));
  }

  private conversationOf(sender: bigint, receiver: bigint): bigint {
    if (receiver >= GROUP_ID_BASE) return receiver;
    return sender === this.userId ? receiver : sender;
  }

  /** Our own Acked message: seen, and a jump before it is a gap like any other. */
  private async seen(conversation: bigint, seqnum: bigint): Promise<void> {
    await this.fillBefore(conversation, seqnum);
    this.gaps.mark(conversation, seqnum);
  }

  private async sequenced(f: Frame): Promise<void> {
    const conversation = this.conversationOf(f.sender, f.receiver);
    if (this.gaps.seen(conversation, f.seqnum)) return; // a duplicate
    await this.fillBefore(conversation, f.seqnum);
    if (this.gaps.mark(conversation, f.seqnum)) this.deliver(f, false);
  }

  private async fillBefore(conversation: bigint, seqnum: bigint): Promise<void> {
    const gap = this.gaps.gapBefore(conversation, seqnum);
    if (gap === undefined) return;
    const filled = await this.fill(gap);
    this.emit("gap", { ...gap, filled });
  }

  /** Fetches `gap` from history and hands on what it holds; returns how many. */
  private async fill(gap: Gap): Promise<number> {
    const api = this.options.api;
    if (api === undefined || this.options.fillGaps === false) return 0;
    let token = "";
    let filled = 0;
    try {
      for (;;) {
        const page = await api.message.listHistory({
          peerId: String(gap.conversation), fromSeqnum: String(gap.first),
          toSeqnum: String(gap.last), direction: "DIRECTION_FORWARD",
          pageSize: LIST_HISTORY_REQUEST_PAGE_SIZE_MAXIMUM, pageToken: token,
        });
        for (const row of page.messages ?? []) {
          const f = historyFrame(row);
          if (f !== undefined && this.gaps.mark(gap.conversation, f.seqnum)) {
            this.deliver(f, true, row);
            filled++;
          }
        }
        token = page.nextPageToken ?? "";
        if (!token) break;
      }
      this.gaps.cover(gap.conversation, gap.last);
    } catch (error) {
      console.error("PRIM: filling a gap from history failed", error);
    }
    return filled;
  }

  /** After a reconnect: the conversations that moved while this client was away. */
  private async catchUp(): Promise<void> {
    const api = this.options.api;
    if (api === undefined || this.options.fillGaps === false) return;
    try {
      const inbox = await api.message.getInbox({ pageSize: 200 });
      for (const entry of inbox.entries ?? []) {
        const conversation = BigInt(entry.peerId ?? "0");
        const last = BigInt(entry.lastSeqnum ?? "0");
        const seen = this.gaps.last(conversation);
        if (seen !== undefined && last > seen) {
          this.later(() => this.fillBefore(conversation, last + 1n));
        }
      }
    } catch (error) {
      console.error("PRIM: catching up after a reconnect failed", error);
    }
  }

  private deliver(f: Frame, fromHistory: boolean, row?: T.ChatMessage): void {
    let payload: unknown;
    try {
      payload = decodePayload(f);
    } catch {
      payload = f.payload;
    }
    const typeName = TYPE_NAMES.get(f.type);
    const message: WireMessage = {
      type: f.type, typeName, sender: f.sender, receiver: f.receiver,
      conversation: this.conversationOf(f.sender, f.receiver), seqnum: f.seqnum,
      timestamp: f.timestamp, payload, extension: f.extension,
      fromMe: f.sender === this.userId, fromHistory, frame: f,
    };
    if (row?.withdrawn) message.payload = undefined;
    if (msgTypeInfo(f.type)?.sequenced) this.emit("message", message);
    if (typeName !== undefined) this.emit(typeName, message);
  }
}

/** A history row as the frame it was delivered as (undefined for an unknown type). */
export function historyFrame(row: T.ChatMessage): Frame | undefined {
  const name = (row.type ?? "").replace(/^MSG_TYPE_/, "") as MsgTypeName;
  const type = MsgType[name];
  if (type === undefined) return undefined;
  return makeFrame(type, {
    sender: BigInt(row.sender ?? "0"), receiver: BigInt(row.receiver ?? "0"),
    seqnum: BigInt(row.seqnum ?? "0"), timestamp: BigInt(row.timestampMs ?? "0"),
    payload: fromBase64(row.payload ?? ""), extension: fromBase64(row.extension ?? ""),
  });
}

/** A message in the JSON shape history rows have (ListHistory's ChatMessage), so a page
 *  can keep live and fetched messages alike. */
export function toChatMessage(m: WireMessage): T.ChatMessage {
  return {
    sender: String(m.sender),
    receiver: String(m.receiver),
    type: `MSG_TYPE_${m.typeName ?? "NA"}` as T.MsgType,
    seqnum: String(m.seqnum),
    timestampMs: String(m.timestamp),
    payload: toBase64(m.frame.payload),
    extension: toBase64(m.extension),
  };
}
