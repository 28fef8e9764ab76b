"""The msgprocessor's log consumer: copies the message log into the message store once.

Kafka delivers at least once, so a record can come twice (a crash between writing and
committing, a rebalance, a replay from the start). Each batch is written before its offsets
are committed, and writing is idempotent (primary key (channel, seqnum) and the
idempotency key, ON CONFLICT DO NOTHING): replaying the whole log writes nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .errors import AlreadyExists
from .models import InsertResult, LogRecord, Message
from .ports import LogConsumer, MessageLog, MessageStore

log = logging.getLogger(__name__)

DEFAULT_GROUP = "prim.msgprocessor"


@dataclass(slots=True)
class PersistStats:
    fetched: int = 0
    inserted: int = 0
    duplicates: int = 0
    #: Records whose (channel, seqnum) already holds a different message: a seqnum
    #: allocation bug upstream. Logged and skipped so the log keeps moving.
    conflicts: int = 0

    def add(self, other: PersistStats) -> None:
        self.fetched += other.fetched
        self.inserted += other.inserted
        self.duplicates += other.duplicates
        self.conflicts += other.conflicts


class LogPersister:
    def __init__(
        self,
        log: MessageLog,
        store: MessageStore,
        *,
        group: str = DEFAULT_GROUP,
        on_persisted: Callable[[list[Message]], Awaitable[None]] | None = None,
    ) -> None:
        self._log = log
        self._store = store
        self._group = group
        self._on_persisted = on_persisted
        self._consumer: LogConsumer | None = None
        self.stats = PersistStats()

    async def start(self) -> None:
        self._consumer = await self._log.consumer(self._group)

    async def run_once(self, max_records: int = 500, timeout_ms: int = 1000) -> PersistStats:
        """Fetches one batch, writes it, then commits; returns what happened."""
        if self._consumer is None:
            await self.start()
        assert self._consumer is not None
        records = await self._consumer.fetch(max_records=max_records, timeout_ms=timeout_ms)
        batch = PersistStats(fetched=len(records))
        if not records:
            return batch
        try:
            batch = await self._persist(records, batch)
        except BaseException:
            # Nothing of this batch is committed; the next fetch must see it again, not
            # the records after it (a later commit would skip it for good).
            await self._consumer.rewind()
            raise
        await self._consumer.commit()
        self.stats.add(batch)
        return batch

    async def _persist(self, records: list[LogRecord], batch: PersistStats) -> PersistStats:
        messages = [r.message for r in records]
        # `held`: the records the store now holds under their own seqnum, new or not. The
        # inbox hears of all of them: a batch whose inbox write failed is fetched again,
        # and its messages then come back as duplicates (inbox writes only move forward).
        held: list[Message] = []
        try:
            results = await self._store.insert_many(messages)
        except AlreadyExists:
            # The batch transaction was rolled back; redo it one by one to isolate the
            # conflicting record(s).
            results = []
            for m in messages:
                try:
                    results.append(await self._store.insert(m))
                except AlreadyExists:
                    batch.conflicts += 1
                    log.error("seqnum conflict for %s#%d, record skipped", m.channel, m.seqnum)
                    results.append(InsertResult(m.seqnum, inserted=False, conflict=True))
        for m, result in zip(messages, results, strict=True):
            batch.inserted += result.inserted
            if result.inserted or (not result.conflict and result.seqnum == m.seqnum):
                held.append(m)
        batch.duplicates = len(messages) - batch.inserted - batch.conflicts
        if self._on_persisted is not None and held:
            await self._on_persisted(held)  # the whole batch at once: one inbox write
        return batch

    async def run(self, stop: asyncio.Event, *, max_records: int = 500) -> None:
        """Persists until ``stop`` is set."""
        while not stop.is_set():
            await self.run_once(max_records=max_records, timeout_ms=200)

    async def close(self) -> None:
        if self._consumer is not None:
            await self._consumer.close()
            self._consumer = None
