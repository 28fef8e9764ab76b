"""AccountStore on PostgreSQL: users, password hashes and sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from ..clock import wall_clock_ms
from ..errors import AlreadyExists, NotFound
from ..models import Clock, Session, User
from .db import PostgresDatabase

_USER_COLS = "user_id, nickname, avatar, signature, created_at"
_SESSION_COLS = "token_hash, user_id, device_id, created_at, expires_at, revoked"


def _user(r: Any) -> User:
    return User(r[0], r[1], r[2], r[3], r[4])


def _session(r: Any) -> Session:
    return Session(r[0], r[1], r[2], r[3], r[4], r[5])


class PostgresAccountStore:
    def __init__(self, db: PostgresDatabase, *, clock: Clock = wall_clock_ms) -> None:
        self._pool = db.pool
        self._clock = clock

    async def create_user(
        self, nickname: str, password_hash: str, *, avatar: str = "", signature: str = ""
    ) -> User:
        row = await self._pool.fetchrow(
            "INSERT INTO users (nickname, avatar, signature, password_hash, created_at)"
            f" VALUES ($1, $2, $3, $4, $5) RETURNING {_USER_COLS}",
            nickname, avatar, signature, password_hash, self._clock(),
        )  # fmt: skip
        return _user(row)

    async def get_user(self, user_id: int) -> User | None:
        row = await self._pool.fetchrow(
            f"SELECT {_USER_COLS} FROM users WHERE user_id = $1", user_id
        )
        return None if row is None else _user(row)

    async def get_users(self, user_ids: Sequence[int]) -> list[User]:
        rows = await self._pool.fetch(
            f"SELECT {_USER_COLS} FROM users WHERE user_id = ANY($1::bigint[]) ORDER BY user_id",
            list(user_ids),
        )
        return [_user(r) for r in rows]

    async def update_profile(
        self,
        user_id: int,
        *,
        nickname: str | None = None,
        avatar: str | None = None,
        signature: str | None = None,
    ) -> User:
        row = await self._pool.fetchrow(
            "UPDATE users SET nickname = COALESCE($1, nickname), avatar = COALESCE($2, avatar),"
            " signature = COALESCE($3, signature)"
            f" WHERE user_id = $4 RETURNING {_USER_COLS}",
            nickname, avatar, signature, user_id,
        )  # fmt: skip
        if row is None:
            raise NotFound(f"user {user_id}")
        return _user(row)

    async def get_password_hash(self, user_id: int) -> str | None:
        value = await self._pool.fetchval(
            "SELECT password_hash FROM users WHERE user_id = $1", user_id
        )
        return None if value is None else str(value)

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        status = await self._pool.execute(
            "UPDATE users SET password_hash = $1 WHERE user_id = $2", password_hash, user_id
        )
        if status == "UPDATE 0":
            raise NotFound(f"user {user_id}")

    async def delete_user(self, user_id: int) -> bool:
        # ON DELETE CASCADE removes sessions, friends, requests, blocks, memberships and
        # the groups the user owns.
        status = await self._pool.execute("DELETE FROM users WHERE user_id = $1", user_id)
        return bool(status != "DELETE 0")

    async def create_session(
        self, token_hash: str, user_id: int, device_id: str, expires_at: int
    ) -> Session:
        try:
            row = await self._pool.fetchrow(
                f"INSERT INTO sessions ({_SESSION_COLS}) VALUES ($1, $2, $3, $4, $5, FALSE)"
                f" RETURNING {_SESSION_COLS}",
                token_hash, user_id, device_id, self._clock(), expires_at,
            )  # fmt: skip
        except asyncpg.UniqueViolationError as exc:
            raise AlreadyExists("session token hash already used") from exc
        except asyncpg.ForeignKeyViolationError as exc:
            raise NotFound(f"user {user_id}") from exc
        return _session(row)

    async def get_session(self, token_hash: str) -> Session | None:
        row = await self._pool.fetchrow(
            f"SELECT {_SESSION_COLS} FROM sessions"
            " WHERE token_hash = $1 AND NOT revoked AND expires_at > $2",
            token_hash, self._clock(),
        )  # fmt: skip
        return None if row is None else _session(row)

    async def list_sessions(self, user_id: int) -> list[Session]:
        rows = await self._pool.fetch(
            f"SELECT {_SESSION_COLS} FROM sessions WHERE user_id = $1 AND NOT revoked"
            " AND expires_at > $2 ORDER BY created_at, token_hash",
            user_id, self._clock(),
        )  # fmt: skip
        return [_session(r) for r in rows]

    async def revoke_session(self, token_hash: str) -> bool:
        status = await self._pool.execute(
            "UPDATE sessions SET revoked = TRUE"
            " WHERE token_hash = $1 AND NOT revoked AND expires_at > $2",
            token_hash, self._clock(),
        )  # fmt: skip
        return bool(status != "UPDATE 0")

    async def revoke_user_sessions(
        self, user_id: int, *, except_token_hash: str | None = None
    ) -> int:
        status = await self._pool.execute(
            "UPDATE sessions SET revoked = TRUE WHERE user_id = $1 AND NOT revoked"
            " AND expires_at > $2 AND token_hash IS DISTINCT FROM $3",
            user_id, self._clock(), except_token_hash,
        )  # fmt: skip
        return int(status.split()[-1])

    async def purge_expired_sessions(self) -> int:
        status = await self._pool.execute(
            "DELETE FROM sessions WHERE revoked OR expires_at <= $1", self._clock()
        )
        return int(status.split()[-1])
