/**
 * Byte transports the wire client runs over, all carrying the same frame stream:
 *
 * - WebSocket (browsers, and Node with a WebSocket implementation such as npm `ws`): each
 *   binary message holds one or more whole frames.
 * - WebTransport (browsers): one bidirectional stream carries the frames, exactly as on
 *   raw QUIC. A development server's short-lived certificate is accepted through
 *   `serverCertificateHashes` (hex SHA-256 values from GetMyNode or the ready line).
 * - Raw QUIC (Node, through npm `@matrixai/quic`, which the caller passes in): the same
 *   one stream as the Python SDK's QUIC transport.
 *
 * `openFirst` tries candidates in order (WebTransport, then WebSocket by default) and
 * returns the first that opens: the automatic fallback.
 */

/** An open transport. Set the two callbacks before sending anything. */
export interface FrameTransport {
  /** "websocket" or "webtransport". */
  readonly name: string;
  /** Sends bytes holding whole frames. */
  send(data: Uint8Array): void;
  /** Closes the transport; `onClose` follows. */
  close(reason?: string): void;
  /** Bytes from the server (whole frames on WebSocket, any chunking on WebTransport). */
  onBytes: (data: Uint8Array) => void;
  /** The transport is gone (called once). */
  onClose: (reason: string) => void;
}

/** The part of the WHATWG WebSocket the client uses (browsers, Node 22+, npm `ws`). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Makes a WebSocket: `(url, protocols) => new WebSocket(url, protocols)` by default. */
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

/** A transport to try: its name and how to open it. */
export interface TransportCandidate {
  name: string;
  open: () => Promise<FrameTransport>;
}

/** None of the candidates opened; `failures` says why each did not. */
export class TransportUnavailable extends Error {
  constructor(readonly failures: { name: string; error: unknown }[]) {
    super(
      failures.length === 0
        ? "no transport to try"
        : "could not connect: " +
            failures.map((f) => `${f.name}: ${errorText(f.error)}`).join("; "),
    );
    this.name = "TransportUnavailable";
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const noop = (): void => {};

function withTimeout<T>(promise: Promise<T>, ms: number, what: string,
                        onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what} did not open within ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function defaultWebSocket(url: string, protocols: string[]): WebSocketLike {
  const ctor = (globalThis as { WebSocket?: new (u: string, p: string[]) => WebSocketLike })
    .WebSocket;
  if (ctor === undefined) {
    throw new Error("no global WebSocket here: pass a webSocket factory (e.g. from npm ws)");
  }
  return new ctor(url, protocols);
}

/** Opens a WebSocket to `url` (ws:// or wss://), asking for the "prim" subprotocol. */
export function openWebSocket(url: string, options: {
  factory?: WebSocketFactory;
  timeoutMs?: number;
} = {}): Promise<FrameTransport> {
  const ws = (options.factory ?? defaultWebSocket)(url, ["prim"]);
  ws.binaryType = "arraybuffer";
  let closed = false;
  const transport: FrameTransport = {
    name: "websocket",
    send: (data) => ws.send(data),
    close: (reason) => ws.close(1000, reason ?? ""),
    onBytes: noop,
    onClose: noop,
  };
  const opened = new Promise<FrameTransport>((resolve, reject) => {
    ws.onopen = () => resolve(transport);
    ws.onerror = () => reject(new Error(`WebSocket to ${url} failed`));
    ws.onclose = (event) => {
      const reason = `WebSocket closed (${event.code ?? "?"}${event.reason ? `: ${event.reason}` : ""})`;
      reject(new Error(reason));
      if (!closed) {
        closed = true;
        transport.onClose(reason);
      }
    };
  });
  ws.onmessage = (event) => {
    const data = event.data;
    if (data instanceof ArrayBuffer) transport.onBytes(new Uint8Array(data));
    else if (ArrayBuffer.isView(data)) {
      transport.onBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  };
  return withTimeout(opened, options.timeoutMs ?? 5000, "WebSocket", () => ws.close());
}

/** "ab01..." -> bytes. */
export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/[^0-9a-fA-F]/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

interface WebTransportLike {
  ready: Promise<unknown>;
  closed: Promise<unknown>;
  close(info?: { closeCode?: number; reason?: string }): void;
  createBidirectionalStream(): Promise<{
    readable: ReadableStream<Uint8Array>;
    writable: WritableStream<Uint8Array>;
  }>;
}

type WebTransportConstructor = new (url: string, options?: {
  serverCertificateHashes?: { algorithm: string; value: Uint8Array }[];
}) => WebTransportLike;

/** Whether this runtime has WebTransport (browsers; not Node). */
export function hasWebTransport(): boolean {
  return typeof (globalThis as { WebTransport?: unknown }).WebTransport === "function";
}

/**
 * Opens a WebTransport session to `url` (https://host:port/path) and the one
 * bidirectional stream the frames ride on. `certificateHashes`: hex SHA-256 values of
 * the server's certificate, for a development certificate no CA vouches for.
 */
export async function openWebTransport(url: string, options: {
  certificateHashes?: string[];
  timeoutMs?: number;
} = {}): Promise<FrameTransport> {
  const ctor = (globalThis as { WebTransport?: WebTransportConstructor }).WebTransport;
  if (ctor === undefined) throw new Error("WebTransport is not available here");
  const hashes = options.certificateHashes ?? [];
  const wt = new ctor(url, hashes.length === 0 ? {} : {
    serverCertificateHashes: hashes.map((h) => ({ algorithm: "sha-256", value: hexToBytes(h) })),
  });
  wt.closed.catch(noop);
  const stream = await withTimeout(
    wt.ready.then(() => wt.createBidirectionalStream()),
    options.timeoutMs ?? 5000, "WebTransport", () => wt.close());
  const transport = streamTransport("webtransport", stream, (reason) => {
    try {
      wt.close({ closeCode: 0, reason });
    } catch {
      // already closed
    }
  });
  wt.closed.then(() => transport.lost("WebTransport closed"),
                 (error: unknown) => transport.lost(`WebTransport closed: ${errorText(error)}`));
  return transport;
}

/** A bidirectional stream (WebTransport's, or a QUIC library's) as a FrameTransport. */
function streamTransport(name: string, stream: BidirectionalStream,
                         closeUnderlying: (reason: string) => void
                         ): FrameTransport & { lost: (reason: string) => void } {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let closed = false;
  const transport = {
    name,
    send: (data: Uint8Array) => {
      writer.write(data).catch((error: unknown) => lost(`write failed: ${errorText(error)}`));
    },
    close: (reason?: string) => {
      closeUnderlying(reason ?? "");
      lost(reason ?? "closed");
    },
    onBytes: noop as (data: Uint8Array) => void,
    onClose: noop as (reason: string) => void,
    lost: (reason: string) => lost(reason),
  };
  const lost = (reason: string): void => {
    if (!closed) {
      closed = true;
      transport.onClose(reason);
    }
  };
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value !== undefined) transport.onBytes(value);
      }
      lost(`the server closed the ${name} stream`);
    } catch (error) {
      lost(`${name} closed: ${errorText(error)}`);
    }
  })();
  return transport;
}

