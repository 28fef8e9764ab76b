"""GroupService over real HTTP on both backends: groups and their public card, joining by
password-checked request and an admin's decision, leaving, kicking, admin roles and
destruction; each event is stored as a business message where its audience reads it (the
group's channel, or the notification stream of the one user it is meant for: their channel
with themself, read with their own id as the peer)."""

from __future__ import annotations

import pytest

from prim.generated.prim.v1 import GroupEvent, GroupEventKind
from prim.runtime.storage.models import GROUP_ID_BASE
from prim.services.api.groups import JOIN_PASSWORD_ATTEMPTS
from tests.api.accounts_helpers import assert_error
from tests.api.conftest import RunningNode
from tests.api.social_helpers import Json, User, history, make_group, payload, users

pytestmark = pytest.mark.anyio

_GROUP_TYPES = ("MSG_TYPE_JOIN_GROUP", "MSG_TYPE_LEAVE_GROUP")


async def group_events(viewer: User, peer: int) -> list[tuple[str, GroupEvent]]:
    """(type, event) of the group events in viewer's conversation with peer, oldest first."""
    messages: list[Json] = await history(viewer, peer, direction="DIRECTION_FORWARD")
    return [(m["type"], payload(m, GroupEvent)) for m in messages if m["type"] in _GROUP_TYPES]


async def test_create_get_list_update(running_node: RunningNode) -> None:
    owner, admin, member, outsider = await users(running_node, 4)
    created = await owner.ok("POST", "/v1/groups", {"name": "  Hikers ", "join_password": "pw",
                                                    "announcement": "Sundays\n9am"})
    gid = int(created["groupId"])
    assert gid >= GROUP_ID_BASE
    assert created["ownerId"] == str(owner.id) and created["hasPassword"] is True
    assert created["name"] == "Hikers"  # trimmed
    assert created["memberCount"] == 1 and created["announcement"] == "Sundays\n9am"
    # Anyone signed in sees the public card; it never shows the password.
    assert await outsider.ok("GET", f"/v1/groups/{gid}") == created

    for bad in ("", "   ", "n" * 65, "bell\x07"):
        assert_error(await owner.call("POST", "/v1/groups", {"name": bad}),
                     400, "INVALID_ARGUMENT", "name")
    assert_error(await owner.call("POST", "/v1/groups", {"name": "g", "announcement": "a" * 2001}),
                 400, "INVALID_ARGUMENT", "announcement")
    assert_error(await owner.call("GET", f"/v1/groups/{GROUP_ID_BASE + 999}"),
                 404, "NOT_FOUND", "group_id")
    assert_error(await owner.call("GET", f"/v1/groups/{owner.id}"),
                 400, "INVALID_ARGUMENT", "group_id")
    for too_big in (1 << 46, (1 << 64) - 1):  # past the header's 46-bit receiver field
        assert_error(await owner.call("GET", f"/v1/groups/{too_big}"),
                     400, "INVALID_ARGUMENT", "group_id")

    others = [int((await owner.ok("POST", "/v1/groups", {"name": f"g{i}"}))["groupId"])
              for i in range(2)]
    first = await owner.ok("GET", "/v1/groups", params={"page_size": 2})
    assert [int(g["groupId"]) for g in first["groups"]] == [gid, others[0]]
    rest = await owner.ok("GET", "/v1/groups",
                          params={"page_size": 2, "page_token": first["nextPageToken"]})
    assert [int(g["groupId"]) for g in rest["groups"]] == others[1:]
    assert "nextPageToken" not in rest
    assert await outsider.ok("GET", "/v1/groups") == {}

    gid2 = await make_group(owner, members=[member], admins=[admin])
    path = f"/v1/groups/{gid2}"
    updated = await owner.ok("PATCH", path, {"name": "Renamed", "join_password": "secret"})
    assert updated["name"] == "Renamed" and updated["hasPassword"] is True
    assert updated["memberCount"] == 3
    updated = await admin.ok("PATCH", path, {"announcement": "hello", "join_password": ""})
    assert updated["name"] == "Renamed" and updated["announcement"] == "hello"
    assert "hasPassword" not in updated
    assert_error(await admin.call("PATCH", path, {"name": ""}), 400, "INVALID_ARGUMENT", "name")
    for user in (member, outsider):
        assert_error(await user.call("PATCH", path, {"name": "mine"}),
                     403, "PERMISSION_DENIED", "group_id")
    assert (await owner.ok("GET", path))["name"] == "Renamed"


