"""FileService over real HTTP on both backends: uploads per kind, metadata, downloads,
type and size limits, and who may read a file."""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import tracemalloc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest

from prim.generated.prim.v1 import GroupEvent, GroupEventKind
from prim.runtime.storage.clock import wall_clock_ms
from prim.services.node import Node
from tests.api.accounts_helpers import PASSWORD, Account, assert_error, new_account
from tests.api.conftest import Backend, RunningNode, node_config
from tests.api.declared_errors import EVENT_HOOKS
from tests.api.social_helpers import User, befriend, events, eventually, history, make_group

pytestmark = pytest.mark.anyio


async def upload(http: httpx.AsyncClient, account: Account, data: bytes, content_type: str,
                 kind: str = "MSG_TYPE_FILE", name: str | None = None) -> httpx.Response:
    params = {"kind": kind} if name is None else {"kind": kind, "name": name}
    return await http.post("/v1/files", params=params, content=data,
                           headers={**account.auth, "content-type": content_type})


async def uploaded(http: httpx.AsyncClient, account: Account, data: bytes = b"bytes",
                   content_type: str = "image/jpeg", kind: str = "MSG_TYPE_IMAGE") -> str:
    response = await upload(http, account, data, content_type, kind)
    assert response.status_code == 200, response.text
    return str(response.json()["fileId"])


@pytest.mark.parametrize(("kind", "content_type", "expected_type"), [
    ("MSG_TYPE_IMAGE", "image/png", "image/png"),
    ("MSG_TYPE_VIDEO", "video/mp4", "video/mp4"),
    ("MSG_TYPE_AUDIO", "Audio/Ogg ;  codecs=opus", "audio/ogg; codecs=opus"),
    ("MSG_TYPE_FILE", "application/pdf", "application/pdf"),
    ("MSG_TYPE_FILE", "image/gif", "image/gif"),
])
async def test_upload_info_and_download_round_trip(running_node: RunningNode, kind: str,
                                                   content_type: str, expected_type: str
                                                   ) -> None:
    http = running_node.http
    account = await new_account(http)
    data = os.urandom(200_000)
    before = wall_clock_ms()
    response = await upload(http, account, data, content_type, kind, name="holiday 🏖.bin")
    assert response.status_code == 200, response.text
    info = response.json()
    assert info["contentType"] == expected_type
    assert int(info["size"]) == len(data)
    assert info["sha256"] == hashlib.sha256(data).hexdigest()
    assert info["name"] == "holiday 🏖.bin"
    assert int(info["uploaderId"]) == account.user_id
    assert before <= int(info["createdAtMs"]) <= wall_clock_ms()
    assert len(info["fileId"]) == 32

    again = await http.get(f"/v1/files/{info['fileId']}/info", headers=account.auth)
    assert again.status_code == 200 and again.json() == info
    download = await http.get(f"/v1/files/{info['fileId']}", headers=account.auth)
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == expected_type


@pytest.mark.parametrize(("kind", "content_type"), [
    ("MSG_TYPE_IMAGE", "text/plain"),
    ("MSG_TYPE_IMAGE", "video/mp4"),
    ("MSG_TYPE_VIDEO", "image/png"),
    ("MSG_TYPE_AUDIO", "application/octet-stream"),
    ("MSG_TYPE_FILE", "not a media type"),
    ("MSG_TYPE_FILE", "image/"),
    ("MSG_TYPE_FILE", "/png"),
])
async def test_upload_refuses_a_content_type_the_kind_does_not_allow(
        running_node: RunningNode, kind: str, content_type: str) -> None:
    account = await new_account(running_node.http)
    response = await upload(running_node.http, account, b"data", content_type, kind)
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE", "content")


@pytest.mark.parametrize("kind", ["MSG_TYPE_TEXT", "MSG_TYPE_NA", "MSG_TYPE_ACK",
                                  "MSG_TYPE_EDIT", "MSG_TYPE_ADD_FRIEND"])
