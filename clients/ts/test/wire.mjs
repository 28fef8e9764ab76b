// The SDK's wire client against a live PRIM server (started by tests/clients/test_ts_sdk.py):
// users sign up over HTTP, befriend, and chat over the gateway's WebSocket (wss with the
// development CA): Acks, events per type, multi-device copies, resends after a dropped
// transport, catch-up from history after a reconnect, refusals, bad tokens.
// Prints "N passed, M failed"; exits non-zero on any failure.
//
// Usage: node test/wire.mjs <dist-dir> <http-base-url> <ca-file>
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";

const [distDir, baseUrl, caFile] = process.argv.slice(2);
const sdk = await import(
  pathToFileURL(path.join(path.resolve(distDir), "clients", "ts", "src", "index.js")).href
);
const ca = readFileSync(caFile);
const webSocket = (url, protocols) => new WebSocket(url, protocols, { ca });
// Installed by tests/ts_sdk.py into test/quic (see its package.json for why apart).
const { quic: quicModule, Logger, LogLevel } = await import("./quic/modules.mjs");
const quietLogger = new Logger("quic", LogLevel.WARN);
const PASSWORD = "correct horse battery";
let names = 0;

async function account() {
  const http = new sdk.PrimClient({ baseUrl });
  const { userId } = await http.account.signup({ password: PASSWORD, nickname: `ts${++names}` });
  return { userId, http };
}

async function device(user, options = {}) {
  const http = new sdk.PrimClient({ baseUrl });
  const login = await http.account.login({ userId: user.userId, password: PASSWORD });
  http.accessToken = login.accessToken;
  const wire = new sdk.WireClient({
    userId: login.userId, token: login.accessToken, api: http, webSocket,
    backoff: { initialMs: 50, maxMs: 500 }, ...options,
  });
  return { wire, http, token: login.accessToken, userId: BigInt(login.userId) };
}

async function friends(a, b) {
  await a.http.friend.sendFriendRequest({ userId: String(b.userId), message: "hi" });
  await b.http.friend.acceptFriendRequest({ requesterId: String(a.userId) });
}

