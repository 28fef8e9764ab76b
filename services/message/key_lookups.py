"""The store lookups of idempotency keys a cluster node makes before numbering a message,
batched: the keys asked for in one event-loop moment, and those asked for while a query is
in flight, leave together as one query (one round trip for a whole window of sends instead
of one each, and no queue for the connection pool)."""

from __future__ import annotations

from prim.runtime.batched_calls import BatchedCalls
from prim.runtime.storage.idempotency import IdempotencyKey
from prim.runtime.storage.models import KeyMatch
from prim.runtime.storage.ports import MessageStore

#: Keys per query at most (a bigger backlog leaves in several, one after another).
MAX_BATCH = 512


class KeyLookups:
    def __init__(self, messages: MessageStore, *, max_batch: int = MAX_BATCH) -> None:
        # Looked up per call, as in the group commit.
        self._lookups: BatchedCalls[IdempotencyKey, KeyMatch | None] = BatchedCalls(
            lambda keys: messages.find_by_idempotency_keys(keys), max_batch=max_batch,
            name="prim-key-lookups")

    async def find(self, key: IdempotencyKey) -> KeyMatch | None:
        """The stored message with this idempotency key, if any."""
        return await self._lookups.submit(key)
