"""SeqnumStore on PostgreSQL: one row per channel section, raised with GREATEST.

Several seqnum instances share the table, so each row also carries a lease: the instance
(``owner``) that alone may raise the section's ceiling, until ``lease_until``. Expiry is
measured on the database's clock, never the callers', so instances on machines whose clocks
disagree still agree on who holds a section. Fencing is in the statement that raises the
ceiling: an instance whose lease lapsed cannot raise it any more, so it cannot hand out
numbers above a ceiling its successor already resumed from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .db import PostgresDatabase

# The database's wall clock in ms; clock_timestamp() (not now()) is the time of the statement
# itself, not of the start of its transaction.
_NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint"


@dataclass(frozen=True, slots=True)
class SectionLease:
    """The answer to `acquire`: granted with the section's ceiling, or refused naming the
    live holder (and how long its lease still runs)."""

    granted: bool
    ceiling: int
    holder: str
    expires_in_ms: int


class PostgresSeqnumStore:
    def __init__(self, db: PostgresDatabase, *, owns_db: bool = False) -> None:
        self._db = db
        self._owns_db = owns_db

    # -- the SeqnumStore port (one allocator, no leases: the embedded wiring) -----------------
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

    # -- leases (several seqnum instances) ----------------------------------------------------
    async def acquire(self, section: int, owner: str, ttl_ms: int) -> SectionLease:
        """Takes or renews the lease of `section` for `ttl_ms` if it is free, expired or
        already `owner`'s; the ceiling returned may have been raised by a previous owner."""
        # ON CONFLICT DO UPDATE locks the row and checks WHERE against its latest version, so
        # of two instances racing for a free section exactly one gets it.
        ceiling = await self._db.pool.fetchval(
            "INSERT INTO seqnum_ceilings AS s (section, ceiling, owner, lease_until)"
            f" VALUES ($1, 0, $2, {_NOW_MS} + $3)"
            " ON CONFLICT (section) DO UPDATE"
            " SET owner = excluded.owner, lease_until = excluded.lease_until"
            f" WHERE s.owner IS NULL OR s.owner = excluded.owner OR s.lease_until <= {_NOW_MS}"
            " RETURNING ceiling",
            section, owner, ttl_ms,
        )  # fmt: skip
        if ceiling is not None:
            return SectionLease(True, int(ceiling), owner, ttl_ms)
        row = await self._db.pool.fetchrow(
            f"SELECT ceiling, owner, lease_until - {_NOW_MS} FROM seqnum_ceilings"
            " WHERE section = $1",
            section,
        )
        if row is None:  # rows are never deleted; kept for the type checker's sake
            return SectionLease(False, 0, "", 0)
        # The holder may have let go between the two statements: still a refusal (the caller
        # retries), with the expiry clamped at 0.
        return SectionLease(False, int(row[0]), str(row[1] or ""), max(int(row[2]), 0))

    async def save_leased(self, section: int, ceiling: int, owner: str,
                          ttl_ms: int) -> int | None:
        """Raises the ceiling (never lowers it) and extends the lease, only while `owner`
        holds an unexpired lease; the stored ceiling, or None when the lease is lost."""
        value = await self._db.pool.fetchval(
            "UPDATE seqnum_ceilings"
            f" SET ceiling = GREATEST(ceiling, $2), lease_until = {_NOW_MS} + $4"
            f" WHERE section = $1 AND owner = $3 AND lease_until > {_NOW_MS}"
            " RETURNING ceiling",
            section, ceiling, owner, ttl_ms,
        )  # fmt: skip
        return None if value is None else int(value)

    async def renew(self, owner: str, sections: Iterable[int], ttl_ms: int) -> set[int]:
        """Extends `owner`'s unexpired leases among `sections`; returns those renewed."""
        wanted = list(sections)
        if not wanted:
            return set()
        rows = await self._db.pool.fetch(
            f"UPDATE seqnum_ceilings SET lease_until = {_NOW_MS} + $3"
            f" WHERE owner = $1 AND section = ANY($2::bigint[]) AND lease_until > {_NOW_MS}"
            " RETURNING section",
            owner, wanted, ttl_ms,
        )  # fmt: skip
        return {int(r[0]) for r in rows}

    async def release(self, owner: str) -> None:
        """Gives up every lease of `owner` (a clean shutdown), so successors need not wait
        for the leases to expire."""
        await self._db.pool.execute(
            "UPDATE seqnum_ceilings SET owner = NULL, lease_until = 0 WHERE owner = $1", owner
        )

    async def close(self) -> None:
        if self._owns_db:
            await self._db.close()
