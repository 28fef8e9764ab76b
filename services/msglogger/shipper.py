"""Ships the write-ahead log to the message log (Kafka) and releases what has been persisted.

The WAL is the message node's durability point; Kafka and the msgprocessor make messages
durable in PostgreSQL later. The shipper produces WAL records in LSN order, remembers where
each landed (partition, offset), and asks the broker how far the msgprocessor's consumer
group has committed: once every record up to LSN L sits below its partition's committed
offset, L is persisted downstream and the WAL may drop it (release_through).

Nothing acknowledged is lost when Kafka is away: records stay in the WAL (and, bounded, in
memory) and production is retried with backoff until it succeeds. Everything downstream is
idempotent, so shipping a record twice (after a crash, a retry, a restart) is harmless:
that is how the start-up replay works, it simply ships everything the WAL still holds.

Records normally come from notify() (the node calls it when wal.append returned); an LSN
that is not notified soon (a late or missing call, the start-up backlog, a full queue) is
read back from the WAL, so the shipped sequence never has a gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from prim.runtime.storage.consumer import DEFAULT_GROUP
from prim.runtime.storage.models import Message
from prim.runtime.storage.ports import MessageLog

from .wal import WriteAheadLog

log = logging.getLogger(__name__)

_BACKOFF_FIRST = 0.1
_BACKOFF_MAX = 5.0


@dataclass(frozen=True, slots=True)
class ShipperStats:
    shipped: int  # records produced by this process (re-shipped ones included)
    released_through: int  # the WAL's checkpoint: every LSN up to it is persisted
    pending: int  # durable WAL records not produced yet
    unreleased: int  # produced, waiting for the consumer group to commit past them
    produce_failures: int  # failed produce attempts (each retried)


class WalShipper:
    def __init__(
        self,
        wal: WriteAheadLog,
        log: MessageLog,
        *,
        group: str = DEFAULT_GROUP,
        poll_interval: float = 1.0,
        batch_size: int = 500,
        max_queued: int = 100_000,
    ) -> None:
        """``poll_interval``: how often the group's committed offsets are read, and how long
        an un-notified LSN is awaited before it is read from the WAL. ``max_queued`` bounds
        the notified records held in memory; beyond it they are read back from the WAL."""
        self._wal = wal
        self._log = log
        self._group = group
        self._poll_interval = poll_interval
        self._batch_size = batch_size
        self._max_queued = max_queued
        self._cursor = wal.checkpoint + 1  # the next LSN to produce
        self._released_through = wal.checkpoint
        self._queued: dict[int, Message] = {}
        self._reader: Iterator[tuple[int, Message]] | None = None  # WAL read-back
        self._reader_next = 0  # the LSN self._reader yields next
        self._backlog_through = 0  # the start-up replay: read from the WAL at once
        self._unreleased: deque[tuple[int, int, int]] = deque()  # (lsn, partition, offset)
        self._shipped = 0
        self._failures = 0
        self._notified = asyncio.Event()
        self._progress = asyncio.Event()  # replaced after each shipped batch
        self._tasks: list[asyncio.Task[None]] = []
        self._release_lock = asyncio.Lock()

    @property
    def stats(self) -> ShipperStats:
        return ShipperStats(
            shipped=self._shipped,
            released_through=self._released_through,
            pending=max(0, self._wal.durable_lsn + 1 - self._cursor),
            unreleased=len(self._unreleased),
            produce_failures=self._failures,
        )

    async def start(self) -> None:
        """Starts shipping, beginning with every record the WAL still holds (the crash
        replay), then what notify() hands over. Returns at once: an unreachable broker does
        not hold up the node (drain() waits for the replay to be shipped)."""
        if self._tasks:
            raise RuntimeError("WalShipper already started")
        self._backlog_through = self._wal.durable_lsn
        self._tasks = [
            asyncio.create_task(self._ship_loop(), name="wal-shipper"),
            asyncio.create_task(self._release_loop(), name="wal-release"),
        ]

    def notify(self, lsn: int, message: Message) -> None:
        """Hands over a record the WAL has just made durable (call after wal.append)."""
        if lsn < self._cursor or len(self._queued) >= self._max_queued:
            return  # already shipped, or left in the WAL to be read back
        self._queued[lsn] = message
        self._notified.set()

    async def drain(self, timeout: float | None = None) -> bool:
        """Waits until every record durable now (and every one notified) is produced;
        False if ``timeout`` seconds passed first."""
        target = max(self._wal.durable_lsn, max(self._queued, default=0))
        try:
            async with asyncio.timeout(timeout):
                while self._cursor <= target:
                    await self._progress.wait()
        except TimeoutError:
            return False
        return True

    async def stop(self, timeout: float = 5.0) -> None:
        """Ships what is queued if the broker takes it within ``timeout`` seconds, then
        stops; anything left stays in the WAL for the next start."""
        if not self._tasks:
            return
        if not await self.drain(timeout):
            log.warning(
                "WAL shipper stopping with %d records not produced; they stay in the WAL and"
                " are shipped on the next start",
                self.stats.pending,
            )
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    # -- producing ---------------------------------------------------------------------------
    async def _ship_loop(self) -> None:
        while True:
            try:
                await self._ship()
            except Exception:  # a bug or an unreadable WAL: keep trying, loudly
                log.exception("WAL shipper failed; retrying")
                await asyncio.sleep(self._poll_interval)

    async def _ship(self) -> None:
        missing_since: float | None = None  # when the LSN at the cursor was first awaited
        while True:
            batch = self._take_queued()
            if not batch and self._cursor <= self._wal.durable_lsn:
                now = time.monotonic()
                if missing_since is None:
                    missing_since = now
                if (
                    self._cursor <= self._backlog_through
                    or now - missing_since >= self._poll_interval
                    or len(self._queued) >= self._max_queued
                ):
                    batch = await self._read_back()
                    if not batch:  # cannot happen while the WAL keeps what is unshipped
                        raise RuntimeError(f"WAL record {self._cursor} could not be read")
            if not batch:
                wait = self._poll_interval
                if missing_since is not None and self._cursor <= self._wal.durable_lsn:
                    wait = max(0.0, missing_since + self._poll_interval - time.monotonic())
                self._notified.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._notified.wait()
                continue
            missing_since = None
            await self._produce(batch)

    def _take_queued(self) -> list[tuple[int, Message]]:
        """The notified records from the cursor on, as long as they run without a gap."""
        batch: list[tuple[int, Message]] = []
        lsn = self._cursor
        while len(batch) < self._batch_size and lsn in self._queued:
            batch.append((lsn, self._queued.pop(lsn)))
            lsn += 1
        return batch

    async def _read_back(self) -> list[tuple[int, Message]]:
        """Records from the cursor on, read from the WAL (in a thread: blocking file I/O)."""
        if self._reader is not None and self._reader_next == self._cursor:
            batch = await self._read_batch(self._reader)
            if batch:
                return batch
        # A reader stops at what was durable when it was made: start a fresh one.
        self._reader = self._wal.records(after=self._cursor - 1)
        return await self._read_batch(self._reader)

    async def _read_batch(self, reader: Iterator[tuple[int, Message]]) -> list[tuple[int, Message]]:
        batch = await asyncio.to_thread(lambda: list(itertools.islice(reader, self._batch_size)))
        if len(batch) < self._batch_size:
            self._reader = None  # exhausted
        if batch:
            self._reader_next = batch[-1][0] + 1
            for lsn, _ in batch:
                self._queued.pop(lsn, None)
        return batch

    async def _produce(self, batch: list[tuple[int, Message]]) -> None:
        """Produces ``batch`` (in LSN order, starting at the cursor), retrying until the
        log takes it; one warning per outage, not per record or attempt."""
        delay = _BACKOFF_FIRST
        failed_attempts = 0
        while True:
            try:
                positions = await self._log.append_many([m for _, m in batch])
                break
            except Exception as exc:
                failed_attempts += 1
                self._failures += 1
                if failed_attempts == 1:
                    log.warning(
                        "message log unreachable (%r); %d records wait in the WAL, retrying",
                        exc, self.stats.pending,
                    )  # fmt: skip
                await asyncio.sleep(delay)
                delay = min(delay * 2, _BACKOFF_MAX)
        if failed_attempts:
            log.warning("message log reachable again after %d failed attempts", failed_attempts)
        for (lsn, _), position in zip(batch, positions, strict=True):
            self._unreleased.append((lsn, position.partition, position.offset))
        self._cursor = batch[-1][0] + 1
        self._shipped += len(batch)
        progress, self._progress = self._progress, asyncio.Event()
        progress.set()

    # -- releasing ---------------------------------------------------------------------------
    async def _release_loop(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(self._poll_interval)
            try:
                await self.release_once()
            except Exception as exc:
                if not failing:
                    log.warning("cannot read the committed offsets of %s: %r", self._group, exc)
                failing = True
            else:
                failing = False

    async def release_once(self) -> int:
        """Reads the group's committed offsets and releases the WAL through the highest LSN
        L such that every record up to L is below its partition's committed offset.
        Returns the highest LSN released so far."""
        async with self._release_lock:
            if not self._unreleased:
                return self._released_through
            committed = await self._log.committed(self._group)
            count = 0
            through = 0
            for lsn, partition, offset in self._unreleased:
                if offset >= committed.get(partition, 0):
                    break
                count += 1
                through = lsn
            if count:
                await self._wal.release_through(through)
                for _ in range(count):
                    self._unreleased.popleft()
                self._released_through = through
            return self._released_through