async def test_upload_kind_must_be_a_media_message(running_node: RunningNode, kind: str) -> None:
    account = await new_account(running_node.http)
    response = await upload(running_node.http, account, b"data", "image/png", kind)
    assert_error(response, 400, "INVALID_ARGUMENT", "kind")


async def test_upload_validates_kind_name_and_content(running_node: RunningNode) -> None:
    http = running_node.http
    account = await new_account(http)
    missing_kind = await http.post("/v1/files", content=b"x",
                                   headers={**account.auth, "content-type": "image/png"})
    assert_error(missing_kind, 400, "INVALID_ARGUMENT", "kind")
    for name in ("n" * 256, "bad\x00name"):
        response = await upload(http, account, b"x", "image/png", "MSG_TYPE_IMAGE", name=name)
        assert_error(response, 400, "INVALID_ARGUMENT", "name")
    empty = await upload(http, account, b"", "image/png", "MSG_TYPE_IMAGE")
    assert_error(empty, 400, "INVALID_ARGUMENT", "content")


@pytest.fixture
async def small_limit_node(backend: Backend, tmp_path: Path) -> AsyncIterator[RunningNode]:
    node = Node(node_config(tmp_path, backend, **{"limits.max_file_bytes": 4096}))
    endpoints = await node.start()
    try:
        async with httpx.AsyncClient(base_url=endpoints.http, timeout=30,
                                     event_hooks=EVENT_HOOKS) as http:
            yield RunningNode(node, endpoints, http, backend.name)
    finally:
        await node.stop()


async def test_upload_size_limit(small_limit_node: RunningNode) -> None:
    http = small_limit_node.http
    account = await new_account(http)
    at_limit = await upload(http, account, b"a" * 4096, "video/webm", "MSG_TYPE_VIDEO")
    assert at_limit.status_code == 200, at_limit.text
    over = await upload(http, account, b"a" * 4097, "video/webm", "MSG_TYPE_VIDEO")
    assert_error(over, 413, "PAYLOAD_TOO_LARGE", "content")


async def test_only_the_uploader_friends_and_group_mates_may_read(running_node: RunningNode
                                                                  ) -> None:
    http = running_node.http
    storage = running_node.node.storage
    assert storage is not None
    owner, friend, mate, stranger = [await new_account(http, n) for n in
                                     ("owner", "friend", "mate", "stranger")]
    file_id = await uploaded(http, owner, b"secret")
    await storage.social.create_friend_request(friend.user_id, owner.user_id)
    await storage.social.accept_friend_request(friend.user_id, owner.user_id)
    group = await storage.social.create_group(mate.user_id, "team")
    await storage.social.add_member(group.group_id, owner.user_id)

    for reader in (owner, friend, mate):
        info = await http.get(f"/v1/files/{file_id}/info", headers=reader.auth)
        assert info.status_code == 200, info.text
        download = await http.get(f"/v1/files/{file_id}", headers=reader.auth)
        assert download.status_code == 200 and download.content == b"secret"
    for path in (f"/v1/files/{file_id}/info", f"/v1/files/{file_id}"):
        assert_error(await http.get(path, headers=stranger.auth), 403, "PERMISSION_DENIED",
                     "file_id")
    # Access follows the relationship: an ex-friend loses it.
    await storage.social.remove_friend(friend.user_id, owner.user_id)
    assert_error(await http.get(f"/v1/files/{file_id}", headers=friend.auth), 403,
                 "PERMISSION_DENIED", "file_id")


@pytest.mark.parametrize("file_id", ["0" * 32, "not-an-id", "..%2F..%2Fetc%2Fpasswd", "A" * 32])
async def test_unknown_files_are_not_found(running_node: RunningNode, file_id: str) -> None:
    account = await new_account(running_node.http)
    for path in (f"/v1/files/{file_id}/info", f"/v1/files/{file_id}"):
        response = await running_node.http.get(path, headers=account.auth)
        assert_error(response, 404, "NOT_FOUND", "file_id")


