"""The store lookups of idempotency keys a cluster node makes before numbering a message,
batched: the keys asked for in one event-loop moment, and those asked for while a query is
in flight, leave together as one query (one round trip for a whole window of sends instead
of one each, and no queue for the connection pool)."""

from __future__ import annotations

import asyncio

from prim.runtime.storage.idempotency import IdempotencyKey
from prim.runtime.storage.models import KeyMatch
from prim.runtime.storage.ports import MessageStore

#: Keys per query at most (a bigger backlog leaves in several, one after another).
MAX_BATCH = 512


class KeyLookups:
    def __init__(self, messages: MessageStore, *, max_batch: int = MAX_BATCH) -> None:
        self._messages = messages
        self._max_batch = max_batch
        self._waiting: list[tuple[IdempotencyKey, asyncio.Future[KeyMatch | None]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def find(self, key: IdempotencyKey) -> KeyMatch | None:
        """The stored message with this idempotency key, if any."""
        future: asyncio.Future[KeyMatch | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, future))
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name="prim-key-lookups")
        return await future

    async def _run(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[:self._max_batch]
                del self._waiting[:self._max_batch]
                try:
                    found = await self._messages.find_by_idempotency_keys(
                        [key for key, _ in batch])
                except Exception as exc:  # each asker gets the failure
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), match in zip(batch, found, strict=True):
                    if not future.done():
                        future.set_result(match)
        finally:
            self._worker = None