async def test_join_by_request_with_password(running_node: RunningNode) -> None:
    owner, admin, applicant, other = await users(running_node, 4)
    gid = await make_group(owner, admins=[admin], password="open sesame")
    path = f"/v1/groups/{gid}/join-requests"

    assert_error(await applicant.call("POST", path, {"password": "wrong"}),
                 403, "PERMISSION_DENIED", "password")
    assert_error(await applicant.call("POST", path, {}), 403, "PERMISSION_DENIED", "password")
    asked = await applicant.ok("POST", path, {"password": "open sesame", "message": "hi!"})
    assert asked == {"groupId": str(gid), "userId": str(applicant.id), "message": "hi!",
                     "state": "JOIN_REQUEST_STATE_PENDING", "createdAtMs": asked["createdAtMs"]}
    assert_error(await applicant.call("POST", path, {"password": "open sesame"}),
                 409, "ALREADY_EXISTS", "group_id")
    # The owner and every admin are told, each in their own notification stream; nothing
    # lands in their conversation with the applicant, who is not shown the admins' notice.
    for boss in (owner, admin):
        assert (await group_events(boss, boss.id))[-1] == ("MSG_TYPE_JOIN_GROUP", GroupEvent(
            kind=GroupEventKind.JOIN_REQUESTED, group_id=gid, user_id=applicant.id,
            message="hi!"))
        assert await history(boss, applicant.id) == []
        assert await history(applicant, boss.id) == []
    assert await group_events(applicant, applicant.id) == []

    listed = await admin.ok("GET", path)
    assert listed["requests"] == [asked]
    assert_error(await applicant.call("GET", path), 403, "PERMISSION_DENIED", "group_id")

    # The answer is the request, decided (as Reject's is); the member is in ListMembers.
    answer = await admin.ok("POST", f"{path}/{applicant.id}/approve", {})
    assert answer == {**asked, "state": "JOIN_REQUEST_STATE_APPROVED"}
    members = (await admin.ok("GET", f"/v1/groups/{gid}/members"))["members"]
    [member] = [m for m in members if m["userId"] == str(applicant.id)]
    assert member["role"] == "GROUP_ROLE_MEMBER"
    assert await admin.ok("GET", path) == {}
    assert_error(await admin.call("POST", f"{path}/{applicant.id}/approve", {}),
                 404, "NOT_FOUND", "user_id")
    assert_error(await applicant.call("POST", path, {"password": "open sesame"}),
                 409, "ALREADY_EXISTS", "group_id")
    approved = GroupEvent(kind=GroupEventKind.JOIN_APPROVED, group_id=gid, user_id=applicant.id,
                          actor_id=admin.id)
    assert await group_events(applicant, applicant.id) == [("MSG_TYPE_JOIN_GROUP", approved)]
    joined = GroupEvent(kind=GroupEventKind.MEMBER_JOINED, group_id=gid, user_id=applicant.id,
                        actor_id=admin.id)
    assert (await group_events(applicant, gid))[-1] == ("MSG_TYPE_JOIN_GROUP", joined)
    assert (await owner.ok("GET", f"/v1/groups/{gid}"))["memberCount"] == 3

    # Rejection: nothing joins; the applicant hears why and may ask again.
    await other.ok("POST", path, {"password": "open sesame"})
    rejected = await owner.ok("POST", f"{path}/{other.id}/reject", {"reason": "full"})
    assert rejected["state"] == "JOIN_REQUEST_STATE_REJECTED"
    assert ("MSG_TYPE_JOIN_GROUP", GroupEvent(
        kind=GroupEventKind.JOIN_REJECTED, group_id=gid, user_id=other.id, actor_id=owner.id,
        message="full")) in await group_events(other, other.id)
    assert_error(await other.call("GET", f"/v1/groups/{gid}/members"),
                 403, "PERMISSION_DENIED", "group_id")
    assert_error(await owner.call("POST", f"{path}/{other.id}/reject", {}),
                 404, "NOT_FOUND", "user_id")
    assert_error(await owner.call("POST", f"{path}/{other.id}/reject", {"reason": "r" * 501}),
                 400, "INVALID_ARGUMENT", "reason")
    await other.ok("POST", path, {"password": "open sesame"})

    assert_error(await other.call("POST", f"/v1/groups/{GROUP_ID_BASE + 999}/join-requests",
                                  {}), 404, "NOT_FOUND", "group_id")


