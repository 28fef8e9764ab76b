"""InboxStore on SQLite, for the embedded wiring: the inbox and read markers survive a
restart like history does. Upserts keep the maximum, so news and markers only move forward."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..models import InboxEntry, Page
from ..paging import check_limit
from .db import SqliteDatabase

_INT64_MAX = (1 << 63) - 1
_RECORD = (
    "INSERT INTO inbox (user_id, peer_id, last_seqnum, last_ts) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (user_id, peer_id) DO UPDATE SET"
    " last_seqnum = MAX(last_seqnum, excluded.last_seqnum),"
    " last_ts = MAX(last_ts, excluded.last_ts)"
)


class SqliteInboxStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def record_inbox(self, user_id: int, peer_id: int, seqnum: int, ts: int) -> None:
        await self.record_inbox_many([user_id], peer_id, seqnum, ts)

    async def record_inbox_many(self, user_ids: Sequence[int], peer_id: int, seqnum: int,
                                ts: int) -> None:
        if not user_ids:
            return
        rows = [(user_id, peer_id, seqnum, ts) for user_id in user_ids]
        await self._db.write(lambda c: c.executemany(_RECORD, rows))

    async def record_inbox_entries(self, entries: Sequence[tuple[int, int, int, int]]) -> None:
        if entries:
            rows = list(entries)
            await self._db.write(lambda c: c.executemany(_RECORD, rows))

    async def get_inbox(
        self, user_id: int, since: int, *, offset: int = 0, limit: int = 100
    ) -> Page[InboxEntry]:
        check_limit(limit)
        # SQLite integers are signed 64-bit; nothing is stored beyond that anyway.
        since, offset = min(since, _INT64_MAX), min(offset, _INT64_MAX)
        rows = await self._db.run(lambda c: c.execute(
            "SELECT peer_id, last_seqnum, last_ts FROM inbox WHERE user_id = ? AND last_ts >= ?"
            " ORDER BY last_ts DESC, peer_id LIMIT ? OFFSET ?",
            (user_id, since, limit + 1, offset)).fetchall())
        entries = [InboxEntry(int(p), int(s), int(t)) for p, s, t in rows]
        more = len(entries) > limit
        return Page(entries[:limit], offset + limit if more else None)

    async def set_read_marker(self, user_id: int, channel: str, seqnum: int) -> int:
        def tx(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "INSERT INTO read_markers (user_id, channel, seqnum) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id, channel) DO UPDATE SET"
                " seqnum = MAX(seqnum, excluded.seqnum) RETURNING seqnum",
                (user_id, channel, seqnum)).fetchone()
            return int(row[0])

        return await self._db.write(tx)

    async def get_read_markers(self, user_id: int, channels: Sequence[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(channels))
        if not wanted:
            return {}
        marks = ", ".join("?" * len(wanted))
        rows = await self._db.run(lambda c: c.execute(
            f"SELECT channel, seqnum FROM read_markers WHERE user_id = ? AND channel IN ({marks})",
            (user_id, *wanted)).fetchall())
        stored = {str(ch): int(s) for ch, s in rows}
        return {ch: stored.get(ch, 0) for ch in channels}

    async def forget_user(self, user_id: int) -> None:
        def tx(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM inbox WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM read_markers WHERE user_id = ?", (user_id,))

        await self._db.write(tx)

    async def close(self) -> None:
        return None  # the database is closed by its owner
