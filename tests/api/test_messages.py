"""MessageService over real HTTP on both backends, with messages sent over the real wire
(QUIC): history pages in both directions within bounds, the inbox with read markers,
forward-only markers, and edit / withdraw that follow the wire's rules and reach the other
side's connected devices live."""

from __future__ import annotations

import asyncio
import base64

import pytest

from prim.generated.prim.v1 import EditPayload, MsgType, ReadReceiptPayload, WithdrawPayload
from prim.runtime.storage.ports import OnlineState
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.frame import Frame
from tests.api.accounts_helpers import assert_error, dial
from tests.api.conftest import RunningNode
from tests.api.social_helpers import (
    Json,
    befriend,
    eventually,
    history,
    make_group,
    payload,
    send_texts,
    users,
)
from tests.message.wire_users import next_frame, nothing_arrives

pytestmark = pytest.mark.anyio


def seqnums(messages: list[Json]) -> list[int]:
    return [int(m["seqnum"]) for m in messages]


def body(message: Json) -> bytes:
    return base64.b64decode(message.get("payload", ""))


async def test_history_pages_both_ways(running_node: RunningNode) -> None:
    a, b = await users(running_node, 2)
    await befriend(a, b)  # seqnums 1 and 2: the AddFriend events
    sent = await send_texts(running_node, a, b.id, "m3", "m4", "m5", "m6", "m7")
    assert sent == [3, 4, 5, 6, 7]
    path = f"/v1/conversations/{a.id}/messages"

    newest_first = await history(b, a.id)
    assert seqnums(newest_first) == [7, 6, 5, 4, 3, 2, 1]
    text = newest_first[0]
    assert (text["sender"], text["receiver"], text["type"]) == (
        str(a.id), str(b.id), "MSG_TYPE_TEXT")
    assert body(text) == b"m7" and int(text["timestampMs"]) > 0
    assert "editedAtMs" not in text and "withdrawn" not in text

    async def walk(**params: object) -> list[list[int]]:
        """Every page, following next_page_token until it is empty."""
        pages: list[list[int]] = []
        token = ""
        while len(pages) < 20:
            data = await b.ok("GET", path, params={**params, "page_token": token})
            pages.append(seqnums(data.get("messages", [])))
            token = data.get("nextPageToken", "")
            if not token:
                return pages
        raise AssertionError(f"paging does not end: {pages}")

    # The last page has no token: reading newest-first to the oldest message ends there
    # instead of starting over (the 0 that once meant both "exhausted" and "newest").
    assert await walk(page_size=2) == [[7, 6], [5, 4], [3, 2], [1]]
    assert await walk(page_size=7) == [[7, 6, 5, 4, 3, 2, 1]]
    assert await walk(page_size=2, from_seqnum=5) == [[5, 4], [3, 2], [1]]
    assert await walk(page_size=2, from_seqnum=2) == [[2, 1]]
    assert await walk(page_size=5, from_seqnum=7, to_seqnum=6) == [[7, 6]]
    assert await walk(direction="DIRECTION_BACKWARD", page_size=3, from_seqnum=99) == [
        [7, 6, 5], [4, 3, 2], [1]]
    forward = "DIRECTION_FORWARD"
    assert await walk(direction=forward, page_size=2) == [[1, 2], [3, 4], [5, 6], [7]]
    assert await walk(direction=forward, page_size=2, from_seqnum=6) == [[6, 7]]
    assert await walk(direction=forward, from_seqnum=2, to_seqnum=4) == [[2, 3, 4]]
    # Later pages keep to_seqnum: the token only moves the start.
    assert await walk(direction=forward, page_size=1, from_seqnum=2, to_seqnum=4) == [
        [2], [3], [4]]
    assert await walk(direction=forward, from_seqnum=8) == [[]]
    # The same conversation read from the other side.
    assert seqnums(await history(a, b.id, direction=forward)) == [1, 2, 3, 4, 5, 6, 7]

    # The page size's maximum is the spec's (prim.v1.rules), refused by the binding.
    assert_error(await b.call("GET", path, params={"page_size": 201}),
                 400, "INVALID_ARGUMENT", "page_size")
    assert_error(await b.call("GET", path, params={"page_token": "not-a-token"}),
                 400, "INVALID_ARGUMENT", "page_token")
    assert_error(await b.call("GET", path, params={"direction": forward, "from_seqnum": 5,
                                                   "to_seqnum": 4}),
                 400, "INVALID_ARGUMENT", "to_seqnum")
    assert_error(await b.call("GET", path, params={"from_seqnum": 4, "to_seqnum": 5}),
                 400, "INVALID_ARGUMENT", "to_seqnum")
    # One's own id names one's notification stream (empty: no group notices yet).
    assert await b.ok("GET", f"/v1/conversations/{b.id}/messages") == {}
    assert_error(await b.call("GET", "/v1/conversations/0/messages"),
                 400, "INVALID_ARGUMENT", "peer_id")
    assert_error(await b.call("GET", f"/v1/conversations/{(1 << 64) - 1}/messages"),
                 400, "INVALID_ARGUMENT", "peer_id")
    assert_error(await b.call("GET", path, params={"from_seqnum": 1 << 50}),
                 400, "INVALID_ARGUMENT", "from_seqnum")
    assert_error(await b.call("PUT", f"/v1/conversations/{a.id}/read-marker",
                              {"seqnum": str(1 << 63)}), 400, "INVALID_ARGUMENT", "seqnum")