async def test_an_admin_who_blocked_the_applicant_is_not_told(
        running_node: RunningNode) -> None:
    owner, admin, applicant = await users(running_node, 3)
    gid = await make_group(owner, admins=[admin])
    await admin.ok("PUT", f"/v1/blocks/{applicant.id}", {})
    await applicant.ok("POST", f"/v1/groups/{gid}/join-requests", {"message": "me"})
    def about_applicant(events: list[tuple[str, GroupEvent]]) -> list[GroupEventKind]:
        return [e.kind for _, e in events if e.user_id == applicant.id]

    assert about_applicant(await group_events(owner, owner.id)) == [
        GroupEventKind.JOIN_REQUESTED]
    assert about_applicant(await group_events(admin, admin.id)) == []


async def test_notices_are_in_the_inbox_and_the_read_marker_moves(
        running_node: RunningNode) -> None:
    owner, applicant = await users(running_node, 2)
    gid = await make_group(owner)
    await applicant.ok("POST", f"/v1/groups/{gid}/join-requests", {})
    [notice] = await history(owner, owner.id)
    inbox = await owner.ok("GET", "/v1/inbox", params={"since_ms": 1})
    mine = [e for e in inbox["entries"] if e["peerId"] == str(owner.id)]
    assert [e["lastSeqnum"] for e in mine] == [notice["seqnum"]]
    marker = await owner.ok("PUT", f"/v1/conversations/{owner.id}/read-marker",
                            {"seqnum": notice["seqnum"]})
    assert marker["seqnum"] == notice["seqnum"]


async def test_join_password_guesses_are_limited(running_node: RunningNode) -> None:
    owner, guesser, other = await users(running_node, 3)
    gid = await make_group(owner, password="right")
    path = f"/v1/groups/{gid}/join-requests"
    for i in range(JOIN_PASSWORD_ATTEMPTS):
        assert_error(await guesser.call("POST", path, {"password": f"guess{i}"}),
                     403, "PERMISSION_DENIED", "password")
    # Even the right password waits now; other users are not held up.
    limited = await guesser.call("POST", path, {"password": "right"})
    body = assert_error(limited, 429, "RATE_LIMITED", "password")
    assert 0 < body["retryAfterMs"] <= int(limited.headers["retry-after"]) * 1000
    await other.ok("POST", path, {"password": "right"})
    assert [r["userId"] for r in (await owner.ok("GET", path))["requests"]] == [str(other.id)]


