"""Work that follows a message's durable write (its inbox entries): never reported to the
sender as a failed send.

Once the message is durable its Ack goes out, so a failure here must not turn into an
error the client answers by resending (the peer would see the message twice). Each job is
tried once at once (so, normally, the inbox is written when the Ack leaves); if that fails
it is retried in the background with backoff, and given up with an error log after the
last attempt. Inbox writes keep the highest seqnum per conversation, so a late retry never
moves an entry backwards.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("prim.message.after_commit")

DEFAULT_ATTEMPTS = 6
DEFAULT_FIRST_DELAY = 0.05  # seconds; doubled after each failed attempt

Job = Callable[[], Awaitable[None]]


class AfterCommit:
    def __init__(self, *, attempts: int = DEFAULT_ATTEMPTS,
                 first_delay: float = DEFAULT_FIRST_DELAY) -> None:
        self._attempts = attempts
        self._first_delay = first_delay
        self._retrying: set[asyncio.Task[None]] = set()

    async def run(self, what: str, job: Job) -> None:
        """Runs `job`; when it fails, schedules its retries and returns without raising."""
        try:
            await job()
        except Exception as exc:
            log.warning("%s failed (%s); retrying in the background", what, exc)
            task = asyncio.create_task(self._retry(what, job), name=f"prim-retry {what}")
            self._retrying.add(task)
            task.add_done_callback(self._retrying.discard)

    async def _retry(self, what: str, job: Job) -> None:
        delay = self._first_delay
        for attempt in range(2, self._attempts + 1):
            await asyncio.sleep(delay)
            delay *= 2
            try:
                await job()
            except Exception:
                if attempt == self._attempts:
                    log.exception("%s failed %d times; giving up", what, attempt)
            else:
                return

    async def drain(self) -> None:
        """Waits for the retries under way (each ends within its attempts)."""
        while self._retrying:
            await asyncio.gather(*self._retrying, return_exceptions=True)
