"""AccountIdReservations on PostgreSQL: ids drawn from the identity sequence of ``users``,
so create_user never assigns a reserved id."""

from __future__ import annotations

from ..clock import wall_clock_ms
from ..errors import NotFound
from ..models import Clock, User
from .db import PostgresDatabase


class PostgresAccountIdReservations:
    def __init__(self, db: PostgresDatabase, *, clock: Clock = wall_clock_ms) -> None:
        self._pool = db.pool
        self._clock = clock

    async def reserve(self, expires_at: int) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "DELETE FROM account_id_reservations WHERE expires_at <= $1", self._clock()
            )
            user_id = await conn.fetchval(
                "INSERT INTO account_id_reservations (user_id, expires_at)"
                " VALUES (nextval(pg_get_serial_sequence('users', 'user_id')), $1)"
                " RETURNING user_id",
                expires_at,
            )
        return int(user_id)

    async def claim(self, user_id: int, nickname: str, password_hash: str) -> User:
        now = self._clock()
        async with self._pool.acquire() as conn, conn.transaction():
            status = await conn.execute(
                "DELETE FROM account_id_reservations WHERE user_id = $1 AND expires_at > $2",
                user_id, now,
            )  # fmt: skip
            if status == "DELETE 0":
                raise NotFound(f"account id {user_id} is not reserved")
            await conn.execute(
                "INSERT INTO users (user_id, nickname, password_hash, created_at)"
                " VALUES ($1, $2, $3, $4)",
                user_id, nickname, password_hash, now,
            )  # fmt: skip
        return User(user_id=user_id, nickname=nickname, avatar="", signature="", created_at=now)

    async def is_reserved(self, user_id: int) -> bool:
        found = await self._pool.fetchval(
            "SELECT 1 FROM account_id_reservations WHERE user_id = $1 AND expires_at > $2",
            user_id, self._clock(),
        )  # fmt: skip
        return found is not None
