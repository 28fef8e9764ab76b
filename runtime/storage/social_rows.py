"""The social tables' column lists and row -> record conversions, shared by the SQLite and
PostgreSQL adapters (the schemas have the same columns in the same order). Only `tags`
differs: a JSON text in SQLite, a text array in PostgreSQL, so it is decoded by the caller's
`tags` function."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .models import (
    Friend,
    FriendRequest,
    FriendStatus,
    Group,
    GroupRole,
    JoinRequest,
    Member,
    RequestState,
)

PENDING = int(RequestState.PENDING)
FRIEND_COLS = "user_id, peer_id, remark, status, classification, tags, since"
REQUEST_COLS = "requester_id, target_id, message, remark, state, created_at, expires_at"
GROUP_COLS = (
    "g.group_id, g.name, g.owner_id, g.avatar, g.announcement, g.password_hash,"
    " (SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.group_id), g.created_at"
)
MEMBER_COLS = "group_id, user_id, role, joined_at"
JOIN_COLS = "group_id, user_id, message, state, created_at, decided_by"


def friend(r: Any, tags: Callable[[Any], Sequence[str]]) -> Friend:
    return Friend(r[0], r[1], r[2], FriendStatus(r[3]), r[4], tuple(tags(r[5])), r[6])


def request(r: Any) -> FriendRequest:
    return FriendRequest(r[0], r[1], r[2], r[3], RequestState(r[4]), r[5], r[6])


def group(r: Any) -> Group:
    return Group(r[0], r[1], r[2], r[3], r[4], r[5], int(r[6]), r[7])


def member(r: Any) -> Member:
    return Member(r[0], r[1], GroupRole(r[2]), r[3])


def join(r: Any) -> JoinRequest:
    return JoinRequest(r[0], r[1], r[2], RequestState(r[3]), r[4], r[5])