async def test_inbox_and_read_markers(running_node: RunningNode) -> None:
    a, b, c = await users(running_node, 3)
    await befriend(a, b)
    await befriend(c, b)
    await send_texts(running_node, c, b.id, "old news")
    # b's device comes online and leaves: its last-online time is what since_ms=0 means.
    device = await dial(running_node.endpoints, b.account)
    await asyncio.sleep(0.05)
    await device.close()
    assert running_node.node.storage is not None
    online = running_node.node.storage.online
    await eventually(lambda: _has_last_online(online, b.id))
    await asyncio.sleep(0.01)
    await send_texts(running_node, a, b.id, "one", "two", "three")  # seqnums 3..5

    inbox = await b.ok("GET", "/v1/inbox")
    [entry] = inbox["entries"]
    # Three texts unread: the AddFriend events (seqnums 1, 2) are not content (#16).
    assert (entry["peerId"], entry["lastSeqnum"], entry["unreadCount"]) == (str(a.id), "5", "3")
    assert "isGroup" not in entry and "readSeqnum" not in entry
    assert body(entry["lastMessage"]) == b"three"
    everything = await b.ok("GET", "/v1/inbox", params={"since_ms": 1})
    assert [e["peerId"] for e in everything["entries"]] == [str(a.id), str(c.id)]
    assert await b.ok("GET", "/v1/inbox", params={"since_ms": 1 << 50}) == {}

    marker = f"/v1/conversations/{a.id}/read-marker"
    assert await b.ok("GET", marker) == {"peerId": str(a.id)}
    moved = await b.ok("PUT", marker, {"seqnum": "4"})
    assert moved["seqnum"] == "4" and int(moved["updatedAtMs"]) > 0
    # Forward only: an older seqnum leaves the marker; one past the end is clamped.
    assert (await b.ok("PUT", marker, {"seqnum": "2"}))["seqnum"] == "4"
    assert (await b.ok("PUT", marker, {"seqnum": "99"}))["seqnum"] == "5"
    assert await b.ok("GET", marker) == {"peerId": str(a.id), "seqnum": "5"}
    # The marker is b's own: a's side of the same conversation is untouched.
    assert await a.ok("GET", f"/v1/conversations/{b.id}/read-marker") == {"peerId": str(b.id)}
    await b.ok("PUT", marker, {"seqnum": "4"})
    entry = (await b.ok("GET", "/v1/inbox", params={"since_ms": 1}))["entries"][0]
    assert entry["readSeqnum"] == "5" and "unreadCount" not in entry  # 0 is left out
    # b's own notification stream has a marker too; nothing is stored there to mark yet.
    assert await b.ok("PUT", f"/v1/conversations/{b.id}/read-marker",
                      {"seqnum": "1"}) == {"peerId": str(b.id)}


async def _has_last_online(online: OnlineState, user_id: int) -> bool:
    return await online.get_last_online(user_id) is not None


async def test_group_history_inbox_and_markers(running_node: RunningNode) -> None:
    owner, member, outsider = await users(running_node, 3)
    gid = await make_group(owner, members=[member])  # seqnum 1: MEMBER_JOINED
    await send_texts(running_node, owner, gid, "hello group")
    assert seqnums(await history(member, gid)) == [2, 1]

    async def group_in_inbox() -> bool:
        entries = (await member.ok("GET", "/v1/inbox", params={"since_ms": 1})).get("entries", [])
        return any(e["peerId"] == str(gid) and e["lastSeqnum"] == "2" for e in entries)

    await eventually(group_in_inbox)  # recorded by the fan-out, off the sender's path
    [entry] = [e for e in (await member.ok("GET", "/v1/inbox", params={"since_ms": 1}))["entries"]
               if e["peerId"] == str(gid)]
    assert entry["isGroup"] is True and body(entry["lastMessage"]) == b"hello group"
    assert (await member.ok("PUT", f"/v1/conversations/{gid}/read-marker",
                            {"seqnum": "2"}))["seqnum"] == "2"

    await member.ok("DELETE", f"/v1/groups/{gid}/membership")
    entries = (await member.ok("GET", "/v1/inbox", params={"since_ms": 1})).get("entries", [])
    assert str(gid) not in [e["peerId"] for e in entries]
    for user in (member, outsider):
        assert_error(await user.call("GET", f"/v1/conversations/{gid}/messages"),
                     403, "PERMISSION_DENIED", "peer_id")
    assert_error(await owner.call("GET", f"/v1/conversations/{gid + 1}/messages"),
                 404, "NOT_FOUND", "peer_id")


