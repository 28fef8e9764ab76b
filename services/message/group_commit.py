"""Group commit for the message store: inserts that arrive while a write is in flight are
written together by the next one, in arrival order.

The first insert is written at once (no added latency when idle); under load, one
transaction carries many messages, so the store's per-commit cost is shared. Futures are
resolved in arrival order, which keeps a channel's deliveries in seqnum order.
"""

from __future__ import annotations

import asyncio

from prim.runtime.batched_calls import BatchedCalls
from prim.runtime.storage.models import InsertResult, Message
from prim.runtime.storage.ports import MessageStore

DEFAULT_MAX_BATCH = 256


class GroupCommitWriter:
    detects_duplicates = True  # the store's unique idempotency key

    def __init__(self, store: MessageStore, *, max_batch: int = DEFAULT_MAX_BATCH) -> None:
        # insert_many is looked up per call: whatever wraps the store later is used too.
        self._inserts: BatchedCalls[Message, InsertResult] = BatchedCalls(
            lambda batch: store.insert_many(batch), max_batch=max_batch,
            name="prim-group-commit")

    def enqueue(self, message: Message) -> asyncio.Future[InsertResult]:
        """Queues `message` (without waiting: the caller's order is the write order); the
        future resolves once the store holds it."""
        return self._inserts.submit(message)

    async def drain(self) -> None:
        """Waits until everything queued so far is written."""
        await self._inserts.drain()
