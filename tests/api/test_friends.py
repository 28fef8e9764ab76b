"""FriendService over real HTTP on both backends: requests and their 7-day expiry, answers,
the friend list with each side's own settings, relationships and blocks; every change the
other user should know about is stored as a business message in their conversation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from prim.generated.prim.v1 import FriendEvent, FriendEventKind, RelationshipEvent
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.models import FRIEND_REQUEST_TTL_MS, GROUP_ID_BASE
from prim.services.node import Node
from tests.api.accounts_helpers import assert_error
from tests.api.conftest import Backend, RunningNode, node_config
from tests.api.declared_errors import EVENT_HOOKS
from tests.api.social_helpers import Json, befriend, events, history, payload, users

pytestmark = pytest.mark.anyio


def friend_events(messages: list[Json]) -> list[FriendEvent]:
    """AddFriend and RemoveFriend payloads, in the order of ``messages``."""
    kinds = ("MSG_TYPE_ADD_FRIEND", "MSG_TYPE_REMOVE_FRIEND")
    return [payload(m, FriendEvent) for m in messages if m["type"] in kinds]


async def test_request_and_accept(running_node: RunningNode) -> None:
    a, b = await users(running_node, 2)
    sent = await a.ok("POST", "/v1/friend-requests",
                      {"user_id": str(b.id), "message": "hi, it's A", "remark": "Bee"})
    assert (sent["requesterId"], sent["targetId"]) == (str(a.id), str(b.id))
    assert sent["message"] == "hi, it's A" and sent["state"] == "FRIEND_REQUEST_STATE_PENDING"
    assert int(sent["expiresAtMs"]) - int(sent["createdAtMs"]) == FRIEND_REQUEST_TTL_MS

    incoming = await b.ok("GET", "/v1/friend-requests",
                          params={"direction": "REQUEST_DIRECTION_INCOMING"})
    assert incoming["requests"] == [sent]
    outgoing = await a.ok("GET", "/v1/friend-requests",
                          params={"direction": "REQUEST_DIRECTION_OUTGOING"})
    assert outgoing["requests"] == [sent]
    assert await a.ok("GET", "/v1/friend-requests",
                      params={"direction": "REQUEST_DIRECTION_INCOMING"}) == {}
    relation = await b.ok("GET", f"/v1/friends/{a.id}")
    assert relation == {"userId": str(a.id), "pendingRequest": sent}

    # The target hears of it at once: an AddFriend/REQUESTED in their conversation.
    [requested] = friend_events(await history(b, a.id))
    assert requested == FriendEvent(kind=FriendEventKind.REQUESTED, requester_id=a.id,
                                    target_id=b.id, message="hi, it's A",
                                    expires_at_ms=int(sent["expiresAtMs"]))

    # The answer is the request, decided (as Reject's is); the friendship is B's to read.
    answer = await b.ok("POST", f"/v1/friend-requests/{a.id}/accept", {"remark": "Ay"})
    assert answer == {**sent, "state": "FRIEND_REQUEST_STATE_ACCEPTED"}
    mine = (await b.ok("GET", f"/v1/friends/{a.id}"))["friend"]
    assert mine["userId"] == str(a.id) and mine["remark"] == "Ay"
    assert mine["status"] == "FRIEND_STATUS_NORMAL"
    theirs = await a.ok("GET", "/v1/friends")
    assert [(f["userId"], f["remark"]) for f in theirs["friends"]] == [(str(b.id), "Bee")]
    relation = await a.ok("GET", f"/v1/friends/{b.id}")
    assert relation["isFriend"] is True and relation["friend"]["remark"] == "Bee"
    assert "pendingRequest" not in relation
    assert await b.ok("GET", "/v1/friend-requests") == {}

    # The requester hears the answer; both events are in order in the channel.
    got = friend_events(await history(a, b.id, direction="DIRECTION_FORWARD"))
    assert [e.kind for e in got] == [FriendEventKind.REQUESTED, FriendEventKind.ACCEPTED]
    assert (got[1].requester_id, got[1].target_id) == (a.id, b.id)
    inbox = await a.ok("GET", "/v1/inbox")
    assert [e["peerId"] for e in inbox["entries"]] == [str(b.id)]


async def test_send_friend_request_refusals(running_node: RunningNode) -> None:
    a, b, c = await users(running_node, 3)
    path = "/v1/friend-requests"
    assert_error(await a.call("POST", path, {}), 400, "INVALID_ARGUMENT", "user_id")
    assert_error(await a.call("POST", path, {"user_id": str(a.id)}),
                 400, "INVALID_ARGUMENT", "user_id")
    assert_error(await a.call("POST", path, {"user_id": str(GROUP_ID_BASE)}),
                 400, "INVALID_ARGUMENT", "user_id")
    assert_error(await a.call("POST", path, {"user_id": "99999"}), 404, "NOT_FOUND", "user_id")
    assert_error(await a.call("POST", path, {"user_id": str(b.id), "message": "x" * 501}),
                 400, "INVALID_ARGUMENT", "message")
    assert_error(await a.call("POST", path, {"user_id": str(b.id), "remark": "x" * 65}),
                 400, "INVALID_ARGUMENT", "remark")
    assert_error(await a.call("POST", path, {"user_id": str(b.id), "remark": "tab\there"}),
                 400, "INVALID_ARGUMENT", "remark")

    await a.ok("POST", path, {"user_id": str(b.id)})
    assert_error(await a.call("POST", path, {"user_id": str(b.id)}),
                 409, "ALREADY_EXISTS", "user_id")
    assert_error(await b.call("POST", path, {"user_id": str(a.id)}),
                 409, "ALREADY_EXISTS", "user_id")
    await b.ok("POST", f"/v1/friend-requests/{a.id}/accept", {})
    assert_error(await a.call("POST", path, {"user_id": str(b.id)}),
                 409, "ALREADY_EXISTS", "user_id")

    await c.ok("PUT", f"/v1/blocks/{a.id}", {})
    assert_error(await a.call("POST", path, {"user_id": str(c.id)}), 403, "BLOCKED", "user_id")
    assert_error(await c.call("POST", path, {"user_id": str(a.id)}),
                 409, "FAILED_PRECONDITION", "user_id")
    # Nothing was created by the refusals.
    assert await c.ok("GET", path) == {}
    assert friend_events(await history(c, a.id)) == []


async def test_reject(running_node: RunningNode) -> None:
    a, b = await users(running_node, 2)
    sent = await a.ok("POST", "/v1/friend-requests", {"user_id": str(b.id)})
    assert await b.ok("POST", f"/v1/friend-requests/{a.id}/reject",
                      {"reason": "don't know you"}) == {**sent,
                                                        "state": "FRIEND_REQUEST_STATE_REJECTED"}
    assert await b.ok("GET", f"/v1/friends/{a.id}") == {"userId": str(a.id)}
    assert await a.ok("GET", "/v1/friends") == {}
    got = friend_events(await history(a, b.id, direction="DIRECTION_FORWARD"))
    assert [(e.kind, e.message) for e in got] == [(FriendEventKind.REQUESTED, ""),
                                                  (FriendEventKind.REJECTED, "don't know you")]

    accept, reject = f"/v1/friend-requests/{a.id}/accept", f"/v1/friend-requests/{a.id}/reject"
    assert_error(await b.call("POST", accept, {}), 409, "FAILED_PRECONDITION", "requester_id")
    assert_error(await b.call("POST", reject, {}), 409, "FAILED_PRECONDITION", "requester_id")
    assert_error(await a.call("POST", f"/v1/friend-requests/{b.id}/accept", {}),
                 404, "NOT_FOUND", "requester_id")
    assert_error(await b.call("POST", f"/v1/friend-requests/{b.id}/reject", {}),
                 400, "INVALID_ARGUMENT", "requester_id")
    assert_error(await b.call("POST", reject, {"reason": "x" * 501}),
                 400, "INVALID_ARGUMENT", "reason")
    # A rejected requester may ask again, and this time be accepted.
    await a.ok("POST", "/v1/friend-requests", {"user_id": str(b.id)})
    await b.ok("POST", accept, {})
    assert (await a.ok("GET", f"/v1/friends/{b.id}"))["isFriend"] is True


class FakeClock:
    def __init__(self) -> None:
        self.now = wall_clock_ms()

    def __call__(self) -> int:
        return self.now


@pytest.fixture
async def clocked(backend: Backend, tmp_path: Path) -> AsyncIterator[tuple[RunningNode,
                                                                         FakeClock]]:
    clock = FakeClock()
    # Sessions outlive the requests' seven days.
    node = Node(node_config(tmp_path, backend, **{"auth.token_ttl_seconds": 30 * 24 * 3600}),
                clock=clock)
    endpoints = await node.start()
    try:
        async with httpx.AsyncClient(base_url=endpoints.http, timeout=30,
                                     event_hooks=EVENT_HOOKS) as http:
            yield RunningNode(node, endpoints, http, backend.name), clock
    finally:
        await node.stop()


async def test_requests_expire_after_seven_days(
        clocked: tuple[RunningNode, FakeClock]) -> None:
    node, clock = clocked
    a, b, c = await users(node, 3)
    await a.ok("POST", "/v1/friend-requests", {"user_id": str(b.id)})
    await c.ok("POST", "/v1/friend-requests", {"user_id": str(b.id)})
    clock.now += FRIEND_REQUEST_TTL_MS - 1
    assert len((await b.ok("GET", "/v1/friend-requests"))["requests"]) == 2
    await b.ok("POST", f"/v1/friend-requests/{c.id}/accept", {})  # still in time
    clock.now += 1
    assert await b.ok("GET", "/v1/friend-requests") == {}
    assert "pendingRequest" not in await b.ok("GET", f"/v1/friends/{a.id}")
    assert_error(await b.call("POST", f"/v1/friend-requests/{a.id}/accept", {}),
                 410, "EXPIRED", "requester_id")
    assert_error(await b.call("POST", f"/v1/friend-requests/{a.id}/reject", {}),
                 410, "EXPIRED", "requester_id")
    assert (await b.ok("GET", f"/v1/friends/{a.id}")).get("isFriend") is None
    # A lapsed request does not block a new one.
    await a.ok("POST", "/v1/friend-requests", {"user_id": str(b.id)})
    await b.ok("POST", f"/v1/friend-requests/{a.id}/accept", {})
    friends = await b.ok("GET", "/v1/friends")
    assert sorted(int(f["userId"]) for f in friends["friends"]) == sorted([a.id, c.id])


async def test_listing_pages(running_node: RunningNode) -> None:
    b, *others = await users(running_node, 6)
    for user in others[:3]:
        await user.ok("POST", "/v1/friend-requests", {"user_id": str(b.id)})
    for user in others[3:]:
        await b.ok("POST", "/v1/friend-requests", {"user_id": str(user.id)})

    async def pages(params: dict[str, object]) -> list[list[tuple[str, str]]]:
        out, token = [], ""
        while True:
            data = await b.ok("GET", "/v1/friend-requests",
                              params={**params, "page_size": 2, "page_token": token})
            out.append([(r["requesterId"], r["targetId"]) for r in data.get("requests", [])])
            token = data.get("nextPageToken", "")
            if not token:
                return out

    ids = [str(u.id) for u in others]
    both = await pages({})
    assert [p for page in both for p in page] == (
        [(i, str(b.id)) for i in ids[:3]] + [(str(b.id), i) for i in ids[3:]])
    assert all(len(page) <= 2 for page in both)
    incoming = await pages({"direction": "REQUEST_DIRECTION_INCOMING"})
    assert incoming == [[(ids[0], str(b.id)), (ids[1], str(b.id))], [(ids[2], str(b.id))]]

    for user in others[:3]:
        await b.ok("POST", f"/v1/friend-requests/{user.id}/accept", {})
    await b.ok("PATCH", f"/v1/friends/{others[1].id}", {"classification": "work"})
    await b.ok("PATCH", f"/v1/friends/{others[2].id}", {"classification": "work"})
    first = await b.ok("GET", "/v1/friends", params={"page_size": 2})
    assert [f["userId"] for f in first["friends"]] == ids[:2]
    rest = await b.ok("GET", "/v1/friends",
                      params={"page_size": 2, "page_token": first["nextPageToken"]})
    assert [f["userId"] for f in rest["friends"]] == ids[2:3] and "nextPageToken" not in rest
    work = await b.ok("GET", "/v1/friends", params={"classification": "work"})
    assert [f["userId"] for f in work["friends"]] == ids[1:3]

    for path in ("/v1/friends", "/v1/friend-requests"):
        assert_error(await b.call("GET", path, params={"page_token": "garbage!"}),
                     400, "INVALID_ARGUMENT", "page_token")
        assert_error(await b.call("GET", path, params={"page_size": 201}),
                     400, "INVALID_ARGUMENT", "page_size")
    # A token of the two-part listing is not one of the one-part listing.
    assert_error(await b.call("GET", "/v1/friend-requests", params={
        "direction": "REQUEST_DIRECTION_INCOMING", "page_token": "MTo1"}),
        400, "INVALID_ARGUMENT", "page_token")


async def test_update_friend_changes_only_the_callers_side(running_node: RunningNode) -> None:
    a, b, c = await users(running_node, 3)
    await befriend(a, b)
    path = f"/v1/friends/{b.id}"
    updated = await a.ok("PATCH", path, {"remark": "Bob", "status": "FRIEND_STATUS_SPECIAL",
                                         "classification": "family",
                                         "tags": {"tags": ["x", "y"]}})
    assert updated == {"userId": str(b.id), "remark": "Bob", "status": "FRIEND_STATUS_SPECIAL",
                       "classification": "family", "tags": ["x", "y"],
                       "sinceMs": updated["sinceMs"]}
    # Absent fields stay; tags are replaced as a whole.
    again = await a.ok("PATCH", path, {"tags": {"tags": []}})
    assert again["remark"] == "Bob" and "tags" not in again
    theirs = await b.ok("GET", f"/v1/friends/{a.id}")
    assert theirs["friend"] == {"userId": str(a.id), "status": "FRIEND_STATUS_NORMAL",
                                "sinceMs": updated["sinceMs"]}

    assert_error(await a.call("PATCH", path, {"status": "FRIEND_STATUS_UNSPECIFIED"}),
                 400, "INVALID_ARGUMENT", "status")
    assert_error(await a.call("PATCH", path, {"remark": "r" * 65}),
                 400, "INVALID_ARGUMENT", "remark")
    assert_error(await a.call("PATCH", path, {"tags": {"tags": ["t", " t "]}}),
                 400, "INVALID_ARGUMENT", "tags.tags")  # the same tag once trimmed
    # The spec's max_items: the binding names the field by its proto path.
    assert_error(await a.call("PATCH", path, {"tags": {"tags": [str(i) for i in range(33)]}}),
                 400, "INVALID_ARGUMENT", "tags.tags")
    assert_error(await a.call("PATCH", f"/v1/friends/{c.id}", {"remark": "x"}),
                 404, "NOT_FOUND", "user_id")
    assert (await a.ok("GET", path))["friend"]["remark"] == "Bob"


async def test_delete_friend(running_node: RunningNode) -> None:
    a, b = await users(running_node, 2)
    await befriend(a, b)
    assert await a.ok("DELETE", f"/v1/friends/{b.id}") == {}
    assert await a.ok("GET", "/v1/friends") == {}
    assert await b.ok("GET", "/v1/friends") == {}
    got = friend_events(await history(b, a.id))  # newest first
    assert got[0] == FriendEvent(kind=FriendEventKind.REMOVED, requester_id=a.id,
                                  target_id=b.id)
    assert_error(await b.call("DELETE", f"/v1/friends/{a.id}"), 404, "NOT_FOUND", "user_id")
    assert_error(await b.call("DELETE", f"/v1/friends/{b.id}"),
                 400, "INVALID_ARGUMENT", "user_id")


async def test_block_and_unblock(running_node: RunningNode) -> None:
    a, b = await users(running_node, 2)
    await b.ok("POST", "/v1/friend-requests", {"user_id": str(a.id)})
    blocked = await a.ok("PUT", f"/v1/blocks/{b.id}", {})
    assert blocked == {"userId": str(b.id), "blocking": True}  # b's request went with it
    assert await a.ok("PUT", f"/v1/blocks/{b.id}", {}) == blocked  # idempotent
    assert await b.ok("GET", f"/v1/friends/{a.id}") == {"userId": str(a.id), "blockedBy": True}
    assert_error(await b.call("POST", "/v1/friend-requests", {"user_id": str(a.id)}),
                 403, "BLOCKED", "user_id")
    assert await a.ok("GET", "/v1/friend-requests") == {}

    unblocked = await a.ok("DELETE", f"/v1/blocks/{b.id}")
    assert unblocked == {"userId": str(b.id)}
    assert await a.ok("DELETE", f"/v1/blocks/{b.id}") == unblocked
    # One SetRelationship per change, none for the repeated calls.
    got = events(await history(b, a.id, direction="DIRECTION_FORWARD"),
                 "MSG_TYPE_SET_RELATIONSHIP", RelationshipEvent)
    assert got == [RelationshipEvent(user_id=a.id, blocked=True),
                   RelationshipEvent(user_id=a.id, blocked=False)]
    await b.ok("POST", "/v1/friend-requests", {"user_id": str(a.id)})

    for verb in ("PUT", "DELETE"):
        body: Json | None = {} if verb == "PUT" else None
        assert_error(await a.call(verb, "/v1/blocks/99999", body), 404, "NOT_FOUND", "user_id")
        assert_error(await a.call(verb, f"/v1/blocks/{a.id}", body),
                     400, "INVALID_ARGUMENT", "user_id")
    assert_error(await a.call("GET", "/v1/friends/99999"), 404, "NOT_FOUND", "user_id")
    assert_error(await a.call("GET", f"/v1/friends/{a.id}"), 400, "INVALID_ARGUMENT", "user_id")


async def test_user_a_cannot_answer_requests_made_to_b(running_node: RunningNode) -> None:
    a, b, c = await users(running_node, 3)
    await a.ok("POST", "/v1/friend-requests", {"user_id": str(b.id)})
    for verb in ("accept", "reject"):
        assert_error(await c.call("POST", f"/v1/friend-requests/{a.id}/{verb}", {}),
                     404, "NOT_FOUND", "requester_id")
    assert len((await b.ok("GET", "/v1/friend-requests"))["requests"]) == 1
    assert await c.ok("GET", "/v1/friends") == {}

