"""The msgprocessor's loop: persist the message log batch after batch until stopped. A batch
that fails is not committed (the persister rewinds to the committed position), so after a
pause it is fetched and written again; the store ignores what it already holds."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from prim.runtime.storage.consumer import LogPersister

log = logging.getLogger("prim.msgprocessor")

RETRY_PAUSE = 1.0


class Msgprocessor:
    def __init__(self, persister: LogPersister) -> None:
        self.persister = persister
        self.errors = 0  # batches that failed (each retried)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        await self.persister.start()
        self._task = asyncio.create_task(self._run(), name="prim-msgprocessor")

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.persister.run_once(timeout_ms=200)
            except Exception:
                self.errors += 1
                log.exception("persisting a batch failed; retrying")
                await asyncio.sleep(RETRY_PAUSE)

    async def stop(self) -> None:
        """Lets the batch in hand finish (up to 5 s), then leaves the consumer group."""
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, 5)
            self._task = None
        await self.persister.close()
