"""SocialStore on PostgreSQL: friends, friend requests, blocks, groups, members, join requests.

Concurrent requests are expected here (several api processes), so every check-then-write
runs in a transaction that first locks what it checks: the group row, or an advisory lock
on the user pair for friend requests (which have two rows to guard, one per direction).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

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
from .db import PostgresDatabase


def _friend(r: Any) -> Friend:
    return sr.friend(r, list)


async def _fetch_group(conn: Any, group_id: int, *, lock: bool = False) -> Group | None:
    if lock:
        # Serializes membership changes of one group; COUNT cannot be combined with FOR
        # UPDATE, so lock first and read after.
        found = await conn.fetchval(
            "SELECT 1 FROM chat_groups WHERE group_id = $1 FOR UPDATE", group_id
        )
        if found is None:
            return None
    row = await conn.fetchrow(
        f"SELECT {sr.GROUP_COLS} FROM chat_groups g WHERE g.group_id = $1", group_id
    )
    return None if row is None else sr.group(row)


async def _fetch_member(conn: Any, group_id: int, user_id: int) -> Member | None:
    row = await conn.fetchrow(
        f"SELECT {sr.MEMBER_COLS} FROM group_members WHERE group_id = $1 AND user_id = $2",
        group_id, user_id,
    )  # fmt: skip
    return None if row is None else sr.member(row)


async def _fetch_friend(conn: Any, user_id: int, peer_id: int) -> Friend | None:
    row = await conn.fetchrow(
        f"SELECT {sr.FRIEND_COLS} FROM friends WHERE user_id = $1 AND peer_id = $2",
        user_id, peer_id,
    )  # fmt: skip
    return None if row is None else _friend(row)


class PostgresSocialStore:
    def __init__(
        self,
        db: PostgresDatabase,
        *,
        clock: Clock = wall_clock_ms,
        request_ttl_ms: int = FRIEND_REQUEST_TTL_MS,
    ) -> None:
        self._pool = db.pool
        self._clock = clock
        self._ttl = request_ttl_ms

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            yield conn

    # -- friend requests -----------------------------------------------------------------
    async def create_friend_request(
        self, requester_id: int, target_id: int, *, message: str = "", remark: str = ""
    ) -> FriendRequest:
        if requester_id == target_id:
            raise FailedPrecondition("cannot befriend oneself")
        now = self._clock()
        lo, hi = sorted((requester_id, target_id))
        async with self._tx() as conn:
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"friend:{lo}:{hi}"
            )
            if await _fetch_friend(conn, requester_id, target_id) is not None:
                raise AlreadyExists("already friends")
            pending = await conn.fetchval(
                "SELECT 1 FROM friend_requests WHERE state = $1 AND expires_at > $2 AND"
                " ((requester_id = $3 AND target_id = $4)"
                " OR (requester_id = $4 AND target_id = $3))",
                sr.PENDING, now, requester_id, target_id,
            )  # fmt: skip
            if pending is not None:
                raise AlreadyExists("a friend request is already pending")
            try:
                row = await conn.fetchrow(
                    f"INSERT INTO friend_requests ({sr.REQUEST_COLS})"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
                    " ON CONFLICT (requester_id, target_id) DO UPDATE SET"
                    " message = excluded.message, remark = excluded.remark,"
                    " state = excluded.state, created_at = excluded.created_at,"
                    f" expires_at = excluded.expires_at RETURNING {sr.REQUEST_COLS}",
                    requester_id, target_id, message, remark, sr.PENDING, now, now + self._ttl,
                )  # fmt: skip
            except asyncpg.ForeignKeyViolationError as exc:
                raise NotFound("unknown user") from exc
            return sr.request(row)

    async def get_friend_request(self, requester_id: int, target_id: int) -> FriendRequest | None:
        row = await self._pool.fetchrow(
            f"SELECT {sr.REQUEST_COLS} FROM friend_requests WHERE requester_id = $1"
            " AND target_id = $2 AND state = $3 AND expires_at > $4",
            requester_id, target_id, sr.PENDING, self._clock(),
        )  # fmt: skip
        return None if row is None else sr.request(row)

    async def _list_requests(
        self, column: str, other: str, user_id: int, after: int, limit: int
    ) -> Page[FriendRequest]:
        check_limit(limit)
        rows = await self._pool.fetch(
            f"SELECT {sr.REQUEST_COLS} FROM friend_requests WHERE {column} = $1 AND state = $2"
            f" AND expires_at > $3 AND {other} > $4 ORDER BY {other} LIMIT $5",
            user_id, sr.PENDING, self._clock(), after, limit + 1,
        )  # fmt: skip
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
        async with self._tx() as conn:
            # The row lock taken by UPDATE makes a concurrent second accept find nothing.
            their_remark = await conn.fetchval(
                "UPDATE friend_requests SET state = $1 WHERE requester_id = $2 AND target_id = $3"
                " AND state = $4 AND expires_at > $5 RETURNING remark",
                int(RequestState.APPROVED), requester_id, target_id, sr.PENDING, now,
            )  # fmt: skip
            if their_remark is None:
                raise NotFound("no pending friend request")
            await conn.executemany(
                "INSERT INTO friends (user_id, peer_id, remark, status, classification, tags,"
                " since) VALUES ($1, $2, $3, $4, '', '{}', $5) ON CONFLICT DO NOTHING",
                [
                    (target_id, requester_id, remark, int(FriendStatus.NORMAL), now),
                    (requester_id, target_id, their_remark, int(FriendStatus.NORMAL), now),
                ],
            )
            mine = await _fetch_friend(conn, target_id, requester_id)
            theirs = await _fetch_friend(conn, requester_id, target_id)
            assert mine is not None and theirs is not None
            return mine, theirs

    async def reject_friend_request(self, requester_id: int, target_id: int) -> bool:
        status = await self._pool.execute(
            "UPDATE friend_requests SET state = $1 WHERE requester_id = $2 AND target_id = $3"
            " AND state = $4 AND expires_at > $5",
            int(RequestState.REJECTED), requester_id, target_id, sr.PENDING, self._clock(),
        )  # fmt: skip
        return bool(status != "UPDATE 0")

    # -- friends -----------------------------------------------------------------------
    async def get_friend(self, user_id: int, peer_id: int) -> Friend | None:
        return await _fetch_friend(self._pool, user_id, peer_id)

    async def list_friends(
        self, user_id: int, *, classification: str | None = None, after: int = 0, limit: int = 100
    ) -> Page[Friend]:
        check_limit(limit)
        rows = await self._pool.fetch(
            f"SELECT {sr.FRIEND_COLS} FROM friends WHERE user_id = $1 AND peer_id > $2"
            " AND ($3::text IS NULL OR classification = $3) ORDER BY peer_id LIMIT $4",
            user_id, after, classification, limit + 1,
        )  # fmt: skip
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
        row = await self._pool.fetchrow(
            "UPDATE friends SET remark = COALESCE($1, remark),"
            " status = COALESCE($2::smallint, status),"
            " classification = COALESCE($3, classification), tags = COALESCE($4::text[], tags)"
            f" WHERE user_id = $5 AND peer_id = $6 RETURNING {sr.FRIEND_COLS}",
            remark,
            None if status is None else int(status),
            classification,
            None if tags is None else list(tags),
            user_id,
            peer_id,
        )
        if row is None:
            raise NotFound("not friends")
        return _friend(row)

    async def remove_friend(self, user_id: int, peer_id: int) -> bool:
        status = await self._pool.execute(
            "DELETE FROM friends WHERE (user_id = $1 AND peer_id = $2)"
            " OR (user_id = $2 AND peer_id = $1)",
            user_id, peer_id,
        )  # fmt: skip
        return bool(status != "DELETE 0")

    async def block(self, user_id: int, peer_id: int) -> None:
        try:
            await self._pool.execute(
                "INSERT INTO blocks (user_id, peer_id, created_at) VALUES ($1, $2, $3)"
                " ON CONFLICT DO NOTHING",
                user_id, peer_id, self._clock(),
            )  # fmt: skip
        except asyncpg.ForeignKeyViolationError as exc:
            raise NotFound(f"user {user_id}") from exc

    async def unblock(self, user_id: int, peer_id: int) -> bool:
        status = await self._pool.execute(
            "DELETE FROM blocks WHERE user_id = $1 AND peer_id = $2", user_id, peer_id
        )
        return bool(status != "DELETE 0")

    async def is_blocked(self, user_id: int, peer_id: int) -> bool:
        found = await self._pool.fetchval(
            "SELECT 1 FROM blocks WHERE user_id = $1 AND peer_id = $2", user_id, peer_id
        )
        return found is not None

    async def list_blocked(self, user_id: int) -> list[int]:
        rows = await self._pool.fetch(
            "SELECT peer_id FROM blocks WHERE user_id = $1 ORDER BY peer_id", user_id
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
        async with self._tx() as conn:
            try:
                group_id = await conn.fetchval(
                    "INSERT INTO chat_groups (name, owner_id, password_hash, avatar,"
                    " announcement, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
                    " RETURNING group_id",
                    name, owner_id, password_hash, avatar, announcement, now,
                )  # fmt: skip
            except asyncpg.ForeignKeyViolationError as exc:
                raise NotFound(f"user {owner_id}") from exc
            await conn.execute(
                f"INSERT INTO group_members ({sr.MEMBER_COLS}) VALUES ($1, $2, $3, $4)",
                group_id, owner_id, int(GroupRole.OWNER), now,
            )  # fmt: skip
            group = await _fetch_group(conn, group_id)
            assert group is not None
            return group

    async def get_group(self, group_id: int) -> Group | None:
        return await _fetch_group(self._pool, group_id)

    async def update_group(
        self,
        group_id: int,
        *,
        name: str | None = None,
        avatar: str | None = None,
        announcement: str | None = None,
    ) -> Group:
        async with self._tx() as conn:
            status = await conn.execute(
                "UPDATE chat_groups SET name = COALESCE($1, name), avatar = COALESCE($2, avatar),"
                " announcement = COALESCE($3, announcement) WHERE group_id = $4",
                name, avatar, announcement, group_id,
            )  # fmt: skip
            group = await _fetch_group(conn, group_id)
            if status == "UPDATE 0" or group is None:
                raise NotFound(f"group {group_id}")
            return group

    async def set_group_password(self, group_id: int, password_hash: str | None) -> None:
        status = await self._pool.execute(
            "UPDATE chat_groups SET password_hash = $1 WHERE group_id = $2",
            password_hash, group_id,
        )  # fmt: skip
        if status == "UPDATE 0":
            raise NotFound(f"group {group_id}")

    async def delete_group(self, group_id: int) -> bool:
        status = await self._pool.execute("DELETE FROM chat_groups WHERE group_id = $1", group_id)
        return bool(status != "DELETE 0")

    async def transfer_ownership(self, group_id: int, new_owner_id: int) -> Group:
        async with self._tx() as conn:
            group = await _fetch_group(conn, group_id, lock=True)
            if group is None:
                raise NotFound(f"group {group_id}")
            if await _fetch_member(conn, group_id, new_owner_id) is None:
                raise FailedPrecondition("the new owner must be a member")
            if group.owner_id != new_owner_id:
                await conn.execute(
                    "UPDATE group_members"
                    " SET role = CASE WHEN user_id = $2 THEN $3::smallint ELSE $4::smallint END"
                    " WHERE group_id = $1 AND user_id IN ($2, $5)",
                    group_id, new_owner_id, int(GroupRole.OWNER), int(GroupRole.ADMIN),
                    group.owner_id,
                )  # fmt: skip
                await conn.execute(
                    "UPDATE chat_groups SET owner_id = $1 WHERE group_id = $2",
                    new_owner_id, group_id,
                )  # fmt: skip
            updated = await _fetch_group(conn, group_id)
            assert updated is not None
            return updated

    async def add_member(
        self, group_id: int, user_id: int, role: GroupRole = GroupRole.MEMBER
    ) -> Member:
        if role == GroupRole.OWNER:
            raise FailedPrecondition("use transfer_ownership to make an owner")
        try:
            row = await self._pool.fetchrow(
                f"INSERT INTO group_members ({sr.MEMBER_COLS}) VALUES ($1, $2, $3, $4)"
                f" RETURNING {sr.MEMBER_COLS}",
                group_id, user_id, int(role), self._clock(),
            )  # fmt: skip
        except asyncpg.UniqueViolationError as exc:
            raise AlreadyExists("already a member") from exc
        except asyncpg.ForeignKeyViolationError as exc:
            raise NotFound(f"group {group_id} or user {user_id}") from exc
        return sr.member(row)

    async def remove_member(self, group_id: int, user_id: int) -> bool:
        async with self._tx() as conn:
            role = await conn.fetchval(
                "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2 AND role <> $3"
                " RETURNING role",
                group_id, user_id, int(GroupRole.OWNER),
            )  # fmt: skip
            if role is not None:
                return True
            if await _fetch_member(conn, group_id, user_id) is not None:
                raise FailedPrecondition("the owner cannot leave; transfer or delete the group")
            return False

    async def set_member_role(self, group_id: int, user_id: int, role: GroupRole) -> Member:
        if role == GroupRole.OWNER:
            raise FailedPrecondition("use transfer_ownership to make an owner")
        async with self._tx() as conn:
            row = await conn.fetchrow(
                "UPDATE group_members SET role = $1 WHERE group_id = $2 AND user_id = $3"
                f" AND role <> $4 RETURNING {sr.MEMBER_COLS}",
                int(role), group_id, user_id, int(GroupRole.OWNER),
            )  # fmt: skip
            if row is not None:
                return sr.member(row)
            if await _fetch_member(conn, group_id, user_id) is not None:
                raise FailedPrecondition("the owner's role changes only by transfer")
            raise NotFound("not a member")

    async def get_member(self, group_id: int, user_id: int) -> Member | None:
        return await _fetch_member(self._pool, group_id, user_id)

    async def list_members(
        self, group_id: int, *, role: GroupRole | None = None, after: int = 0, limit: int = 100
    ) -> Page[Member]:
        check_limit(limit)
        rows = await self._pool.fetch(
            f"SELECT {sr.MEMBER_COLS} FROM group_members WHERE group_id = $1 AND user_id > $2"
            " AND ($3::smallint IS NULL OR role = $3) ORDER BY user_id LIMIT $4",
            group_id, after, None if role is None else int(role), limit + 1,
        )  # fmt: skip
        return make_page([sr.member(r) for r in rows], limit, lambda m: m.user_id)

    async def list_member_ids(self, group_id: int) -> list[int]:
        rows = await self._pool.fetch(
            "SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id", group_id
        )
        return [int(r[0]) for r in rows]

    async def list_memberships(self, user_id: int) -> list[Member]:
        rows = await self._pool.fetch(
            f"SELECT {sr.MEMBER_COLS} FROM group_members WHERE user_id = $1", user_id
        )
        return [sr.member(r) for r in rows]

    async def list_user_groups(
        self, user_id: int, *, after: int = 0, limit: int = 100
    ) -> Page[Group]:
        check_limit(limit)
        rows = await self._pool.fetch(
            f"SELECT {sr.GROUP_COLS} FROM group_members gm JOIN chat_groups g"
            " ON g.group_id = gm.group_id WHERE gm.user_id = $1 AND gm.group_id > $2"
            " ORDER BY gm.group_id LIMIT $3",
            user_id, after, limit + 1,
        )  # fmt: skip
        return make_page([sr.group(r) for r in rows], limit, lambda g: g.group_id)

    # -- join requests -------------------------------------------------------------------
    async def create_join_request(
        self, group_id: int, user_id: int, *, message: str = ""
    ) -> JoinRequest:
        async with self._tx() as conn:
            if await _fetch_group(conn, group_id, lock=True) is None:
                raise NotFound(f"group {group_id}")
            if await _fetch_member(conn, group_id, user_id) is not None:
                raise AlreadyExists("already a member")
            try:
                row = await conn.fetchrow(
                    f"INSERT INTO join_requests ({sr.JOIN_COLS}) VALUES ($1, $2, $3, $4, $5, NULL)"
                    " ON CONFLICT (group_id, user_id) DO UPDATE SET message = excluded.message,"
                    " state = excluded.state, created_at = excluded.created_at,"
                    " decided_by = NULL WHERE join_requests.state <> excluded.state"
                    f" RETURNING {sr.JOIN_COLS}",
                    group_id, user_id, message, sr.PENDING, self._clock(),
                )  # fmt: skip
            except asyncpg.ForeignKeyViolationError as exc:
                raise NotFound(f"user {user_id}") from exc
            if row is None:
                raise AlreadyExists("a join request is already pending")
            return sr.join(row)

    async def get_join_request(self, group_id: int, user_id: int) -> JoinRequest | None:
        row = await self._pool.fetchrow(
            f"SELECT {sr.JOIN_COLS} FROM join_requests WHERE group_id = $1 AND user_id = $2",
            group_id, user_id,
        )  # fmt: skip
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
        rows = await self._pool.fetch(
            f"SELECT {sr.JOIN_COLS} FROM join_requests WHERE group_id = $1 AND user_id > $2"
            " AND ($3::smallint IS NULL OR state = $3) ORDER BY user_id LIMIT $4",
            group_id, after, None if state is None else int(state), limit + 1,
        )  # fmt: skip
        return make_page([sr.join(r) for r in rows], limit, lambda j: j.user_id)

    async def decide_join_request(
        self, group_id: int, user_id: int, *, approve: bool, decided_by: int
    ) -> JoinRequest:
        new_state = RequestState.APPROVED if approve else RequestState.REJECTED
        async with self._tx() as conn:
            row = await conn.fetchrow(
                "UPDATE join_requests SET state = $1, decided_by = $2"
                f" WHERE group_id = $3 AND user_id = $4 AND state = $5 RETURNING {sr.JOIN_COLS}",
                int(new_state), decided_by, group_id, user_id, sr.PENDING,
            )  # fmt: skip
            if row is None:
                raise NotFound("no pending join request")
            if approve:
                await conn.execute(
                    f"INSERT INTO group_members ({sr.MEMBER_COLS}) VALUES ($1, $2, $3, $4)"
                    " ON CONFLICT DO NOTHING",
                    group_id, user_id, int(GroupRole.MEMBER), self._clock(),
                )  # fmt: skip
            return sr.join(row)