async def test_files_need_a_token(running_node: RunningNode) -> None:
    http = running_node.http
    account = await new_account(http)
    file_id = await uploaded(http, account)
    assert_error(await http.post("/v1/files", params={"kind": "MSG_TYPE_IMAGE"}, content=b"x",
                                 headers={"content-type": "image/png"}), 401, "UNAUTHENTICATED")
    assert_error(await http.get(f"/v1/files/{file_id}/info"), 401, "UNAUTHENTICATED")
    assert_error(await http.get(f"/v1/files/{file_id}"), 401, "UNAUTHENTICATED")


@pytest.mark.parametrize("blocker", ["owner", "reader"])
async def test_a_block_either_way_cuts_friend_and_group_access(running_node: RunningNode,
                                                               blocker: str) -> None:
    http = running_node.http
    storage = running_node.node.storage
    assert storage is not None
    owner, friend, mate = [await new_account(http, n) for n in ("owner", "friend", "mate")]
    file_id = await uploaded(http, owner, b"secret")
    await storage.social.create_friend_request(friend.user_id, owner.user_id)
    await storage.social.accept_friend_request(friend.user_id, owner.user_id)
    group = await storage.social.create_group(mate.user_id, "team")
    await storage.social.add_member(group.group_id, owner.user_id)
    for reader in (friend, mate):
        assert (await http.get(f"/v1/files/{file_id}", headers=reader.auth)).status_code == 200
        a, b = (owner, reader) if blocker == "owner" else (reader, owner)
        blocked = await http.put(f"/v1/blocks/{b.user_id}", json={}, headers=a.auth)
        assert blocked.status_code == 200, blocked.text
        for path in (f"/v1/files/{file_id}/info", f"/v1/files/{file_id}"):
            assert_error(await http.get(path, headers=reader.auth), 403, "PERMISSION_DENIED",
                         "file_id")
    assert (await http.get(f"/v1/files/{file_id}", headers=owner.auth)).status_code == 200


@pytest.fixture
def limited_node_factory(backend: Backend, tmp_path: Path
                         ) -> Callable[..., AbstractAsyncContextManager[RunningNode]]:
    """A node of its own (embedded or PostgreSQL) with some limits changed."""
    @asynccontextmanager
    async def start(**overrides: object) -> AsyncIterator[RunningNode]:
        node = Node(node_config(tmp_path, backend, **overrides))
        endpoints = await node.start()
        try:
            async with httpx.AsyncClient(base_url=endpoints.http, timeout=120,
                                         event_hooks=EVENT_HOOKS) as http:
                yield RunningNode(node, endpoints, http, backend.name)
        finally:
            await node.stop()

    return start


