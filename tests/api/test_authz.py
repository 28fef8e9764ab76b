"""Authorization over real HTTP on both backends: every attempt on someone else's friends,
conversations, markers, messages or groups is refused with the right status and code, and
leaves everything as it was. Tokens that expired or were revoked open no endpoint of the
friend, group and message services."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import pytest

from prim.generated.routes import ROUTES
from prim.services.api.tokens import new_device_id, new_token, token_hash
from tests.api.accounts_helpers import Account, assert_error
from tests.api.conftest import RunningNode
from tests.api.social_helpers import Json, User, befriend, make_group, send_texts, users

pytestmark = pytest.mark.anyio


@dataclass
class World:
    a: User  # the intruder among users
    b: User  # owns the resources a goes after
    c: User  # b's friend
    owner: User
    admin: User
    admin2: User
    member: User
    outsider: User
    applicant: User
    gid: int
    bc_message: int  # b's text to c
    ab_message: int  # b's text to a
    group_message: int  # member's text in the group


async def build_world(rn: RunningNode) -> World:
    a, b, c, owner, admin, admin2, member, outsider, applicant = await users(rn, 9)
    await befriend(b, c)
    await befriend(a, b)
    [bc] = await send_texts(rn, b, c.id, "private to c")
    [ab] = await send_texts(rn, b, a.id, "to a")
    await b.ok("PATCH", f"/v1/friends/{c.id}", {"remark": "Cee"})
    await b.ok("PUT", f"/v1/conversations/{c.id}/read-marker", {"seqnum": str(bc)})
    gid = await make_group(owner, members=[member], admins=[admin, admin2])
    [gm] = await send_texts(rn, member, gid, "group text")
    await applicant.ok("POST", f"/v1/groups/{gid}/join-requests", {})
    await outsider.ok("POST", "/v1/friend-requests", {"user_id": str(b.id)})
    return World(a, b, c, owner, admin, admin2, member, outsider, applicant, gid, bc, ab, gm)


async def snapshot(w: World) -> list[Json]:
    """Everything the matrix might change, as its owners see it."""
    g = f"/v1/groups/{w.gid}"
    return [
        await w.b.ok("GET", f"/v1/conversations/{w.c.id}/messages"),
        await w.b.ok("GET", f"/v1/conversations/{w.a.id}/messages"),
        await w.b.ok("GET", f"/v1/conversations/{w.c.id}/read-marker"),
        await w.b.ok("GET", "/v1/friends"),
        await w.c.ok("GET", "/v1/friends"),
        await w.b.ok("GET", "/v1/friend-requests"),
        await w.b.ok("GET", f"/v1/friends/{w.outsider.id}"),
        await w.owner.ok("GET", g),
        await w.owner.ok("GET", f"{g}/members"),
        await w.owner.ok("GET", f"{g}/join-requests"),
        await w.owner.ok("GET", f"/v1/conversations/{w.gid}/messages"),
        await w.member.ok("GET", f"/v1/conversations/{w.gid}/read-marker"),
    ]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_refused_attempts_change_nothing(running_node: RunningNode) -> None:
    w = await build_world(running_node)
    before = await snapshot(w)
    g = f"/v1/groups/{w.gid}"
    conv = f"/v1/conversations/{w.gid}"
    edit = {"new_payload": b64(b"hijacked")}
    # (who, verb, path, body, status, code, field)
    attempts: list[tuple[User, str, str, Json | None, int, str, str]] = [
        # A against B's resources. A names conversations from A's side only, so B's
        # messages are reached only where A is part of the conversation.
        (w.a, "PATCH", f"/v1/conversations/{w.b.id}/messages/{w.ab_message}", edit,
         403, "PERMISSION_DENIED", "seqnum"),
        (w.a, "DELETE", f"/v1/conversations/{w.b.id}/messages/{w.ab_message}", None,
         403, "PERMISSION_DENIED", "seqnum"),
        (w.a, "PATCH", f"/v1/conversations/{w.c.id}/messages/{w.bc_message}", edit,
         404, "NOT_FOUND", "seqnum"),  # b's message to c is not in a's conversation with c
        (w.a, "PATCH", f"/v1/friends/{w.c.id}", {"remark": "mine"}, 404, "NOT_FOUND", "user_id"),
        (w.a, "DELETE", f"/v1/friends/{w.c.id}", None, 404, "NOT_FOUND", "user_id"),
        (w.a, "POST", f"/v1/friend-requests/{w.outsider.id}/accept", {},
         404, "NOT_FOUND", "requester_id"),
        (w.a, "POST", f"/v1/friend-requests/{w.outsider.id}/reject", {},
         404, "NOT_FOUND", "requester_id"),
        # A non-member against the group.
        *[(w.outsider, verb, path, body, 403, "PERMISSION_DENIED", field)
          for verb, path, body, field in [
              ("GET", f"{conv}/messages", None, "peer_id"),
              ("GET", f"{conv}/read-marker", None, "peer_id"),
              ("PUT", f"{conv}/read-marker", {"seqnum": "1"}, "peer_id"),
              ("PATCH", f"{conv}/messages/{w.group_message}", edit, "peer_id"),
              ("DELETE", f"{conv}/messages/{w.group_message}", None, "peer_id"),
              ("GET", f"{g}/members", None, "group_id"),
              ("PATCH", g, {"name": "taken"}, "group_id"),
              ("POST", f"{g}/members/{w.member.id}/kick", {}, "group_id"),
              ("GET", f"{g}/join-requests", None, "group_id"),
              ("POST", f"{g}/join-requests/{w.applicant.id}/approve", {}, "group_id"),
              ("POST", f"{g}/join-requests/{w.applicant.id}/reject", {}, "group_id"),
              ("PUT", f"{g}/admins/{w.member.id}", {}, "group_id"),
              ("DELETE", f"{g}/admins/{w.admin.id}", None, "group_id"),
              ("DELETE", g, None, "group_id"),
          ]],
        # A member who is not an admin against admin actions.
        *[(w.member, verb, path, body, 403, "PERMISSION_DENIED", "group_id")
          for verb, path, body in [
              ("PATCH", g, {"announcement": "x"}),
              ("GET", f"{g}/join-requests", None),
              ("POST", f"{g}/join-requests/{w.applicant.id}/approve", {}),
              ("POST", f"{g}/join-requests/{w.applicant.id}/reject", {}),
              ("POST", f"{g}/members/{w.admin.id}/kick", {}),
              # (naming themself would break the spec's not_caller rule first: 400)
              ("PUT", f"{g}/admins/{w.applicant.id}", {}),
              ("DELETE", f"{g}/admins/{w.admin.id}", None),
              ("DELETE", g, None),
          ]],
        # An admin against the owner and another admin.
        (w.admin, "POST", f"{g}/members/{w.owner.id}/kick", {}, 403, "PERMISSION_DENIED",
         "user_id"),
        (w.admin, "POST", f"{g}/members/{w.admin2.id}/kick", {}, 403, "PERMISSION_DENIED",
         "user_id"),
        (w.admin, "DELETE", f"{g}/admins/{w.admin2.id}", None, 403, "PERMISSION_DENIED",
         "group_id"),
        (w.admin, "PUT", f"{g}/admins/{w.member.id}", {}, 403, "PERMISSION_DENIED", "group_id"),
        (w.admin, "DELETE", g, None, 403, "PERMISSION_DENIED", "group_id"),
        (w.admin, "PATCH", f"{conv}/messages/{w.group_message}", edit,
         403, "PERMISSION_DENIED", "seqnum"),
    ]
    for who, verb, path, body, status, code, field in attempts:
        response = await who.call(verb, path, body)
        try:
            assert_error(response, status, code, field)
        except AssertionError as exc:
            raise AssertionError(f"{verb} {path} by user {who.id}: {exc}") from None

    # Reading a peer's conversation shows only the caller's own: nothing of b's with c.
    theirs = await w.a.ok("GET", f"/v1/conversations/{w.c.id}/messages")
    assert theirs == {}
    # A read marker is a receipt told to the peer: like a write, refused towards a stranger.
    assert_error(await w.a.call("PUT", f"/v1/conversations/{w.c.id}/read-marker",
                                {"seqnum": "9"}), 403, "PERMISSION_DENIED", "peer_id")

    assert await snapshot(w) == before


def _concrete(path: str, w: World) -> str:
    values = {"user_id": w.b.id, "requester_id": w.b.id, "group_id": w.gid, "peer_id": w.b.id,
              "seqnum": 1}
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(values[m.group(1)]), path)


async def test_expired_and_revoked_tokens_open_nothing(running_node: RunningNode) -> None:
    w = await build_world(running_node)
    storage = running_node.node.storage
    assert storage is not None
    now = running_node.node.clock()
    expired_token = new_token()
    await storage.accounts.create_session(token_hash(expired_token), w.a.id, new_device_id(),
                                          now - 1)
    revoked = w.a.account
    assert await w.a.ok("DELETE", "/v1/sessions/current") == {}
    dead = [User(Account(w.a.id, expired_token, "", now - 1), w.a.http),
            User(revoked, w.a.http)]
    before = await snapshot(w)
    routes = [r for r in ROUTES
              if r.service in ("FriendService", "GroupService", "MessageService")]
    assert len(routes) == 30
    for route in routes:
        path = _concrete(route.path, w)
        body: Json | None = {} if route.body else None
        for user in dead:
            response = await user.call(route.verb, path, body)
            try:
                assert_error(response, 401, "UNAUTHENTICATED")
            except AssertionError as exc:
                raise AssertionError(f"{route.verb} {path}: {exc}") from None
            assert response.headers["www-authenticate"].startswith("Bearer")
    assert await snapshot(w) == before
