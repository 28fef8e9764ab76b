"""Deletes expired and revoked sessions every `auth.session_purge_seconds`, so the sessions
table holds live logins only (a client that logs in for every request would grow it
without end). Several api processes may each run one: the delete is idempotent."""

from __future__ import annotations

import logging

from prim.runtime.periodic import Periodic
from prim.runtime.storage.ports import AccountStore

log = logging.getLogger("prim.api")


class SessionPurge:
    def __init__(self, accounts: AccountStore, interval_seconds: float) -> None:
        self._accounts = accounts
        # The database may be away for a while: a failed purge is tried again next time.
        self._periodic = Periodic("prim-session-purge", interval_seconds, self.purge_once,
                                  log, "purging expired sessions failed")

    def start(self) -> None:
        self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()

    async def purge_once(self) -> int:
        purged = await self._accounts.purge_expired_sessions()
        if purged:
            log.info("purged %d expired or revoked session(s)", purged)
        return purged