async def _chunks(total: int, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    piece = random.Random(total).randbytes(size)  # the same bytes on every call
    for at in range(0, total, size):
        yield piece[:min(size, total - at)]


async def test_a_big_upload_and_download_stream_without_buffering(
        limited_node_factory: Callable[..., AbstractAsyncContextManager[RunningNode]]) -> None:
    total = 24 * 1024 * 1024
    async with limited_node_factory() as running:
        http = running.http
        account = await new_account(http)
        digest = hashlib.sha256()
        async for piece in _chunks(total):
            digest.update(piece)
        tracemalloc.start()
        try:
            response = await http.post("/v1/files", params={"kind": "MSG_TYPE_VIDEO"},
                                       content=_chunks(total),
                                       headers={**account.auth, "content-type": "video/mp4"})
            assert response.status_code == 200, response.text
            _, upload_peak = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            info = response.json()
            assert int(info["size"]) == total and info["sha256"] == digest.hexdigest()
            received = hashlib.sha256()
            size = 0
            async with http.stream("GET", f"/v1/files/{info['fileId']}",
                                   headers=account.auth) as download:
                assert download.status_code == 200
                assert download.headers["content-length"] == str(total)
                async for piece in download.aiter_bytes():
                    received.update(piece)
                    size += len(piece)
            _, download_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert size == total and received.hexdigest() == digest.hexdigest()
        # Whole-body buffering would peak at the file's size or more (24 MiB).
        assert upload_peak < 6 * 1024 * 1024, upload_peak
        assert download_peak < 6 * 1024 * 1024, download_peak


async def test_a_range_of_a_stored_file(running_node: RunningNode) -> None:
    http = running_node.http
    account = await new_account(http)
    data = os.urandom(300_000)
    file_id = await uploaded(http, account, data)
    part = await http.get(f"/v1/files/{file_id}",
                          headers={**account.auth, "range": "bytes=262000-262999"})
    assert part.status_code == 206 and part.content == data[262000:263000]
    assert part.headers["content-range"] == "bytes 262000-262999/300000"
    assert part.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    past = await http.get(f"/v1/files/{file_id}",
                          headers={**account.auth, "range": "bytes=300000-"})
    assert past.status_code == 416 and past.headers["content-range"] == "bytes */300000"


async def test_the_upload_quota_counts_every_file_and_deleting_frees_it(
        limited_node_factory: Callable[..., AbstractAsyncContextManager[RunningNode]]) -> None:
    async with limited_node_factory(**{"limits.upload_quota_bytes": 10_000,
                                       "limits.max_file_bytes": 6_000}) as running:
        http = running.http
        account, other = await new_account(http, "full"), await new_account(http, "other")
        first = await uploaded(http, account, b"a" * 6_000)
        over = await upload(http, account, b"b" * 5_000, "image/png", "MSG_TYPE_IMAGE")
        assert_error(over, 413, "PAYLOAD_TOO_LARGE", "content")
        assert "quota" in over.json()["message"]
        assert "4000 bytes are left" in over.json()["message"]
        # Without a Content-Length the quota is enforced as the bytes arrive.
        chunked = await http.post("/v1/files", params={"kind": "MSG_TYPE_FILE"},
                                  content=_chunks(5_000, 1_000),
                                  headers={**account.auth, "content-type": "text/plain"})
        assert_error(chunked, 413, "PAYLOAD_TOO_LARGE", "content")
        assert (await upload(http, account, b"c" * 4_000, "text/plain")).status_code == 200
        assert (await upload(http, other, b"d" * 6_000, "text/plain")).status_code == 200
        listing = await http.get("/v1/files", headers=account.auth)
        assert listing.json()["usedBytes"] == "10000"
        assert listing.json()["quotaBytes"] == "10000"
        assert (await http.delete(f"/v1/files/{first}", headers=account.auth)).status_code == 200
        again = await upload(http, account, b"e" * 5_000, "text/plain")
        assert again.status_code == 200, again.text
        blobs = running.node.storage.blobs if running.node.storage else None
        assert blobs is not None and await blobs.open(first) is None


async def test_uploads_in_flight_per_user_are_capped(
        limited_node_factory: Callable[..., AbstractAsyncContextManager[RunningNode]]) -> None:
    async with limited_node_factory(**{"limits.max_concurrent_uploads": 1}) as running:
        http = running.http
        busy, other = await new_account(http, "busy"), await new_account(http, "other")
        release = asyncio.Event()

        async def slow() -> AsyncIterator[bytes]:
            yield b"x" * 1000
            await release.wait()
            yield b"y" * 1000

        first = asyncio.create_task(http.post(
            "/v1/files", params={"kind": "MSG_TYPE_FILE"}, content=slow(),
            headers={**busy.auth, "content-type": "text/plain"}))
        storage = running.node.storage
        assert storage is not None
        root = storage.blobs.root  # type: ignore[attr-defined]
        for _ in range(200):  # until the slow upload writes its temporary file
            if any(root.rglob("*.tmp")):
                break
            await asyncio.sleep(0.02)
        assert any(root.rglob("*.tmp"))
        refused = await upload(http, busy, b"z", "text/plain")
        assert_error(refused, 429, "RATE_LIMITED")
        assert (await upload(http, other, b"z", "text/plain")).status_code == 200
        release.set()
        done = await first
        assert done.status_code == 200 and done.json()["size"] == "2000"
        assert (await upload(http, busy, b"z", "text/plain")).status_code == 200


async def test_list_files_pages_the_callers_own_files(running_node: RunningNode) -> None:
    http = running_node.http
    me, other = await new_account(http, "me"), await new_account(http, "other")
    mine = [await uploaded(http, me, bytes([i]) * (i + 1)) for i in range(5)]
    await uploaded(http, other)
    seen: list[str] = []
    token = ""
    for _ in range(5):
        page = await http.get("/v1/files", params={"pageSize": 2, "pageToken": token},
                              headers=me.auth)
        assert page.status_code == 200, page.text
        body = page.json()
        seen += [f["fileId"] for f in body["files"]]
        token = body.get("nextPageToken", "")
        if not token:
            break
    assert seen == mine
    assert page.json()["usedBytes"] == str(sum(range(1, 6)))
    assert_error(await http.get("/v1/files", params={"pageToken": "bogus"}, headers=me.auth),
                 400, "INVALID_ARGUMENT", "page_token")


async def test_delete_file_removes_only_the_callers_own(running_node: RunningNode) -> None:
    http = running_node.http
    owner, friend = await new_account(http, "owner"), await new_account(http, "friend")
    storage = running_node.node.storage
    assert storage is not None
    await storage.social.create_friend_request(friend.user_id, owner.user_id)
    await storage.social.accept_friend_request(friend.user_id, owner.user_id)
    file_id = await uploaded(http, owner, b"gone soon")
    # A reader is not the owner: the file is not theirs to delete.
    assert_error(await http.delete(f"/v1/files/{file_id}", headers=friend.auth), 404,
                 "NOT_FOUND", "file_id")
    assert (await http.get(f"/v1/files/{file_id}", headers=friend.auth)).status_code == 200
    deleted = await http.delete(f"/v1/files/{file_id}", headers=owner.auth)
    assert deleted.status_code == 200 and deleted.json() == {}
    for reader in (owner, friend):
        for path in (f"/v1/files/{file_id}", f"/v1/files/{file_id}/info"):
            assert_error(await http.get(path, headers=reader.auth), 404, "NOT_FOUND", "file_id")
    assert_error(await http.delete(f"/v1/files/{file_id}", headers=owner.auth), 404,
                 "NOT_FOUND", "file_id")
    assert_error(await http.delete(f"/v1/files/{'0' * 32}", headers=owner.auth), 404,
                 "NOT_FOUND", "file_id")
    assert (await http.get("/v1/files", headers=owner.auth)).json().get("files", []) == []


async def test_deleting_an_account_deletes_its_files_and_tells_its_groups(
        running_node: RunningNode) -> None:
    http = running_node.http
    doomed, friend, member = [User(await new_account(http, n), http)
                              for n in ("doomed", "friend", "member")]
    await befriend(doomed, friend)
    gid = await make_group(doomed, [member])
    await make_group(member, [doomed])  # a group the account only belongs to stays
    avatar = await uploaded(http, doomed.account, b"face", "image/png")
    await doomed.ok("PATCH", "/v1/users/me", {"avatar": avatar})
    sent = await uploaded(http, doomed.account, b"holiday photo")
    for file_id in (avatar, sent):
        assert (await friend.call("GET", f"/v1/files/{file_id}")).status_code == 200
    assert (await member.call("GET", f"/v1/files/{avatar}")).status_code == 200

    deleted = await http.post("/v1/users/me/deletion", json={"password": PASSWORD},
                              headers=doomed.account.auth)
    assert deleted.status_code == 200, deleted.text
    for reader in (friend, member):
        for file_id in (avatar, sent):
            assert_error(await reader.call("GET", f"/v1/files/{file_id}"), 404, "NOT_FOUND",
                         "file_id")
    storage = running_node.node.storage
    assert storage is not None
    for file_id in (avatar, sent):
        assert await storage.blobs.open(file_id) is None
    assert await storage.uploads.usage(doomed.id) == 0

    async def told() -> bool:
        # In the member's own notification stream (PROTOCOL.md section 7).
        messages = await history(member, member.id, direction="DIRECTION_FORWARD")
        return GroupEvent(kind=GroupEventKind.DESTROYED, group_id=gid, user_id=doomed.id,
                          actor_id=doomed.id) in \
            events(messages, "MSG_TYPE_LEAVE_GROUP", GroupEvent)

    await running_node.settle()
    await eventually(told)
    assert_error(await member.call("GET", f"/v1/groups/{gid}"), 404, "NOT_FOUND", "group_id")


@pytest.mark.single_node  # reads the node's blob folder
async def test_an_upload_cut_off_midway_leaves_nothing(running_node: RunningNode) -> None:
    http = running_node.http
    account = await new_account(http)
    host, port = running_node.endpoints.http.removeprefix("http://").rsplit(":", 1)
    _, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"POST /v1/files?kind=MSG_TYPE_FILE HTTP/1.1\r\nhost: {host}\r\n"
                 f"authorization: Bearer {account.token}\r\ncontent-type: text/plain\r\n"
                 "content-length: 1000000\r\n\r\n".encode() + b"x" * 300_000)
    await writer.drain()
    storage = running_node.node.storage
    assert storage is not None
    root = storage.blobs.root  # type: ignore[attr-defined]
    for _ in range(200):  # the upload is under way once its temporary file exists
        if any(root.rglob("*.tmp")):
            break
        await asyncio.sleep(0.02)
    assert any(root.rglob("*.tmp"))
    writer.close()
    await writer.wait_closed()

    async def cleaned() -> bool:
        return not any(p.is_file() for p in root.rglob("*"))

    await eventually(cleaned)
    listing = await http.get("/v1/files", headers=account.auth)
    assert listing.json().get("files", []) == [] and "usedBytes" not in listing.json()


