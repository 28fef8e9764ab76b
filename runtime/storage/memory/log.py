"""MessageLog in process memory (asyncio), for embedded mode.

One ordered partition. Each consumer starts at its group's committed offset (a new group
at the oldest retained record) and commit() stores its position, as with Kafka; run one
consumer per group at a time. append() returns the record's position (partition 0, its
offset) and committed() reports each group's position, so a WAL shipper can tell what the
group has processed. Like Kafka's retention, only the newest ``retain`` records
are kept beyond what every group has committed, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from ..models import LogRecord, Message
from ..ports import LogPosition


class MemoryMessageLog:
    def __init__(self, *, retain: int = 100_000) -> None:
        self._retain = retain
        self._records: list[Message] = []
        self._base = 0  # offset of self._records[0]
        self._committed: dict[str, int] = {}
        self._changed = asyncio.Condition()
        self._closed = False

    @property
    def end_offset(self) -> int:
        return self._base + len(self._records)

    async def append(self, message: Message) -> LogPosition:
        return (await self.append_many([message]))[0]

    async def append_many(self, messages: Sequence[Message]) -> list[LogPosition]:
        if self._closed:
            raise RuntimeError("message log is closed")
        async with self._changed:
            first = self.end_offset
            self._records.extend(messages)
            self._changed.notify_all()
        return [LogPosition(0, first + i) for i in range(len(messages))]

    async def committed(self, group: str) -> dict[int, int]:
        return {0: self._committed.get(group, 0)}

    def committed_position(self, group: str) -> int:
        return max(self._committed.get(group, self._base), self._base)

    async def consumer(self, group: str) -> MemoryLogConsumer:
        start = self._committed.setdefault(group, self._base)
        return MemoryLogConsumer(self, group, start)

    def _read(self, position: int, max_records: int) -> list[LogRecord]:
        first = max(position, self._base) - self._base
        chunk = self._records[first : first + max_records]
        return [
            LogRecord(message=m, partition=0, offset=self._base + first + i)
            for i, m in enumerate(chunk)
        ]

    async def _wait_beyond(self, position: int, timeout_ms: int) -> None:
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.end_offset > position or self._closed),
                    timeout_ms / 1000,
                )

    def _commit(self, group: str, position: int) -> None:
        self._committed[group] = max(self._committed.get(group, 0), position)
        # Records every group has committed can go, except the newest ``retain``.
        low = min(min(self._committed.values()), self.end_offset - self._retain)
        if low > self._base:
            del self._records[: low - self._base]
            self._base = low

    async def close(self) -> None:
        self._closed = True
        async with self._changed:
            self._changed.notify_all()


class MemoryLogConsumer:
    def __init__(self, log: MemoryMessageLog, group: str, position: int) -> None:
        self._log = log
        self._group = group
        self._position = position

    async def fetch(self, max_records: int = 500, timeout_ms: int = 1000) -> list[LogRecord]:
        if self._log.end_offset <= self._position:
            await self._log._wait_beyond(self._position, timeout_ms)
        records = self._log._read(self._position, max_records)
        if records:
            self._position = records[-1].offset + 1
        return records

    async def commit(self) -> None:
        self._log._commit(self._group, self._position)

    async def rewind(self) -> None:
        self._position = self._log.committed_position(self._group)

    async def close(self) -> None:
        return None
