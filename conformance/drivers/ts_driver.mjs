// The TypeScript SDK's conformance driver: each connection is a `WireClient` (clients/ts)
// over WebSocket (wss with the runner's CA, npm `ws`: Node 20 has no global WebSocket),
// found through GetMyNode with the session the runner logged in. What it yields is
// reported as the frames it stands for: messages (live, or fetched from history to fill a
// gap: `fromHistory`), receipts, typing, unanswered Errors; a send's Ack or refusal under
// the timestamp the case gave the frame (the SDK sends with its own). What the SDK does
// not let an application do is declared unsupported in the hello.
//
// The driver protocol (conformance/README.md): 4-byte big-endian length + protobuf
// (spec/prim/v1/conformance.proto), DriverRequest on stdin, DriverMessage on stdout; the
// messages' schemas are written out here for the SDK's own protobuf codec.
//
// Usage: node conformance/drivers/ts_driver.mjs <compiled-sdk-dir> <sdk-dir>
// (python -m prim.conformance.drivers.ts compiles the SDK and starts it.)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [distDir, sdkDir] = process.argv.slice(2);
const sdk = await import(
  pathToFileURL(path.join(path.resolve(distDir), "clients", "ts", "src", "index.js")).href
);
const WebSocket = createRequire(path.join(path.resolve(sdkDir), "package.json"))("ws");
const { MsgType } = sdk.wire;
const out = process.stdout;
console.log = console.error; // stdout is the protocol only

const UNSUPPORTED = ["raw_bytes", "explicit_header", "explicit_auth", "echo", "tcp",
  "fallback", "stop_reading"];
const STATUS = { OK: 1, UNSUPPORTED: 2, FAILED: 3 };
const AUTH_NONE = 1;

// -- the driver messages' schemas (enums as their numbers) ------------------------------
const field = (no, name, kind, extra = {}) => ({ no, name, kind, repeated: false, ...extra });
const message = (no, name, schema) => field(no, name, "message", { message: () => schema });
const S = {};
S.ObservedFrame = { name: "ObservedFrame", fields: [
  field(1, "version", "uint32"), field(2, "sender", "uint64"), field(3, "nodeId", "uint32"),
  field(4, "receiver", "uint64"), field(5, "type", "uint32"), field(6, "timestamp", "uint64"),
  field(7, "seqnum", "uint64"), field(8, "payload", "bytes"), field(9, "extension", "bytes"),
  field(10, "fromHistory", "bool")] };
S.DriverConnect = { name: "DriverConnect", fields: [
  field(1, "connection", "string"), field(2, "host", "string"), field(3, "port", "uint32"),
  field(4, "transport", "uint32"), field(5, "caFile", "string"),
  field(6, "httpBaseUrl", "string"), field(7, "userId", "uint64"),
  field(8, "accessToken", "string"), field(9, "deviceId", "string"),
  field(10, "auth", "uint32"), field(11, "quicTimeoutMs", "uint32")] };
S.DriverSend = { name: "DriverSend", fields: [
  field(1, "connection", "string"), message(2, "frame", S.ObservedFrame),
  field(3, "raw", "bytes")] };
S.DriverDisconnect = { name: "DriverDisconnect", fields: [field(1, "connection", "string")] };
S.DriverReset = { name: "DriverReset", fields: [] };
S.DriverRequest = { name: "DriverRequest", fields: [
  field(1, "id", "uint64"), message(2, "connect", S.DriverConnect),
  message(3, "send", S.DriverSend), message(4, "disconnect", S.DriverDisconnect),
  message(5, "reset", S.DriverReset)] };
S.DriverHello = { name: "DriverHello", fields: [
  field(1, "name", "string"), field(2, "version", "string"),
  { ...field(3, "unsupportedFeatures", "string"), repeated: true }] };
S.DriverResult = { name: "DriverResult", fields: [
  field(1, "id", "uint64"), field(2, "status", "uint32"), field(3, "detail", "string"),
  field(4, "transport", "string")] };
S.ConnectionEnded = { name: "ConnectionEnded", fields: [field(1, "reason", "string")] };
S.Observation = { name: "Observation", fields: [
  field(1, "connection", "string"), message(2, "frame", S.ObservedFrame),
  message(3, "closed", S.ConnectionEnded)] };
S.DriverMessage = { name: "DriverMessage", fields: [
  message(1, "hello", S.DriverHello), message(2, "result", S.DriverResult),
  message(3, "observation", S.Observation)] };

function write(msg) {
  const body = sdk.encodeMessage(S.DriverMessage, msg);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  out.write(Buffer.concat([head, Buffer.from(body)]));
}
const report = (connection, frame) => write({ observation: { connection, frame } });
const reportClosed = (connection, reason) =>
  write({ observation: { connection, closed: { reason } } });
const errorFrame = (me, error) => ({
  type: MsgType.ERROR, receiver: me, payload: sdk.encodeMessage(sdk.ErrorSchema, error) });
/** A frame as the ObservedFrame it is reported as. */
const observed = (f, fromHistory = false) => ({
  version: f.version, sender: f.sender, nodeId: f.nodeId, receiver: f.receiver, type: f.type,
  timestamp: f.timestamp, seqnum: f.seqnum, payload: f.payload, extension: f.extension,
  fromHistory });
// Frames the wire client answers itself (Auth, Pong, Ack) or hands on as an event.
const ANSWERED = new Set([MsgType.AUTH, MsgType.PONG, MsgType.ACK, MsgType.ERROR]);

// -- connections ------------------------------------------------------------------------
const connections = new Map(); // name -> { wire, leaving }

