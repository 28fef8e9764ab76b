"""AccountStore on SQLite: users, password hashes and sessions."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from ..clock import wall_clock_ms
from ..errors import AlreadyExists, NotFound
from ..models import Clock, Session, User
from .db import SqliteDatabase

_USER_COLS = "user_id, nickname, avatar, signature, created_at"
_SESSION_COLS = "token_hash, user_id, device_id, created_at, expires_at, revoked"


def _user(row: Any) -> User:
    return User(
        user_id=int(row[0]),
        nickname=str(row[1]),
        avatar=str(row[2]),
        signature=str(row[3]),
        created_at=int(row[4]),
    )


def _session(row: Any) -> Session:
    return Session(
        token_hash=str(row[0]),
        user_id=int(row[1]),
        device_id=str(row[2]),
        created_at=int(row[3]),
        expires_at=int(row[4]),
        revoked=bool(row[5]),
    )


class SqliteAccountStore:
    def __init__(self, db: SqliteDatabase, *, clock: Clock = wall_clock_ms) -> None:
        self._db = db
        self._clock = clock

    async def create_user(
        self, nickname: str, password_hash: str, *, avatar: str = "", signature: str = ""
    ) -> User:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> User:
            row = conn.execute(
                "INSERT INTO users (nickname, avatar, signature, password_hash, created_at)"
                f" VALUES (?, ?, ?, ?, ?) RETURNING {_USER_COLS}",
                (nickname, avatar, signature, password_hash, now),
            ).fetchone()
            return _user(row)

        return await self._db.write(tx)

    async def get_user(self, user_id: int) -> User | None:
        row = await self._db.run(
            lambda c: c.execute(
                f"SELECT {_USER_COLS} FROM users WHERE user_id = ?", (user_id,)
            ).fetchone()
        )
        return None if row is None else _user(row)

    async def get_users(self, user_ids: Sequence[int]) -> list[User]:
        ids = sorted(set(user_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = await self._db.run(
            lambda c: c.execute(
                f"SELECT {_USER_COLS} FROM users WHERE user_id IN ({marks}) ORDER BY user_id",
                ids,
            ).fetchall()
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
        def tx(conn: sqlite3.Connection) -> User:
            row = conn.execute(
                "UPDATE users SET nickname = COALESCE(?, nickname),"
                " avatar = COALESCE(?, avatar), signature = COALESCE(?, signature)"
                f" WHERE user_id = ? RETURNING {_USER_COLS}",
                (nickname, avatar, signature, user_id),
            ).fetchone()
            if row is None:
                raise NotFound(f"user {user_id}")
            return _user(row)

        return await self._db.write(tx)

    async def get_password_hash(self, user_id: int) -> str | None:
        row = await self._db.run(
            lambda c: c.execute(
                "SELECT password_hash FROM users WHERE user_id = ?", (user_id,)
            ).fetchone()
        )
        return None if row is None else str(row[0])

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        def tx(conn: sqlite3.Connection) -> None:
            cur = conn.execute(
                "UPDATE users SET password_hash = ? WHERE user_id = ?", (password_hash, user_id)
            )
            if cur.rowcount == 0:
                raise NotFound(f"user {user_id}")

        await self._db.write(tx)

    async def delete_user(self, user_id: int) -> bool:
        # ON DELETE CASCADE removes sessions, friends, requests, blocks, memberships and
        # the groups the user owns.
        def tx(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM users WHERE user_id = ?", (user_id,)).rowcount > 0

        return await self._db.write(tx)

    async def create_session(
        self, token_hash: str, user_id: int, device_id: str, expires_at: int
    ) -> Session:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> Session:
            if conn.execute("SELECT 1 FROM users WHERE user_id = ?", (user_id,)).fetchone() is None:
                raise NotFound(f"user {user_id}")
            try:
                row = conn.execute(
                    f"INSERT INTO sessions ({_SESSION_COLS}) VALUES (?, ?, ?, ?, ?, 0)"
                    f" RETURNING {_SESSION_COLS}",
                    (token_hash, user_id, device_id, now, expires_at),
                ).fetchone()
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists("session token hash already used") from exc
            return _session(row)

        return await self._db.write(tx)

    async def get_session(self, token_hash: str) -> Session | None:
        now = self._clock()
        row = await self._db.run(
            lambda c: c.execute(
                f"SELECT {_SESSION_COLS} FROM sessions"
                " WHERE token_hash = ? AND revoked = 0 AND expires_at > ?",
                (token_hash, now),
            ).fetchone()
        )
        return None if row is None else _session(row)

    async def list_sessions(self, user_id: int) -> list[Session]:
        now = self._clock()
        rows = await self._db.run(
            lambda c: c.execute(
                f"SELECT {_SESSION_COLS} FROM sessions WHERE user_id = ? AND revoked = 0"
                " AND expires_at > ? ORDER BY created_at, token_hash",
                (user_id, now),
            ).fetchall()
        )
        return [_session(r) for r in rows]

    async def revoke_session(self, token_hash: str) -> bool:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "UPDATE sessions SET revoked = 1"
                " WHERE token_hash = ? AND revoked = 0 AND expires_at > ?",
                (token_hash, now),
            )
            return cur.rowcount > 0

        return await self._db.write(tx)

    async def revoke_user_sessions(
        self, user_id: int, *, except_token_hash: str | None = None
    ) -> int:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                "UPDATE sessions SET revoked = 1 WHERE user_id = ? AND revoked = 0"
                " AND expires_at > ? AND token_hash IS NOT ?",
                (user_id, now, except_token_hash),
            )
            return cur.rowcount

        return await self._db.write(tx)

    async def purge_expired_sessions(self) -> int:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> int:
            cur = conn.execute("DELETE FROM sessions WHERE revoked = 1 OR expires_at <= ?", (now,))
            return cur.rowcount

        return await self._db.write(tx)