async def test_members_listing(running_node: RunningNode) -> None:
    owner, admin, m1, m2, outsider = await users(running_node, 5)
    gid = await make_group(owner, members=[m1, m2], admins=[admin])
    path = f"/v1/groups/{gid}/members"
    everyone = sorted([owner.id, admin.id, m1.id, m2.id])
    first = await m1.ok("GET", path, params={"page_size": 3})
    rest = await m1.ok("GET", path, params={"page_size": 3, "page_token": first["nextPageToken"]})
    assert [int(m["userId"]) for m in first["members"] + rest["members"]] == everyone
    assert "nextPageToken" not in rest
    admins = await m2.ok("GET", path, params={"role": "GROUP_ROLE_ADMIN"})
    assert [(m["userId"], m["role"]) for m in admins["members"]] == [
        (str(admin.id), "GROUP_ROLE_ADMIN")]
    owners = await m2.ok("GET", path, params={"role": "GROUP_ROLE_OWNER"})
    assert [m["userId"] for m in owners["members"]] == [str(owner.id)]
    assert_error(await outsider.call("GET", path), 403, "PERMISSION_DENIED", "group_id")
    assert_error(await m1.call("GET", path, params={"page_token": "%%%"}),
                 400, "INVALID_ARGUMENT", "page_token")
    assert_error(await m1.call("GET", path, params={"page_size": 500}),
                 400, "INVALID_ARGUMENT", "page_size")


async def test_leave(running_node: RunningNode) -> None:
    owner, member, outsider = await users(running_node, 3)
    gid = await make_group(owner, members=[member])
    path = f"/v1/groups/{gid}/membership"
    assert_error(await owner.call("DELETE", path), 409, "FAILED_PRECONDITION", "group_id")
    assert await member.ok("DELETE", path) == {}
    assert await member.ok("GET", "/v1/groups") == {}
    assert (await owner.ok("GET", f"/v1/groups/{gid}"))["memberCount"] == 1
    assert (await group_events(owner, gid))[-1] == ("MSG_TYPE_LEAVE_GROUP", GroupEvent(
        kind=GroupEventKind.MEMBER_LEFT, group_id=gid, user_id=member.id))
    assert_error(await member.call("DELETE", path), 404, "NOT_FOUND", "group_id")
    assert_error(await outsider.call("DELETE", path), 404, "NOT_FOUND", "group_id")


async def test_kick(running_node: RunningNode) -> None:
    owner, admin, admin2, m1, m2, outsider = await users(running_node, 6)
    gid = await make_group(owner, members=[m1, m2], admins=[admin, admin2])

    def kick(user: User) -> str:
        return f"/v1/groups/{gid}/members/{user.id}/kick"

    assert await admin.ok("POST", kick(m1), {"reason": "spam"}) == {}
    event = GroupEvent(kind=GroupEventKind.MEMBER_KICKED, group_id=gid, user_id=m1.id,
                       actor_id=admin.id, message="spam")
    # The kicked user hears it directly (they are no longer in the group's channel)...
    assert (await group_events(m1, m1.id))[-1] == ("MSG_TYPE_LEAVE_GROUP", event)
    # ...and the members in the group's channel.
    assert (await group_events(m2, gid))[-1] == ("MSG_TYPE_LEAVE_GROUP", event)
    assert_error(await m1.call("GET", f"/v1/groups/{gid}/members"),
                 403, "PERMISSION_DENIED", "group_id")

    assert_error(await admin.call("POST", kick(m1), {}), 404, "NOT_FOUND", "user_id")
    assert_error(await admin.call("POST", kick(admin), {}), 400, "INVALID_ARGUMENT", "user_id")
    assert_error(await admin.call("POST", kick(m2), {"reason": "r" * 501}),
                 400, "INVALID_ARGUMENT", "reason")
    assert_error(await admin.call("POST", kick(admin2), {}), 403, "PERMISSION_DENIED", "user_id")
    assert_error(await admin.call("POST", kick(owner), {}), 403, "PERMISSION_DENIED", "user_id")
    # The spec's rules come before the handler: naming oneself is refused for anyone,
    # with what to do instead.
    refused = assert_error(await m2.call("POST", kick(m2), {}), 400, "INVALID_ARGUMENT",
                           "user_id")
    assert refused["message"] == "user_id is your own id; use LeaveGroup to leave"
    assert_error(await m2.call("POST", kick(m1), {}), 403, "PERMISSION_DENIED", "group_id")
    assert_error(await outsider.call("POST", kick(m2), {}), 403, "PERMISSION_DENIED", "group_id")
    # The owner may remove an admin.
    assert await owner.ok("POST", kick(admin2), {}) == {}
    members = await owner.ok("GET", f"/v1/groups/{gid}/members")
    assert sorted(int(m["userId"]) for m in members["members"]) == sorted(
        [owner.id, admin.id, m2.id])