interface BidirectionalStream {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

/** What the SDK uses of npm `@matrixai/quic` (pass the module: it is Node-only). */
export interface QuicModule {
  QUICClient: {
    createQUICClient(options: Record<string, unknown>): Promise<{
      connection: { newStream(type: "bidi"): BidirectionalStream };
      destroy(options?: { force?: boolean }): Promise<void>;
    }>;
  };
}

export interface QuicOptions {
  /** `await import("@matrixai/quic")`. */
  module: QuicModule;
  /** The CA to verify the server with (PEM), e.g. the development CA's ca.pem. */
  ca?: string;
  /** The name the certificate must carry; the host by default ("localhost" for a
   *  loopback address: the QUIC library cannot verify an IP address). */
  serverName?: string;
  /** More options for QUICClient.createQUICClient (e.g. `logger`). */
  extra?: Record<string, unknown>;
}

/** The name to verify: quiche cannot check an IP address, so a loopback address is
 *  checked as "localhost" (which the development certificate names). */
function quicServerName(host: string): string {
  return /^127\.|^::1$/.test(host) ? "localhost" : host;
}

/**
 * Opens raw QUIC (ALPN "prim") to `address` (host:port, GetMyNode's quicAddress) in Node,
 * through npm `@matrixai/quic`, and the one bidirectional stream the frames ride on.
 */
export async function openQuic(address: string, options: QuicOptions & { timeoutMs?: number }
                               ): Promise<FrameTransport> {
  const at = address.lastIndexOf(":");
  const host = address.slice(0, at).replace(/^\[|\]$/g, "");
  const port = Number(address.slice(at + 1));
  const timeoutMs = options.timeoutMs ?? 5000;
  const client = await withTimeout(options.module.QUICClient.createQUICClient({
    host, port, serverName: options.serverName ?? quicServerName(host),
    crypto: { ops: { randomBytes: async (data: ArrayBuffer) => {
      globalThis.crypto.getRandomValues(new Uint8Array(data));
    } } },
    config: {
      applicationProtos: ["prim"], verifyPeer: true, maxIdleTimeout: 0,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    },
    ...options.extra,
  }), timeoutMs, "QUIC", noop);
  return streamTransport("quic", client.connection.newStream("bidi"), () => {
    client.destroy({ force: true }).catch(noop);
  });
}

/** The first candidate that opens, trying them in order (the fallback chain). */
export async function openFirst(candidates: TransportCandidate[]): Promise<FrameTransport> {
  const failures: { name: string; error: unknown }[] = [];
  for (const c of candidates) {
    try {
      return await c.open();
    } catch (error) {
      failures.push({ name: c.name, error });
    }
  }
  throw new TransportUnavailable(failures);
}