async def _control_frame(client: Client, kind: int) -> Frame:
    while True:
        frame = await next_frame(client)
        if frame.type == kind:
            return frame


async def test_edit(running_node: RunningNode) -> None:
    a, b, c = await users(running_node, 3)
    await befriend(a, b)
    await befriend(a, c)
    [first, second] = await send_texts(running_node, a, b.id, "helo", "second")
    watcher = await dial(running_node.endpoints, b.account)
    try:
        path = f"/v1/conversations/{b.id}/messages/{first}"
        edited = await a.ok("PATCH", path, {"new_payload": base64.b64encode(b"hello").decode()})
        assert int(edited["seqnum"]) == first and body(edited) == b"hello"
        assert int(edited["editedAtMs"]) > 0
        # b's connected device learns live, and history holds the change and the Edit.
        live = await asyncio.wait_for(_control_frame(watcher, MsgType.EDIT), 5)
        assert (live.sender, live.receiver) == (a.id, b.id)
        assert EditPayload.parse(live.payload) == EditPayload(target_seqnum=first,
                                                              new_payload=b"hello")
    finally:
        await watcher.close()
    newest = await history(b, a.id)
    assert newest[0]["type"] == "MSG_TYPE_EDIT" and int(newest[0]["seqnum"]) == live.seqnum
    assert payload(newest[0], EditPayload).target_seqnum == first
    target = next(m for m in newest if int(m["seqnum"]) == first)
    assert body(target) == b"hello" and target["editedAtMs"] == edited["editedAtMs"]

    def edit(seqnum: int, new: bytes = b"x", peer: int = b.id) -> tuple[str, Json]:
        return (f"/v1/conversations/{peer}/messages/{seqnum}",
                {"new_payload": base64.b64encode(new).decode()})

    assert_error(await b.call("PATCH", *edit(second, peer=a.id)),
                 403, "PERMISSION_DENIED", "seqnum")
    assert_error(await a.call("PATCH", *edit(99)), 404, "NOT_FOUND", "seqnum")
    assert_error(await a.call("PATCH", *edit(1)), 404, "NOT_FOUND", "seqnum")  # AddFriend
    assert_error(await a.call("PATCH", *edit(0)), 400, "INVALID_ARGUMENT", "seqnum")
    assert_error(await a.call("PATCH", *edit(second, b"")), 400, "INVALID_ARGUMENT",
                 "new_payload")
    # The content rule of a fresh Text: valid UTF-8 (services/message/changes.py).
    assert_error(await a.call("PATCH", *edit(second, b"\xff\xfe")), 400, "INVALID_ARGUMENT",
                 "new_payload")
    assert_error(await a.call("PATCH", *edit(second, b"x" * 16_384)),
                 413, "PAYLOAD_TOO_LARGE", "new_payload")
    # Message `second` lives in a-b, not in a-c.
    assert_error(await a.call("PATCH", *edit(second, peer=c.id)), 404, "NOT_FOUND", "seqnum")
    # Only friends write: after a block or an unfriending the author cannot edit either.
    await b.ok("PUT", f"/v1/blocks/{a.id}", {})
    assert_error(await a.call("PATCH", *edit(second)), 403, "BLOCKED", "peer_id")
    await b.ok("DELETE", f"/v1/blocks/{a.id}")
    await b.ok("DELETE", f"/v1/friends/{a.id}")
    assert_error(await a.call("PATCH", *edit(second)), 403, "PERMISSION_DENIED", "peer_id")
    assert body(next(m for m in await history(a, b.id) if int(m["seqnum"]) == second)) == (
        b"second")


