"""The asyncpg connection pool shared by the PostgreSQL adapters."""

from __future__ import annotations

from typing import Any

import asyncpg

from ..migrate import apply_postgres_migrations


class PostgresDatabase:
    def __init__(self, pool: Any) -> None:
        #: The asyncpg pool; adapters acquire connections from it per operation.
        self.pool: Any = pool

    @classmethod
    async def open(
        cls, dsn: str, *, migrate: bool = True, min_size: int = 1, max_size: int = 10
    ) -> PostgresDatabase:
        pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size,
                                         reset=_no_session_state)
        if migrate:
            try:
                async with pool.acquire() as conn:
                    await apply_postgres_migrations(conn)
            except BaseException:
                await pool.close()
                raise
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()


async def _no_session_state(conn: asyncpg.Connection) -> None:
    """The pool's reset on release. asyncpg's default (roll back, unlock advisory locks,
    close cursors, UNLISTEN, RESET ALL) is a round trip per release, i.e. per query here;
    the stores keep no session state (transaction-scoped advisory locks only, no LISTEN,
    no SET), so only a transaction left open (a cancelled caller) needs the full reset."""
    if conn.is_in_transaction():
        await conn.reset()
