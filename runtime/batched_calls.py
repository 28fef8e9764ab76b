"""One call for many askers: items submitted while a call is in flight leave together in the
next one, in submission order (the first leaves at once, so nothing waits when idle). The
group commit and the idempotency-key lookups of the message pipeline are this, over
`insert_many` and `find_by_idempotency_keys`."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class BatchedCalls(Generic[T, R]):
    def __init__(self, call: Callable[[list[T]], Awaitable[Sequence[R]]], *, max_batch: int,
                 name: str) -> None:
        """`call` answers a list of items with one result each, in the same order;
        `max_batch` items at most go in one call (a bigger backlog leaves in several)."""
        self._call = call
        self._max_batch = max_batch
        self._name = name
        self._queue: deque[tuple[T, asyncio.Future[R]]] = deque()
        self._worker: asyncio.Task[None] | None = None

    def submit(self, item: T) -> asyncio.Future[R]:
        """Queues `item` without waiting (the callers' order is the call order); the future
        gets its result, or the exception its batch's call raised."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name=self._name)
        return future

    async def drain(self) -> None:
        """Waits until everything submitted so far has its answer."""
        while self._worker is not None:
            await asyncio.shield(self._worker)

    async def _run(self) -> None:
        try:
            while self._queue:
                count = min(len(self._queue), self._max_batch)
                batch = [self._queue.popleft() for _ in range(count)]
                try:
                    results = await self._call([item for item, _ in batch])
                except Exception as exc:  # every asker of the batch gets the failure
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
        finally:
            self._worker = None
