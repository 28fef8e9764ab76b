"""AccountIdReservations on SQLite: ids drawn from the AUTOINCREMENT counter of ``users``
(sqlite_sequence), so create_user never assigns a reserved id."""

from __future__ import annotations

import sqlite3

from ..clock import wall_clock_ms
from ..errors import NotFound
from ..models import Clock, User
from .db import SqliteDatabase


class SqliteAccountIdReservations:
    def __init__(self, db: SqliteDatabase, *, clock: Clock = wall_clock_ms) -> None:
        self._db = db
        self._clock = clock

    async def reserve(self, expires_at: int) -> int:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> int:
            conn.execute("DELETE FROM account_id_reservations WHERE expires_at <= ?", (now,))
            # AUTOINCREMENT hands out max(seq, max(user_id)) + 1: bump the same counter.
            row = conn.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(user_id)"
                " FROM users), 0)) + 1 WHERE name = 'users' RETURNING seq"
            ).fetchone()
            if row is None:
                raise RuntimeError("users has no AUTOINCREMENT counter: migrations missing?")
            user_id = int(row[0])
            conn.execute(
                "INSERT INTO account_id_reservations (user_id, expires_at) VALUES (?, ?)",
                (user_id, expires_at),
            )
            return user_id

        return await self._db.write(tx)

    async def claim(self, user_id: int, nickname: str, password_hash: str) -> User:
        now = self._clock()

        def tx(conn: sqlite3.Connection) -> User:
            cur = conn.execute(
                "DELETE FROM account_id_reservations WHERE user_id = ? AND expires_at > ?",
                (user_id, now),
            )
            if cur.rowcount == 0:
                raise NotFound(f"account id {user_id} is not reserved")
            conn.execute(
                "INSERT INTO users (user_id, nickname, password_hash, created_at)"
                " VALUES (?, ?, ?, ?)",
                (user_id, nickname, password_hash, now),
            )
            return User(user_id=user_id, nickname=nickname, avatar="", signature="",
                        created_at=now)

        return await self._db.write(tx)

    async def is_reserved(self, user_id: int) -> bool:
        now = self._clock()
        row = await self._db.run(
            lambda c: c.execute(
                "SELECT 1 FROM account_id_reservations WHERE user_id = ? AND expires_at > ?",
                (user_id, now),
            ).fetchone()
        )
        return row is not None
