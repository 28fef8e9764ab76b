// Drives the compiled HTTP client against a recording fake fetch: URLs built from the
// HttpRule (path variables encoded, query parameters, `body: "*"` minus path fields),
// the bearer token only where a session is needed, raw uploads and downloads, and errors
// parsed into PrimApiError. Exits non-zero on any mismatch.
//
// Usage: node test/client.mjs [dist-dir]   (dist-dir defaults to ../dist/generated/ts)
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const distDir = path.resolve(process.argv[2] ?? path.join(here, "..", "dist", "generated", "ts"));
const sdk = await import(pathToFileURL(path.join(distDir, "index.js")).href);

const calls = [];
let nextResponse = () => new Response("{}", { status: 200 });
async function fakeFetch(url, init) {
  calls.push({ url, init });
  return nextResponse();
}
const client = new sdk.PrimClient({ baseUrl: "http://api.test/", fetch: fakeFetch });
const last = () => calls[calls.length - 1];
const header = (name) => last().init.headers[name];

const cases = {
  async "public method: JSON body, no token"() {
    client.accessToken = "tok";
    nextResponse = () => Response.json({ accessToken: "t2", userId: "7" });
    const out = await client.account.login({ userId: "7", password: "secret" });
    assert.deepEqual(out, { accessToken: "t2", userId: "7" });
    assert.equal(last().url, "http://api.test/v1/sessions");
    assert.equal(last().init.method, "POST");
    assert.deepEqual(JSON.parse(last().init.body), { userId: "7", password: "secret" });
    assert.equal(header("content-type"), "application/json");
    assert.equal(header("authorization"), undefined);
  },
  async "body '*' leaves the path fields out; bearer token sent"() {
    client.accessToken = "tok";
    await client.friend.updateFriend({ userId: "42", remark: "Bob", tags: { tags: ["a"] } });
    assert.equal(last().url, "http://api.test/v1/friends/42");
    assert.equal(last().init.method, "PATCH");
    assert.deepEqual(JSON.parse(last().init.body), { remark: "Bob", tags: { tags: ["a"] } });
    assert.equal(header("authorization"), "Bearer tok");
  },
  async "two path variables"() {
    await client.group.approveJoinRequest({ groupId: "68719476743", userId: "9" });
    assert.equal(last().url, "http://api.test/v1/groups/68719476743/join-requests/9/approve");
    assert.deepEqual(JSON.parse(last().init.body), {});
  },
  async "query parameters in field order, unset ones left out"() {
    await client.message.listHistory({ peerId: "5", direction: "DIRECTION_FORWARD", pageSize: 10 });
    assert.equal(last().init.method, "GET");
    assert.equal(last().url,
      "http://api.test/v1/conversations/5/messages?direction=DIRECTION_FORWARD&pageSize=10");
    assert.equal(last().init.body, undefined);
  },
  async "path values are URL-encoded, slashes included"() {
    await client.file.getFileInfo({ fileId: "a/b c?" });
    assert.equal(last().url, "http://api.test/v1/files/a%2Fb%20c%3F/info");
  },
  async "a missing path value is refused before any request"() {
    const before = calls.length;
    // REQUIRED (a non-default value): the spec's generated check refuses it as the server would.
    await assert.rejects(client.user.getUser({ userId: "" }), (err) =>
      err instanceof sdk.PrimApiError && err.status === 400 && err.field === "user_id");
    assert.equal(calls.length, before);
  },
  async "a broken rule fails locally with the server's error body"() {
    const before = calls.length;
    client.userId = "42";
    const refused = async (call) => {
      try {
        await call;
      } catch (err) {
        assert.ok(err instanceof sdk.PrimApiError);
        return err;
      }
      throw new Error("not refused");
    };
    const own = await refused(client.friend.sendFriendRequest({ userId: "42" }));
    assert.equal(own.status, 400);
    assert.equal(own.code, "ERROR_CODE_INVALID_ARGUMENT");
    assert.deepEqual(own.body.violations, [
      { field: "userId", description: "user_id is your own id; give another user's id" }]);
    const group = await refused(client.friend.blockUser({ userId: "68719476736" }));
    assert.equal(group.message, "user_id is a group id; give a user id (1 to 68719476735)");
    const tags = await refused(
      client.friend.updateFriend({ userId: "7", tags: { tags: ["a", " a "] } }));
    assert.equal(tags.field, "tags.tags");
    assert.deepEqual(tags.body.violations, [
      { field: "tags.tags", description: "tags.tags repeats an item; give each one once" }]);
    const control = await refused(client.group.createGroup({ name: "a\u0007b" }));
    assert.equal(control.message, "name may not contain control characters; remove them");
    assert.equal(calls.length, before);
    client.userId = undefined;
  },
  async "empty request and empty response"() {
    nextResponse = () => new Response(null, { status: 204 });
    assert.deepEqual(await client.account.logout(), {});
    assert.equal(last().init.method, "DELETE");
    assert.equal(last().url, "http://api.test/v1/sessions/current");
  },
  async "raw upload: bytes body, its content type, the other fields in the query"() {
    nextResponse = () => Response.json({ fileId: "f1", size: "3" });
    const bytes = new Uint8Array([1, 2, 3]);
    const info = await client.file.uploadFile(
      { kind: "MSG_TYPE_IMAGE", name: "cat.png" },
      { data: bytes, contentType: "image/png" },
    );
    assert.equal(info.fileId, "f1");
    assert.equal(last().url, "http://api.test/v1/files?kind=MSG_TYPE_IMAGE&name=cat.png");
    assert.equal(header("content-type"), "image/png");
    assert.deepEqual([...new Uint8Array(last().init.body)], [1, 2, 3]);
  },
  async "raw download is a Blob"() {
    nextResponse = () =>
      new Response(new Uint8Array([9, 8, 7]), { headers: { "content-type": "image/png" } });
    const blob = await client.file.downloadFile({ fileId: "f1" });
    assert.ok(blob instanceof Blob);
    assert.equal(blob.type, "image/png");
    assert.deepEqual([...new Uint8Array(await blob.arrayBuffer())], [9, 8, 7]);
  },
  async "an Error body becomes a PrimApiError"() {
    nextResponse = () => Response.json(
      { code: "ERROR_CODE_NOT_FOUND", message: "no such user", field: "user_id" },
      { status: 404 },
    );
    const err = await client.user.getUser({ userId: "1" }).catch((e) => e);
    assert.ok(err instanceof sdk.PrimApiError, String(err));
    assert.equal(err.status, 404);
    assert.equal(err.code, "ERROR_CODE_NOT_FOUND");
    assert.equal(err.message, "no such user");
    assert.equal(err.field, "user_id");
  },
  async "a non-JSON error keeps its text"() {
    nextResponse = () => new Response("upstream down", { status: 502 });
    const err = await client.node.getMyNode().catch((e) => e);
    assert.ok(err instanceof sdk.PrimApiError, String(err));
    assert.equal(err.status, 502);
    assert.equal(err.code, "ERROR_CODE_UNSPECIFIED");
    assert.equal(err.message, "upstream down");
    assert.equal(err.body, undefined);
  },
  async "the codec is reachable from the index, also as the wire namespace"() {
    assert.equal(sdk.encodeHeader, sdk.wire.encodeHeader);
    assert.equal(sdk.wire.MsgType.TEXT, 32);
  },
};

let passed = 0;
let failed = 0;
for (const [name, run] of Object.entries(cases)) {
  nextResponse = () => new Response("{}", { status: 200 });
  try {
    await run();
    passed += 1;
  } catch (err) {
    failed += 1;
    console.error(`FAIL ${name}:`, err);
  }
}
console.log(`client: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
