"""InboxStore in process memory: for tests and a PostgreSQL database without Redis (lost on
restart; the embedded wiring uses SQLite, the cluster Redis)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..models import InboxEntry, Page, is_group_id
from ..paging import check_limit, offset_page


class MemoryInboxStore:
    def __init__(self) -> None:
        # user (or group: its own news) -> peer -> (last seqnum, last ts)
        self._inbox: dict[int, dict[int, tuple[int, int]]] = {}
        self._read: dict[int, dict[str, int]] = {}

    # No awaits inside these methods, so each runs atomically on the event loop.
    async def record_inbox(self, user_id: int, peer_id: int, seqnum: int, ts: int) -> None:
        entries = self._inbox.setdefault(user_id, {})
        old_seq, old_ts = entries.get(peer_id, (0, 0))
        entries[peer_id] = (max(old_seq, seqnum), max(old_ts, ts))

    async def record_inbox_entries(self, entries: Sequence[tuple[int, int, int, int]]) -> None:
        for user_id, peer_id, seqnum, ts in entries:
            await self.record_inbox(user_id, peer_id, seqnum, ts)

    async def get_inbox(
        self, user_id: int, since: int, *, groups: Mapping[int, int] | None = None,
        offset: int = 0, limit: int = 100,
    ) -> Page[InboxEntry]:
        check_limit(limit)
        entries = [
            InboxEntry(peer, seq, ts)
            for peer, (seq, ts) in self._inbox.get(user_id, {}).items()
            if ts >= since and not is_group_id(peer)
        ]
        for group, joined_at in (groups or {}).items():
            news = self._inbox.get(group, {}).get(group)
            if news is not None and news[1] >= max(since, joined_at):
                entries.append(InboxEntry(group, *news))
        entries.sort(key=lambda e: (-e.last_ts, e.peer_id))
        return offset_page(entries, offset, limit)

    async def set_read_marker(self, user_id: int, channel: str, seqnum: int) -> int:
        markers = self._read.setdefault(user_id, {})
        markers[channel] = max(markers.get(channel, 0), seqnum)
        return markers[channel]

    async def get_read_markers(self, user_id: int, channels: Sequence[str]) -> dict[str, int]:
        markers = self._read.get(user_id, {})
        return {c: markers.get(c, 0) for c in channels}

    async def forget_user(self, user_id: int) -> None:
        self._inbox.pop(user_id, None)
        self._read.pop(user_id, None)

    async def close(self) -> None:
        return None
