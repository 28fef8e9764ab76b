"""SeqnumStore on PostgreSQL: one row per channel section, raised with GREATEST."""

from __future__ import annotations

from .db import PostgresDatabase


class PostgresSeqnumStore:
    def __init__(self, db: PostgresDatabase, *, owns_db: bool = False) -> None:
        self._db = db
        self._owns_db = owns_db

    async def load(self) -> dict[int, int]:
        rows = await self._db.pool.fetch("SELECT section, ceiling FROM seqnum_ceilings")
        return {int(r[0]): int(r[1]) for r in rows}

    async def get(self, section: int) -> int:
        value = await self._db.pool.fetchval(
            "SELECT ceiling FROM seqnum_ceilings WHERE section = $1", section
        )
        return 0 if value is None else int(value)

    async def save(self, section: int, ceiling: int) -> int:
        # A commit in PostgreSQL is durable (fsync'd WAL) before this returns.
        value = await self._db.pool.fetchval(
            "INSERT INTO seqnum_ceilings (section, ceiling) VALUES ($1, $2)"
            " ON CONFLICT (section) DO UPDATE"
            " SET ceiling = GREATEST(seqnum_ceilings.ceiling, excluded.ceiling)"
            " RETURNING ceiling",
            section, ceiling,
        )  # fmt: skip
        return int(value)

    async def close(self) -> None:
        if self._owns_db:
            await self._db.close()