async def test_uploads_in_flight_together_cannot_pass_the_quota(
        limited_node_factory: Callable[..., AbstractAsyncContextManager[RunningNode]]) -> None:
    async with limited_node_factory(**{"limits.upload_quota_bytes": 10_000,
                                       "limits.max_file_bytes": 6_000}) as running:
        http = running.http
        account = await new_account(http)
        release = asyncio.Event()

        async def slow() -> AsyncIterator[bytes]:
            yield b"x" * 3_000
            await release.wait()
            yield b"y" * 3_000

        # Both start with the whole quota free; only one may end inside it.
        both = [asyncio.create_task(http.post(
            "/v1/files", params={"kind": "MSG_TYPE_FILE"}, content=slow(),
            headers={**account.auth, "content-type": "text/plain"})) for _ in range(2)]
        storage = running.node.storage
        assert storage is not None
        root = storage.blobs.root  # type: ignore[attr-defined]
        for _ in range(200):
            if len(list(root.rglob("*.tmp"))) == 2:
                break
            await asyncio.sleep(0.02)
        assert len(list(root.rglob("*.tmp"))) == 2
        release.set()
        statuses = sorted([(await task).status_code for task in both])
        assert statuses == [200, 413]
        assert await storage.uploads.usage(account.user_id) == 6_000


async def test_deleting_ones_avatar_file_clears_the_avatar(running_node: RunningNode) -> None:
    http = running_node.http
    me = User(await new_account(http, "me"), http)
    avatar = await uploaded(http, me.account, b"face", "image/png")
    other = await uploaded(http, me.account, b"other", "image/png")
    assert (await me.ok("PATCH", "/v1/users/me", {"avatar": avatar}))["avatar"] == avatar
    await me.ok("DELETE", f"/v1/files/{other}")
    assert (await me.ok("GET", "/v1/users/me"))["avatar"] == avatar
    await me.ok("DELETE", f"/v1/files/{avatar}")
    assert (await me.ok("GET", "/v1/users/me")).get("avatar", "") == ""
