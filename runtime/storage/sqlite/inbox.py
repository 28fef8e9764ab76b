"""InboxStore on SQLite, for the embedded wiring: the inbox and read markers survive a
restart like history does. Upserts keep the maximum, so news and markers only move forward.
A group's news is one row (user_id = peer_id = the group), read through the primary key for
each of the reader's groups; rows of a group under a member (written before migration 0008)
are ignored."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence

from ..models import GROUP_ID_BASE, InboxEntry, Page
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
        await self.record_inbox_entries([(user_id, peer_id, seqnum, ts)])

    async def record_inbox_entries(self, entries: Sequence[tuple[int, int, int, int]]) -> None:
        if entries:  # one-to-one messages' entries: short, on the message path
            rows = list(entries)
            await self._db.write_now(lambda c: c.executemany(_RECORD, rows))

    async def get_inbox(
        self, user_id: int, since: int, *, groups: Mapping[int, int] | None = None,
        offset: int = 0, limit: int = 100,
    ) -> Page[InboxEntry]:
        check_limit(limit)
        # SQLite integers are signed 64-bit; nothing is stored beyond that anyway.
        since, offset = min(since, _INT64_MAX), min(offset, _INT64_MAX)
        # The groups go in as one JSON parameter (any number of them): [[id, since], ...].
        floors = json.dumps([[g, min(max(since, joined), _INT64_MAX)]
                             for g, joined in (groups or {}).items()])
        rows = await self._db.run(lambda c: c.execute(
            "SELECT peer_id, last_seqnum, last_ts FROM inbox"
            " WHERE user_id = ? AND peer_id < ? AND last_ts >= ?"
            " UNION ALL"
            " SELECT i.peer_id, i.last_seqnum, i.last_ts FROM json_each(?) g JOIN inbox i"
            " ON i.user_id = g.value ->> 0 AND i.peer_id = g.value ->> 0"
            " WHERE i.last_ts >= g.value ->> 1"
            " ORDER BY 3 DESC, 1 LIMIT ? OFFSET ?",
            (user_id, GROUP_ID_BASE, since, floors, limit + 1, offset)).fetchall())
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
