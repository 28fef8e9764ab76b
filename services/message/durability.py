"""Where the message pipeline makes a message durable before the Ack: the seam between the
embedded deployment (a group commit into the message store) and a cluster node (its
write-ahead log, shipped to Kafka)."""

from __future__ import annotations

import asyncio
from typing import Protocol

from prim.runtime.storage.models import InsertResult, Message


class DurableWriter(Protocol):
    #: Whether a write recognises a message whose idempotency key is already stored (the
    #: store's unique key does; an append-only log does not).
    detects_duplicates: bool

    def enqueue(self, message: Message) -> asyncio.Future[InsertResult]:
        """Starts the write at once (the caller's order is the write order); the result
        resolves once the message is durable."""
        ...

    async def drain(self) -> None:
        """Waits until everything enqueued so far is durable."""
        ...
