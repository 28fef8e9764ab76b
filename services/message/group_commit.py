"""Group commit for the message store: inserts that arrive while a write is in flight are
written together by the next one, in arrival order.

The first insert is written at once (no added latency when idle); under load, one
transaction carries many messages, so the store's per-commit cost is shared. Futures are
resolved in arrival order, which keeps a channel's deliveries in seqnum order.
"""

from __future__ import annotations

import asyncio
from collections import deque

from prim.runtime.storage.models import InsertResult, Message
from prim.runtime.storage.ports import MessageStore

DEFAULT_MAX_BATCH = 256


class GroupCommitWriter:
    detects_duplicates = True  # the store's unique idempotency key

    def __init__(self, store: MessageStore, *, max_batch: int = DEFAULT_MAX_BATCH) -> None:
        self._store = store
        self._max_batch = max_batch
        self._queue: deque[tuple[Message, asyncio.Future[InsertResult]]] = deque()
        self._writer: asyncio.Task[None] | None = None

    def enqueue(self, message: Message) -> asyncio.Future[InsertResult]:
        """Queues `message` (without waiting: the caller's order is the write order); the
        future resolves once the store holds it."""
        future: asyncio.Future[InsertResult] = asyncio.get_running_loop().create_future()
        self._queue.append((message, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_all(), name="prim-group-commit")
        return future

    async def _write_all(self) -> None:
        try:
            while self._queue:
                count = min(len(self._queue), self._max_batch)
                batch = [self._queue.popleft() for _ in range(count)]
                try:
                    results = await self._store.insert_many([m for m, _ in batch])
                except Exception as exc:  # every message of the batch failed with it
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._writer = None

    async def drain(self) -> None:
        """Waits until everything queued so far is written."""
        while self._writer is not None:
            await asyncio.shield(self._writer)