async def test_grant_and_revoke_admin(running_node: RunningNode) -> None:
    owner, admin, member, outsider = await users(running_node, 4)
    gid = await make_group(owner, members=[member], admins=[admin])

    def admins(user: User) -> str:
        return f"/v1/groups/{gid}/admins/{user.id}"

    granted = await owner.ok("PUT", admins(member), {})
    assert granted["userId"] == str(member.id) and granted["role"] == "GROUP_ROLE_ADMIN"
    assert_error(await owner.call("PUT", admins(member), {}), 409, "ALREADY_EXISTS", "user_id")
    revoked = await owner.ok("DELETE", admins(member))
    assert revoked["role"] == "GROUP_ROLE_MEMBER"
    assert_error(await owner.call("DELETE", admins(member)),
                 409, "FAILED_PRECONDITION", "user_id")
    got = await group_events(member, gid)
    assert got[-2:] == [
        ("MSG_TYPE_LEAVE_GROUP", GroupEvent(kind=GroupEventKind.ADMIN_GRANTED, group_id=gid,
                                            user_id=member.id, actor_id=owner.id)),
        ("MSG_TYPE_LEAVE_GROUP", GroupEvent(kind=GroupEventKind.ADMIN_REVOKED, group_id=gid,
                                            user_id=member.id, actor_id=owner.id))]

    assert_error(await owner.call("PUT", admins(outsider), {}), 404, "NOT_FOUND", "user_id")
    assert_error(await owner.call("PUT", admins(owner), {}), 400, "INVALID_ARGUMENT", "user_id")
    for caller in (admin, member, outsider):
        assert_error(await caller.call("PUT", admins(admin if caller is member else member), {}),
                     403, "PERMISSION_DENIED", "group_id")
        assert_error(await caller.call("DELETE", admins(member if caller is admin else admin)),
                     403, "PERMISSION_DENIED", "group_id")
    # Naming oneself breaks a rule of the spec, checked before the handler, for anyone.
    refused = assert_error(await admin.call("DELETE", admins(admin)), 400, "INVALID_ARGUMENT",
                           "user_id")
    assert refused["message"] == "user_id is your own id; the owner's role does not change"
    roles = await owner.ok("GET", f"/v1/groups/{gid}/members")
    assert {m["userId"]: m["role"] for m in roles["members"]} == {
        str(owner.id): "GROUP_ROLE_OWNER", str(admin.id): "GROUP_ROLE_ADMIN",
        str(member.id): "GROUP_ROLE_MEMBER"}


async def test_destroy(running_node: RunningNode) -> None:
    owner, admin, member = await users(running_node, 3)
    gid = await make_group(owner, members=[member], admins=[admin])
    path = f"/v1/groups/{gid}"
    for user in (admin, member):
        assert_error(await user.call("DELETE", path), 403, "PERMISSION_DENIED", "group_id")
    assert await owner.ok("DELETE", path) == {}
    assert_error(await member.call("GET", path), 404, "NOT_FOUND", "group_id")
    assert_error(await owner.call("DELETE", path), 404, "NOT_FOUND", "group_id")
    for user in (admin, member):
        assert await user.ok("GET", "/v1/groups") == {}
        assert (await group_events(user, user.id))[-1] == ("MSG_TYPE_LEAVE_GROUP", GroupEvent(
            kind=GroupEventKind.DESTROYED, group_id=gid, user_id=owner.id, actor_id=owner.id))
    assert_error(await member.call("GET", f"/v1/conversations/{gid}/messages"),
                 404, "NOT_FOUND", "peer_id")
