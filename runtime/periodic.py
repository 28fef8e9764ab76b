"""`Periodic`: one coroutine run every `interval` seconds on a task of its own, for the
housekeeping a process does in the background (a failing run is logged and tried again
at the next one)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from prim.runtime.tasks import cancel_and_wait


class Periodic:
    def __init__(self, name: str, interval: float, work: Callable[[], Awaitable[object]],
                 log: logging.Logger, failure: str) -> None:
        """`failure`: what the log says when a run raises."""
        self._name = name
        self._interval = interval
        self._work = work
        self._log = log
        self._failure = failure
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self._name)

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._work()
            except Exception:
                self._log.exception(self._failure)