function watch(name, conn) {
  const { wire } = conn;
  wire.on("message", (m) => report(name, observed(m.frame, m.fromHistory)));
  wire.on("frame", (f) => {
    if (!ANSWERED.has(f.type) && !sdk.msgTypeInfo(f.type)?.sequenced) report(name, observed(f));
  });
  wire.on("error", (e) => report(name, observed(e.frame)));
  wire.on("state", (s) => {
    if (!conn.leaving && conn.up && (s.state === "reconnecting" || s.state === "closed")) {
      conn.up = s.state === "reconnecting";
      reportClosed(name, String(s.error ?? s.state));
    }
  });
}

async function connect(c) {
  disconnect(c.connection);
  if (c.auth === AUTH_NONE) return { status: STATUS.UNSUPPORTED, detail: "explicit_auth" };
  const api = new sdk.PrimClient({ baseUrl: c.httpBaseUrl, accessToken: c.accessToken });
  const ca = readFileSync(c.caFile);
  const wire = new sdk.WireClient({
    userId: c.userId, token: c.accessToken, api, transports: ["websocket"],
    webSocket: (url, protocols) => new WebSocket(url, protocols, { ca }),
    ackTimeoutMs: 2000, sendTimeoutMs: 20000, backoff: { initialMs: 50, maxMs: 500 },
  });
  const conn = { wire, leaving: false, up: false };
  watch(c.connection, conn);
  try {
    await wire.connect();
  } catch (error) {
    if (error instanceof sdk.AuthenticationFailed) { // a refused Auth is observed, not failed
      report(c.connection, errorFrame(wire.userId, error.error));
      reportClosed(c.connection, error.message);
      return { status: STATUS.OK, transport: "websocket" };
    }
    return { status: STATUS.FAILED, detail: String(error?.message ?? error) };
  }
  conn.up = true;
  connections.set(c.connection, conn);
  return { status: STATUS.OK, transport: wire.transport ?? "" };
}

function disconnect(name) {
  const conn = connections.get(name);
  if (conn === undefined) return;
  connections.delete(name);
  conn.leaving = true;
  conn.wire.close();
}

function send(s) {
  const conn = connections.get(s.connection);
  if (conn === undefined) return { status: STATUS.FAILED, detail: `no connection ${s.connection}` };
  const f = s.frame ?? {};
  if (f.type === undefined || s.raw) return { status: STATUS.UNSUPPORTED, detail: "raw_bytes" };
  const { wire } = conn;
  const me = wire.userId;
  const payload = sdk.fromBase64(f.payload ?? "");
  const receiver = BigInt(f.receiver ?? "0");
  switch (f.type) {
    case MsgType.PING:
      wire.ping().then(() => report(s.connection, { type: MsgType.PONG, receiver: me }));
      return { status: STATUS.OK };
    case MsgType.TYPING:
      return wire.typing(receiver) ? { status: STATUS.OK } : { status: STATUS.FAILED, detail: "not sent" };
    case MsgType.READ_RECEIPT: {
      const { seqnum = "0" } = sdk.decodeMessage(sdk.ReadReceiptPayloadSchema, payload);
      return wire.markRead(receiver, seqnum) ? { status: STATUS.OK } : { status: STATUS.FAILED, detail: "not sent" };
    }
    case MsgType.AUTH:
    case MsgType.ECHO:
      return { status: STATUS.UNSUPPORTED, detail: "the SDK sends no such frame" };
  }
  const value = sdk.decodePayload(sdk.frame(f.type, { payload }));
  const extension = sdk.fromBase64(f.extension ?? "");
  const timestamp = f.timestamp ?? "0";
  wire.send(f.type, receiver, value, extension).then(
    (acked) => report(s.connection, {
      type: MsgType.ACK, receiver: me, seqnum: acked.seqnum, timestamp,
      payload: sdk.encodeMessage(sdk.AckPayloadSchema, {
        serverTimestampMs: String(acked.serverTimestampMs), duplicate: acked.duplicate }) }),
    (error) => report(s.connection, errorFrame(me, error instanceof sdk.SendRefused
      ? { ...error.error, refTimestampMs: timestamp }
      : { code: "ERROR_CODE_UNAVAILABLE", message: String(error?.message ?? error) })),
  );
  return { status: STATUS.OK };
}

async function handle(request) {
  if (request.connect) return connect(request.connect);
  if (request.send) return send(request.send);
  if (request.disconnect) {
    disconnect(request.disconnect.connection ?? "");
    return { status: STATUS.OK };
  }
  if (request.reset) {
    for (const name of [...connections.keys()]) disconnect(name);
    return { status: STATUS.OK };
  }
  return { status: STATUS.UNSUPPORTED, detail: "an unknown request" };
}

// -- the loop: one request at a time, in order ------------------------------------------
write({ hello: { name: "typescript-sdk", version: "1", unsupportedFeatures: UNSUPPORTED } });
let buffered = Buffer.alloc(0);
let queue = Promise.resolve();
process.stdin.on("data", (data) => {
  buffered = Buffer.concat([buffered, data]);
  while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
    const size = buffered.readUInt32BE(0);
    const raw = new Uint8Array(buffered.subarray(4, 4 + size));
    buffered = buffered.subarray(4 + size);
    queue = queue.then(async () => {
      const request = sdk.decodeMessage(S.DriverRequest, raw);
      let result;
      try {
        result = await handle(request);
      } catch (error) { // a driver bug is reported to the runner, not a hang
        console.error("request failed", error);
        result = { status: STATUS.FAILED, detail: String(error?.stack ?? error) };
      }
      write({ result: { ...result, id: request.id ?? "0" } });
    });
  }
});
process.stdin.on("end", () => {
  for (const name of [...connections.keys()]) disconnect(name);
  queue.then(() => process.exit(0));
});