async def test_withdraw(running_node: RunningNode) -> None:
    a, b = await users(running_node, 2)
    await befriend(a, b)
    [mine] = await send_texts(running_node, a, b.id, "oops")
    [theirs] = await send_texts(running_node, b, a.id, "keep")
    path = f"/v1/conversations/{b.id}/messages"
    assert_error(await a.call("DELETE", f"{path}/{theirs}"), 403, "PERMISSION_DENIED", "seqnum")
    gone = await a.ok("DELETE", f"{path}/{mine}")
    assert gone["withdrawn"] is True and "payload" not in gone
    newest = await history(b, a.id)
    assert newest[0]["type"] == "MSG_TYPE_WITHDRAW"
    assert payload(newest[0], WithdrawPayload).target_seqnum == mine
    target = next(m for m in newest if int(m["seqnum"]) == mine)
    assert target["withdrawn"] is True and body(target) == b""
    assert_error(await a.call("DELETE", f"{path}/{mine}"), 409, "FAILED_PRECONDITION", "seqnum")
    assert_error(await a.call("PATCH", f"{path}/{mine}",
                              {"new_payload": base64.b64encode(b"x").decode()}),
                 409, "FAILED_PRECONDITION", "seqnum")
    assert body(next(m for m in newest if int(m["seqnum"]) == theirs)) == b"keep"


async def test_group_admin_withdraws_a_members_message(running_node: RunningNode) -> None:
    owner, admin, m1, m2 = await users(running_node, 4)
    gid = await make_group(owner, members=[m1, m2], admins=[admin])
    [spam] = await send_texts(running_node, m1, gid, "spam")
    path = f"/v1/conversations/{gid}/messages/{spam}"
    assert_error(await m2.call("DELETE", path), 403, "PERMISSION_DENIED", "seqnum")
    assert_error(await m2.call("PATCH", path, {"new_payload": "eA=="}),
                 403, "PERMISSION_DENIED", "seqnum")
    assert_error(await admin.call("PATCH", path, {"new_payload": "eA=="}),
                 403, "PERMISSION_DENIED", "seqnum")  # nobody edits another's words
    withdrawn = await admin.ok("DELETE", path)
    assert withdrawn["withdrawn"] is True and withdrawn["sender"] == str(m1.id)
    newest = await history(m2, gid)
    assert (newest[0]["type"], newest[0]["sender"]) == ("MSG_TYPE_WITHDRAW", str(admin.id))


async def test_http_read_marker_reaches_the_peer_live(running_node: RunningNode) -> None:
    a, b = await users(running_node, 2)
    await befriend(a, b)
    await send_texts(running_node, a, b.id, "read me")
    a_live = await dial(running_node.endpoints, a.account)
    try:
        seqnum = (await b.ok("PUT", f"/v1/conversations/{a.id}/read-marker",
                             {"seqnum": "99"}))["seqnum"]
        receipt = await next_frame(a_live)
        assert (receipt.type, receipt.sender, receipt.receiver) == (
            MsgType.READ_RECEIPT, b.id, a.id)
        assert ReadReceiptPayload.parse(receipt.payload).seqnum == int(seqnum)
        # Not moving the marker tells nobody anything.
        await b.ok("PUT", f"/v1/conversations/{a.id}/read-marker", {"seqnum": "1"})
        with pytest.raises(TimeoutError):
            await next_frame(a_live, timeout=0.3)
    finally:
        await a_live.close()


async def test_set_read_marker_follows_the_write_rules(running_node: RunningNode) -> None:
    """SetReadMarker is a ReadReceipt over HTTP (#10): refused towards a stranger or a
    peer who blocked the reader; the blocker's own marker moves without telling the peer."""
    a, b, stranger = await users(running_node, 3)
    await befriend(a, b)
    [seqnum] = await send_texts(running_node, a, b.id, "hello")
    await running_node.settle()
    assert_error(await stranger.call("PUT", f"/v1/conversations/{a.id}/read-marker",
                                     {"seqnum": "1"}), 403, "PERMISSION_DENIED", "peer_id")
    await a.ok("PUT", f"/v1/blocks/{b.id}", {})
    a_device = await dial(running_node.endpoints, a.account)
    b_device = await dial(running_node.endpoints, b.account)
    try:
        assert_error(await b.call("PUT", f"/v1/conversations/{a.id}/read-marker",
                                  {"seqnum": str(seqnum)}), 403, "BLOCKED", "peer_id")
        assert await a.ok("GET", f"/v1/conversations/{b.id}/read-marker") == {
            "peerId": str(b.id)}
        moved = await a.ok("PUT", f"/v1/conversations/{b.id}/read-marker",
                           {"seqnum": str(seqnum)})
        assert moved["seqnum"] == str(seqnum)
        own = await next_frame(a_device)  # the reader's own devices learn it
        assert own.type == MsgType.READ_RECEIPT and own.receiver == b.id
        assert await nothing_arrives(b_device)
    finally:
        await a_device.close()
        await b_device.close()
