"""Deletes expired and revoked sessions every `auth.session_purge_seconds`, so the sessions
table holds live logins only (a client that logs in for every request would grow it
without end). Several api processes may each run one: the delete is idempotent."""

from __future__ import annotations

import asyncio
import logging

from prim.runtime.storage.ports import AccountStore
from prim.runtime.tasks import cancel_and_wait

log = logging.getLogger("prim.api")


class SessionPurge:
    def __init__(self, accounts: AccountStore, interval_seconds: float) -> None:
        self._accounts = accounts
        self._interval = interval_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="prim-session-purge")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def purge_once(self) -> int:
        purged = await self._accounts.purge_expired_sessions()
        if purged:
            log.info("purged %d expired or revoked session(s)", purged)
        return purged

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.purge_once()
            except Exception:  # the database may be away for a while: try again next time
                log.exception("purging expired sessions failed")
