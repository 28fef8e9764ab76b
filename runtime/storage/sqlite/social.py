"""SocialStore on SQLite: friends, friend requests, blocks, groups, members, join requests."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from .. import social_rows as sr
from ..clock import wall_clock_ms
from ..errors import AlreadyExists, FailedPrecondition, NotFound
from ..models import (
    FRIEND_REQUEST_TTL_MS,
    Clock,
    Friend,
    FriendRequest,
    FriendStatus,
    Group,
    GroupRole,
    JoinRequest,
    Member,
    Page,
    RequestState,
)
from ..paging import check_limit, make_page
from .db import SqliteDatabase


def _friend(r: Any) -> Friend:
    return sr.friend(r, json.loads)


def _fetch_group(conn: sqlite3.Connection, group_id: int) -> Group | None:
    row = conn.execute(
        f"SELECT {sr.GROUP_COLS} FROM chat_groups g WHERE g.group_id = ?", (group_id,)
    ).fetchone()
    return None if row is None else sr.group(row)


def _fetch_member(conn: sqlite3.Connection, group_id: int, user_id: int) -> Member | None:
    row = conn.execute(
        f"SELECT {sr.MEMBER_COLS} FROM group_members WHERE group_id = ? AND user_id = ?",
        (group_id, user_id),
    ).fetchone()
    return None if row is None else sr.member(row)


def _fetch_friend(conn: sqlite3.Connection, user_id: int, peer_id: int) -> Friend | None:
    row = conn.execute(
        f"SELECT {sr.FRIEND_COLS} FROM friends WHERE user_id = ? AND peer_id = ?",
        (user_id, peer_id),
    ).fetchone()
    return None if row is None else _friend(row)


class SqliteSocialStore:
    def __init__(
        self,
        db: SqliteDatabase,
        *,
        clock: Clock = wall_clock_ms,
        request_ttl_ms: int = FRIEND_REQUEST_TTL_MS,
    ) -> None:
        self._db = db
        self._clock = clock
        self._ttl = request_ttl_ms

    # -- friend requests -----------------------------------------------------------------
    async def create_friend_request(
        self, requester_id: int, target_id: int, *, message: str = "", remark: str = ""
    ) -> FriendRequest:
        if requester_id == target_id:
            raise FailedPrecondition("cannot befriend oneself")
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> FriendRequest:
            if _fetch_friend(conn, requester_id, target_id) is not None:
                raise AlreadyExists("already friends")
            pending = conn.execute(
                "SELECT 1 FROM friend_requests WHERE state = ? AND expires_at > ? AND"
                " ((requester_id = ? AND target_id = ?) OR (requester_id = ? AND target_id = ?))",
                (sr.PENDING, now, requester_id, target_id, target_id, requester_id),
            ).fetchone()
            if pending is not None:
                raise AlreadyExists("a friend request is already pending")
            try:
                row = conn.execute(
                    f"INSERT INTO friend_requests ({sr.REQUEST_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (requester_id, target_id) DO UPDATE SET"
                    " message = excluded.message, remark = excluded.remark,"
                    " state = excluded.state, created_at = excluded.created_at,"
                    f" expires_at = excluded.expires_at RETURNING {sr.REQUEST_COLS}",
                    (requester_id, target_id, message, remark, sr.PENDING, now, now + self._ttl),
                ).fetchone()
            except sqlite3.IntegrityError as exc:
                raise NotFound("unknown user") from exc
            return sr.request(row)

        return await self._db.write(tx)

    async def get_friend_request(self, requester_id: int, target_id: int) -> FriendRequest | None:
        now = self._clock()
        row = await self._db.run(
            lambda c: c.execute(
                f"SELECT {sr.REQUEST_COLS} FROM friend_requests WHERE requester_id = ?"
                " AND target_id = ? AND state = ? AND expires_at > ?",
                (requester_id, target_id, sr.PENDING, now),
            ).fetchone()
        )
        return None if row is None else sr.request(row)

    async def _list_requests(
        self, column: str, other: str, user_id: int, after: int, limit: int
    ) -> Page[FriendRequest]:
        check_limit(limit)
        now = self._clock()
        rows = await self._db.run(
            lambda c: c.execute(
                f"SELECT {sr.REQUEST_COLS} FROM friend_requests WHERE {column} = ? AND state = ?"
                f" AND expires_at > ? AND {other} > ? ORDER BY {other} LIMIT ?",
                (user_id, sr.PENDING, now, after, limit + 1),
            ).fetchall()
        )
        items = [sr.request(r) for r in rows]
        if column == "target_id":
            return make_page(items, limit, lambda r: r.requester_id)
        return make_page(items, limit, lambda r: r.target_id)

    async def list_incoming_requests(
        self, user_id: int, *, after: int = 0, limit: int = 50
    ) -> Page[FriendRequest]:
        return await self._list_requests("target_id", "requester_id", user_id, after, limit)

    async def list_outgoing_requests(
        self, user_id: int, *, after: int = 0, limit: int = 50
    ) -> Page[FriendRequest]:
        return await self._list_requests("requester_id", "target_id", user_id, after, limit)

    async def accept_friend_request(
        self, requester_id: int, target_id: int, *, remark: str = ""
    ) -> tuple[Friend, Friend]:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> tuple[Friend, Friend]:
            row = conn.execute(
                "UPDATE friend_requests SET state = ? WHERE requester_id = ? AND target_id = ?"
                " AND state = ? AND expires_at > ? RETURNING remark",
                (int(RequestState.APPROVED), requester_id, target_id, sr.PENDING, now),
            ).fetchone()
            if row is None:
                raise NotFound("no pending friend request")
            conn.executemany(
                "INSERT INTO friends (user_id, peer_id, remark, status, classification, tags,"
                " since) VALUES (?, ?, ?, ?, '', '[]', ?) ON CONFLICT DO NOTHING",
                [
                    (target_id, requester_id, remark, int(FriendStatus.NORMAL), now),
                    (requester_id, target_id, row[0], int(FriendStatus.NORMAL), now),
                ],
            )
            mine = _fetch_friend(conn, target_id, requester_id)
            theirs = _fetch_friend(conn, requester_id, target_id)
            assert mine is not None and theirs is not None
            return mine, theirs

        return await self._db.write(tx)

    async def reject_friend_request(self, requester_id: int, target_id: int) -> bool:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "UPDATE friend_requests SET state = ? WHERE requester_id = ? AND target_id = ?"
                " AND state = ? AND expires_at > ?",
                (int(RequestState.REJECTED), requester_id, target_id, sr.PENDING, now),
            )
            return cur.rowcount > 0

        return await self._db.write(tx)

    # -- friends -----------------------------------------------------------------------
    async def get_friend(self, user_id: int, peer_id: int) -> Friend | None:
        return await self._db.run(lambda c: _fetch_friend(c, user_id, peer_id))

    async def list_friends(
        self, user_id: int, *, classification: str | None = None, after: int = 0, limit: int = 100
    ) -> Page[Friend]:
        check_limit(limit)
        rows = await self._db.run(
            lambda c: c.execute(
                f"SELECT {sr.FRIEND_COLS} FROM friends WHERE user_id = ? AND peer_id > ?"
                " AND (? IS NULL OR classification = ?) ORDER BY peer_id LIMIT ?",
                (user_id, after, classification, classification, limit + 1),
            ).fetchall()
        )
        return make_page([_friend(r) for r in rows], limit, lambda f: f.peer_id)

    async def update_friend(
        self,
        user_id: int,
        peer_id: int,
        *,
        remark: str | None = None,
        status: FriendStatus | None = None,
        classification: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> Friend:
        tags_json = None if tags is None else json.dumps(list(tags))
        status_num = None if status is None else int(status)

        def tx(conn: sqlite3.Connection) -> Friend:
            row = conn.execute(
                "UPDATE friends SET remark = COALESCE(?, remark), status = COALESCE(?, status),"
                " classification = COALESCE(?, classification), tags = COALESCE(?, tags)"
                f" WHERE user_id = ? AND peer_id = ? RETURNING {sr.FRIEND_COLS}",
                (remark, status_num, classification, tags_json, user_id, peer_id),
            ).fetchone()
            if row is None:
                raise NotFound("not friends")
            return _friend(row)

        return await self._db.write(tx)

    async def remove_friend(self, user_id: int, peer_id: int) -> bool:
        def tx(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "DELETE FROM friends WHERE (user_id = ? AND peer_id = ?)"
                " OR (user_id = ? AND peer_id = ?)",
                (user_id, peer_id, peer_id, user_id),
            )
            return cur.rowcount > 0

        return await self._db.write(tx)

    async def block(self, user_id: int, peer_id: int) -> None:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    "INSERT INTO blocks (user_id, peer_id, created_at) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (user_id, peer_id, now),
                )
            except sqlite3.IntegrityError as exc:
                raise NotFound(f"user {user_id}") from exc

        await self._db.write(tx)

    async def unblock(self, user_id: int, peer_id: int) -> bool:
        def tx(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "DELETE FROM blocks WHERE user_id = ? AND peer_id = ?", (user_id, peer_id)
            )
            return cur.rowcount > 0

        return await self._db.write(tx)

    async def is_blocked(self, user_id: int, peer_id: int) -> bool:
        row = await self._db.run(
            lambda c: c.execute(
                "SELECT 1 FROM blocks WHERE user_id = ? AND peer_id = ?", (user_id, peer_id)
            ).fetchone()
        )
        return row is not None

    async def list_blocked(self, user_id: int) -> list[int]:
        rows = await self._db.run(
            lambda c: c.execute(
                "SELECT peer_id FROM blocks WHERE user_id = ? ORDER BY peer_id", (user_id,)
            ).fetchall()
        )
        return [int(r[0]) for r in rows]

    # -- groups ------------------------------------------------------------------------
    async def create_group(
        self,
        owner_id: int,
        name: str,
        *,
        password_hash: str | None = None,
        avatar: str = "",
        announcement: str = "",
    ) -> Group:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> Group:
            try:
                (group_id,) = conn.execute(
                    "INSERT INTO chat_groups (name, owner_id, password_hash, avatar,"
                    " announcement, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING group_id",
                    (name, owner_id, password_hash, avatar, announcement, now),
                ).fetchone()
            except sqlite3.IntegrityError as exc:
                raise NotFound(f"user {owner_id}") from exc
            conn.execute(
                f"INSERT INTO group_members ({sr.MEMBER_COLS}) VALUES (?, ?, ?, ?)",
                (group_id, owner_id, int(GroupRole.OWNER), now),
            )
            group = _fetch_group(conn, group_id)
            assert group is not None
            return group

        return await self._db.write(tx)

    async def get_group(self, group_id: int) -> Group | None:
        return await self._db.run(lambda c: _fetch_group(c, group_id))

    async def update_group(
        self,
        group_id: int,
        *,
        name: str | None = None,
        avatar: str | None = None,
        announcement: str | None = None,
    ) -> Group:
        def tx(conn: sqlite3.Connection) -> Group:
            cur = conn.execute(
                "UPDATE chat_groups SET name = COALESCE(?, name), avatar = COALESCE(?, avatar),"
                " announcement = COALESCE(?, announcement) WHERE group_id = ?",
                (name, avatar, announcement, group_id),
            )
            group = _fetch_group(conn, group_id)
            if cur.rowcount == 0 or group is None:
                raise NotFound(f"group {group_id}")
            return group

        return await self._db.write(tx)

    async def set_group_password(self, group_id: int, password_hash: str | None) -> None:
        def tx(conn: sqlite3.Connection) -> None:
            cur = conn.execute(
                "UPDATE chat_groups SET password_hash = ? WHERE group_id = ?",
                (password_hash, group_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"group {group_id}")

        await self._db.write(tx)

    async def delete_group(self, group_id: int) -> bool:
        def tx(conn: sqlite3.Connection) -> bool:
            cur = conn.execute("DELETE FROM chat_groups WHERE group_id = ?", (group_id,))
            return cur.rowcount > 0

        return await self._db.write(tx)

    async def transfer_ownership(self, group_id: int, new_owner_id: int) -> Group:
        def tx(conn: sqlite3.Connection) -> Group:
            group = _fetch_group(conn, group_id)
            if group is None:
                raise NotFound(f"group {group_id}")
            if _fetch_member(conn, group_id, new_owner_id) is None:
                raise FailedPrecondition("the new owner must be a member")
            if group.owner_id != new_owner_id:
                conn.execute(
                    "UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ?",
                    (int(GroupRole.ADMIN), group_id, group.owner_id),
                )
                conn.execute(
                    "UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ?",
                    (int(GroupRole.OWNER), group_id, new_owner_id),
                )
                conn.execute(
                    "UPDATE chat_groups SET owner_id = ? WHERE group_id = ?",
                    (new_owner_id, group_id),
                )
            updated = _fetch_group(conn, group_id)
            assert updated is not None
            return updated

        return await self._db.write(tx)

    async def add_member(
        self, group_id: int, user_id: int, role: GroupRole = GroupRole.MEMBER
    ) -> Member:
        if role == GroupRole.OWNER:
            raise FailedPrecondition("use transfer_ownership to make an owner")
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> Member:
            if _fetch_group(conn, group_id) is None:
                raise NotFound(f"group {group_id}")
            if _fetch_member(conn, group_id, user_id) is not None:
                raise AlreadyExists("already a member")
            try:
                row = conn.execute(
                    f"INSERT INTO group_members ({sr.MEMBER_COLS}) VALUES (?, ?, ?, ?)"
                    f" RETURNING {sr.MEMBER_COLS}",
                    (group_id, user_id, int(role), now),
                ).fetchone()
            except sqlite3.IntegrityError as exc:
                raise NotFound(f"user {user_id}") from exc
            return sr.member(row)

        return await self._db.write(tx)

    async def remove_member(self, group_id: int, user_id: int) -> bool:
        def tx(conn: sqlite3.Connection) -> bool:
            member = _fetch_member(conn, group_id, user_id)
            if member is None:
                return False
            if member.role == GroupRole.OWNER:
                raise FailedPrecondition("the owner cannot leave; transfer or delete the group")
            conn.execute(
                "DELETE FROM group_members WHERE group_id = ? AND user_id = ?",
                (group_id, user_id),
            )
            return True

        return await self._db.write(tx)

    async def set_member_role(self, group_id: int, user_id: int, role: GroupRole) -> Member:
        if role == GroupRole.OWNER:
            raise FailedPrecondition("use transfer_ownership to make an owner")

        def tx(conn: sqlite3.Connection) -> Member:
            member = _fetch_member(conn, group_id, user_id)
            if member is None:
                raise NotFound("not a member")
            if member.role == GroupRole.OWNER:
                raise FailedPrecondition("the owner's role changes only by transfer")
            conn.execute(
                "UPDATE group_members SET role = ? WHERE group_id = ? AND user_id = ?",
                (int(role), group_id, user_id),
            )
            updated = _fetch_member(conn, group_id, user_id)
            assert updated is not None
            return updated

        return await self._db.write(tx)

    async def get_member(self, group_id: int, user_id: int) -> Member | None:
        return await self._db.run(lambda c: _fetch_member(c, group_id, user_id))

    async def list_members(
        self, group_id: int, *, role: GroupRole | None = None, after: int = 0, limit: int = 100
    ) -> Page[Member]:
        check_limit(limit)
        role_num = None if role is None else int(role)
        rows = await self._db.run(
            lambda c: c.execute(
                f"SELECT {sr.MEMBER_COLS} FROM group_members WHERE group_id = ? AND user_id > ?"
                " AND (? IS NULL OR role = ?) ORDER BY user_id LIMIT ?",
                (group_id, after, role_num, role_num, limit + 1),
            ).fetchall()
        )
        return make_page([sr.member(r) for r in rows], limit, lambda m: m.user_id)

    async def list_member_ids(self, group_id: int) -> list[int]:
        rows = await self._db.run(
            lambda c: c.execute(
                "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id",
                (group_id,),
            ).fetchall()
        )
        return [int(r[0]) for r in rows]

    async def list_memberships(self, user_id: int) -> list[Member]:
        rows = await self._db.run(
            lambda c: c.execute(
                f"SELECT {sr.MEMBER_COLS} FROM group_members WHERE user_id = ?", (user_id,)
            ).fetchall()
        )
        return [sr.member(r) for r in rows]

    async def list_user_groups(
        self, user_id: int, *, after: int = 0, limit: int = 100
    ) -> Page[Group]:
        check_limit(limit)
        rows = await self._db.run(
            lambda c: c.execute(
                f"SELECT {sr.GROUP_COLS} FROM group_members gm JOIN chat_groups g"
                " ON g.group_id = gm.group_id WHERE gm.user_id = ? AND gm.group_id > ?"
                " ORDER BY gm.group_id LIMIT ?",
                (user_id, after, limit + 1),
            ).fetchall()
        )
        return make_page([sr.group(r) for r in rows], limit, lambda g: g.group_id)

    # -- join requests -------------------------------------------------------------------
    async def create_join_request(
        self, group_id: int, user_id: int, *, message: str = ""
    ) -> JoinRequest:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> JoinRequest:
            if _fetch_group(conn, group_id) is None:
                raise NotFound(f"group {group_id}")
            if _fetch_member(conn, group_id, user_id) is not None:
                raise AlreadyExists("already a member")
            pending = conn.execute(
                "SELECT 1 FROM join_requests WHERE group_id = ? AND user_id = ? AND state = ?",
                (group_id, user_id, sr.PENDING),
            ).fetchone()
            if pending is not None:
                raise AlreadyExists("a join request is already pending")
            try:
                row = conn.execute(
                    f"INSERT INTO join_requests ({sr.JOIN_COLS}) VALUES (?, ?, ?, ?, ?, NULL)"
                    " ON CONFLICT (group_id, user_id) DO UPDATE SET message = excluded.message,"
                    " state = excluded.state, created_at = excluded.created_at,"
                    f" decided_by = NULL RETURNING {sr.JOIN_COLS}",
                    (group_id, user_id, message, sr.PENDING, now),
                ).fetchone()
            except sqlite3.IntegrityError as exc:
                raise NotFound(f"user {user_id}") from exc
            return sr.join(row)

        return await self._db.write(tx)

    async def get_join_request(self, group_id: int, user_id: int) -> JoinRequest | None:
        row = await self._db.run(
            lambda c: c.execute(
                f"SELECT {sr.JOIN_COLS} FROM join_requests WHERE group_id = ? AND user_id = ?",
                (group_id, user_id),
            ).fetchone()
        )
        return None if row is None else sr.join(row)

    async def list_join_requests(
        self,
        group_id: int,
        *,
        state: RequestState | None = RequestState.PENDING,
        after: int = 0,
        limit: int = 50,
    ) -> Page[JoinRequest]:
        check_limit(limit)
        state_num = None if state is None else int(state)
        rows = await self._db.run(
            lambda c: c.execute(
                f"SELECT {sr.JOIN_COLS} FROM join_requests WHERE group_id = ? AND user_id > ?"
                " AND (? IS NULL OR state = ?) ORDER BY user_id LIMIT ?",
                (group_id, after, state_num, state_num, limit + 1),
            ).fetchall()
        )
        return make_page([sr.join(r) for r in rows], limit, lambda j: j.user_id)

    async def decide_join_request(
        self, group_id: int, user_id: int, *, approve: bool, decided_by: int
    ) -> JoinRequest:
        now = self._clock()
        new_state = RequestState.APPROVED if approve else RequestState.REJECTED

        def tx(conn: sqlite3.Connection) -> JoinRequest:
            row = conn.execute(
                "UPDATE join_requests SET state = ?, decided_by = ?"
                " WHERE group_id = ? AND user_id = ? AND state = ?"
                f" RETURNING {sr.JOIN_COLS}",
                (int(new_state), decided_by, group_id, user_id, sr.PENDING),
            ).fetchone()
            if row is None:
                raise NotFound("no pending join request")
            if approve:
                conn.execute(
                    f"INSERT INTO group_members ({sr.MEMBER_COLS}) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (group_id, user_id, int(GroupRole.MEMBER), now),
                )
            return sr.join(row)

        return await self._db.write(tx)