/** Collects one event kind of a client; `next(where)` waits for a matching one. */
function collect(wire, event) {
  const seen = [];
  const waiters = [];
  wire.on(event, (e) => {
    seen.push(e);
    for (const w of [...waiters]) {
      if (w.where(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  return {
    seen,
    next(where = () => true, ms = 5000) {
      const old = seen.find(where);
      if (old) return Promise.resolve(old);
      return new Promise((resolve, reject) => {
        const w = { where, resolve };
        waiters.push(w);
        setTimeout(() => reject(new Error(`no ${event} event in ${ms} ms`)), ms);
      });
    },
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const text = (t) => (m) => m.payload === t;

// Two friends, Alice with two devices, connected once for most cases.
const alice = await account();
const bob = await account();
const a1 = await device(alice);
const a2 = await device(alice);
const b1 = await device(bob);
await friends(a1, b1);
const bobTexts = collect(b1.wire, "TEXT");
const bobMessages = collect(b1.wire, "message");
const a2Texts = collect(a2.wire, "TEXT");
const a1Receipts = collect(a1.wire, "READ_RECEIPT");
const a1Typing = collect(a1.wire, "TYPING");
const bobEdits = collect(b1.wire, "EDIT");

const cases = {
  async "connect: Auth over wss, the state says connected, ping answers"() {
    const states = collect(a1.wire, "state");
    await Promise.all([a1.wire.connect(), a2.wire.connect(), b1.wire.connect()]);
    assert.equal(a1.wire.state, "connected");
    assert.equal(a1.wire.transport, "websocket");
    await states.next((s) => s.state === "connected");
    const rtt = await a1.wire.ping();
    assert.ok(rtt >= 0 && rtt < 5000, `rtt ${rtt}`);
  },
  async "send: the Ack resolves; the peer and the sender's other device get it"() {
    const acked = await a1.wire.sendText(bob.userId, "hello bob");
    assert.ok(acked.seqnum > 0n && acked.serverTimestampMs > 0n && !acked.duplicate);
    const got = await bobTexts.next(text("hello bob"));
    assert.equal(got.seqnum, acked.seqnum);
    assert.equal(got.sender, a1.userId);
    assert.equal(got.conversation, a1.userId);
    assert.equal(got.fromMe, false);
    const m = await bobMessages.next(text("hello bob"));
    assert.equal(m.typeName, "TEXT");
    const row = sdk.toChatMessage(m);
    assert.equal(row.type, "MSG_TYPE_TEXT");
    assert.equal(row.seqnum, String(acked.seqnum));
    assert.equal(sdk.historyFrame(row).seqnum, acked.seqnum);
    assert.equal(new TextDecoder().decode(sdk.fromBase64(row.payload)), "hello bob");
    const copy = await a2Texts.next(text("hello bob"));
    assert.equal(copy.fromMe, true);
    assert.equal(copy.conversation, b1.userId);
    assert.equal(copy.seqnum, acked.seqnum);
  },
  async "a resend with the same timestamp gets the original seqnum, one delivery"() {
    // Raw frames on a transport of the SDK's own: Auth, then one Text sent twice.
    const node = await a1.http.node.getMyNode({});
    const t = await sdk.openWebSocket(node.websocketUrl, { factory: webSocket });
    const decoder = new sdk.FrameDecoder();
    const frames = [];
    t.onBytes = (data) => {
      decoder.feed(data);
      frames.push(...decoder.frames());
    };
    const until = async (n) => {
      for (let i = 0; i < 100 && frames.length < n; i++) await sleep(20);
      assert.ok(frames.length >= n, `only ${frames.length} frames`);
    };
    const me = a1.userId;
    t.send(sdk.encodeFrame(sdk.frame(sdk.wire.MsgType.AUTH, {
      sender: me, timestamp: 1n, payload: new TextEncoder().encode(a1.token) })));
    await until(1);
    assert.equal(frames[0].type, sdk.wire.MsgType.AUTH);
    const ts = BigInt(Date.now()) + 5000n;
    const textFrame = sdk.frame(sdk.wire.MsgType.TEXT, {
      sender: me, receiver: b1.userId, timestamp: ts,
      payload: new TextEncoder().encode("only once") });
    t.send(sdk.encodeFrame(textFrame));
    await until(2);
    t.send(sdk.encodeFrame(textFrame));
    await until(3);
    const [first, second] = frames.slice(1, 3).map((f) => ({
      f, ack: sdk.decodeMessage(sdk.AckPayloadSchema, f.payload) }));
    assert.equal(first.f.type, sdk.wire.MsgType.ACK);
    assert.equal(second.f.seqnum, first.f.seqnum);
    assert.equal(second.f.timestamp, ts);
    assert.equal(second.ack.duplicate, true);
    assert.notEqual(first.ack.duplicate, true);
    t.close();
    await bobTexts.next(text("only once"));
    await sleep(200);
    assert.equal(bobTexts.seen.filter(text("only once")).length, 1);
  },
  async "a send while the transport is down is resent after the reconnect, once"() {
    const states = collect(a1.wire, "state");
    a1.wire.dropTransport();
    const sent = a1.wire.sendText(bob.userId, "through the reconnect");
    await states.next((s) => s.state === "reconnecting");
    const acked = await sent;
    await states.next((s) => s.state === "connected");
    const got = await bobTexts.next(text("through the reconnect"));
    assert.equal(got.seqnum, acked.seqnum);
    await sleep(200);
    assert.equal(bobTexts.seen.filter(text("through the reconnect")).length, 1);
  },
  async "missed messages are fetched from history after a reconnect, in order"() {
    const bob2 = await device(bob, { backoff: { initialMs: 1500, maxMs: 1500, jitter: 0 } });
    const texts = collect(bob2.wire, "TEXT");
    const gaps = collect(bob2.wire, "gap");
    await bob2.wire.connect();
    const first = await a1.wire.sendText(bob.userId, "before the gap");
    await texts.next(text("before the gap"));
    bob2.wire.dropTransport();
    await sleep(100);
    const missed = [];
    for (const t of ["missed 1", "missed 2"]) missed.push(await a1.wire.sendText(bob.userId, t));
    const gap = await gaps.next(() => true, 8000);
    assert.equal(gap.first, first.seqnum + 1n);
    assert.equal(gap.filled, 2);
    const fetched = texts.seen.filter((m) => m.fromHistory);
    assert.deepEqual(fetched.map((m) => [m.payload, m.seqnum]),
                     missed.map((a, i) => [`missed ${i + 1}`, a.seqnum]));
    const after = await a1.wire.sendText(bob.userId, "after the gap");
    const live = await texts.next(text("after the gap"));
    assert.equal(live.seqnum, after.seqnum);
    assert.equal(live.fromHistory, false);
    const seqnums = texts.seen.map((m) => m.seqnum);
    assert.deepEqual(seqnums, [...seqnums].sort((x, y) => (x < y ? -1 : 1)));
    assert.equal(new Set(seqnums).size, seqnums.length);
    bob2.wire.close();
  },
  async "read receipts and typing reach the peer as their own events"() {
    const acked = await a1.wire.sendText(bob.userId, "read me");
    await bobTexts.next(text("read me"));
    assert.ok(b1.wire.markRead(a1.userId, acked.seqnum));
    const receipt = await a1Receipts.next((m) => m.payload?.seqnum === String(acked.seqnum));
    assert.equal(receipt.sender, b1.userId);
    assert.ok(b1.wire.typing(a1.userId));
    const typing = await a1Typing.next();
    assert.equal(typing.sender, b1.userId);
  },
  async "edit: the peer gets EDIT with the decoded payload"() {
    const acked = await a1.wire.sendText(bob.userId, "typo");
    await a1.wire.editText(bob.userId, acked.seqnum, "fixed");
    const edit = await bobEdits.next();
    assert.equal(edit.payload.targetSeqnum, String(acked.seqnum));
    assert.equal(atob(edit.payload.newPayload), "fixed");
  },
  async "a stranger is refused: SendRefused with the Error's code"() {
    const carol = await account();
    await assert.rejects(a1.wire.sendText(carol.userId, "hi stranger"), (error) => {
      assert.ok(error instanceof sdk.SendRefused, String(error));
      assert.equal(error.code, "ERROR_CODE_PERMISSION_DENIED");
      return true;
    });
  },
  async "raw QUIC in Node (@matrixai/quic): connect, send, the peer gets it"() {
    const q = await device(alice, {
      transports: ["quic"],
      quic: { module: quicModule, ca: ca.toString(), extra: { logger: quietLogger } },
    });
    await q.wire.connect();
    assert.equal(q.wire.transport, "quic");
    const acked = await q.wire.sendText(bob.userId, "over raw quic");
    const got = await bobTexts.next(text("over raw quic"));
    assert.equal(got.seqnum, acked.seqnum);
    assert.ok((await q.wire.ping()) >= 0);
    q.wire.close();
  },
  async "a wrong token fails the connect with AuthenticationFailed"() {
    const node = await a1.http.node.getMyNode({});
    const wire = new sdk.WireClient({
      userId: alice.userId, token: "not a token", webSocket,
      endpoints: { webSocketUrl: node.websocketUrl },
    });
    await assert.rejects(wire.connect(), sdk.AuthenticationFailed);
    assert.equal(wire.state, "closed");
  },
  async "fallback: the first transport that opens wins"() {
    const node = await a1.http.node.getMyNode({});
    const t = await sdk.openFirst([
      { name: "webtransport", open: () => sdk.openWebTransport("https://127.0.0.1:1/wire") },
      { name: "broken", open: () => Promise.reject(new Error("nope")) },
      { name: "websocket", open: () => sdk.openWebSocket(node.websocketUrl, { factory: webSocket }) },
    ]);
    assert.equal(t.name, "websocket");
    t.close();
    await assert.rejects(sdk.openFirst([]), sdk.TransportUnavailable);
  },
  async "close: pending and later sends fail with ConnectionLost"() {
    a2.wire.close();
    assert.equal(a2.wire.state, "closed");
    await assert.rejects(a2.wire.sendText(bob.userId, "too late"), sdk.ConnectionLost);
  },
};

let passed = 0;
let failed = 0;
for (const [name, run] of Object.entries(cases)) {
  try {
    await run();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.error(`FAIL ${name}\n${error?.stack ?? error}`);
  }
}
for (const d of [a1, b1]) d.wire.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
