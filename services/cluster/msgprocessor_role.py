"""`prim serve --role msgprocessor`: one member of the `prim.msgprocessor` consumer group.

It copies the message log into PostgreSQL (and the Redis hot window, when configured)
through the idempotent `LogPersister`, then records the inboxes. Several may run: Kafka
splits the partitions between them, and a member that dies hands its partitions to the
others after the group's session timeout; whatever it had fetched but not committed is
read again and written once (the store ignores what it holds already)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from prim.runtime.config import Config
from prim.runtime.http_serve import HttpServer
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.consumer import LogPersister
from prim.runtime.storage.factory import Storage, open_storage
from prim.runtime.storage.models import Clock
from prim.services.cluster.health import health_server, render_counters
from prim.services.msgprocessor.inbox import InboxRecorder
from prim.services.storage_config import storage_config

log = logging.getLogger("prim.cluster.msgprocessor")


class MsgprocessorRole:
    def __init__(self, config: Config, *, clock: Clock = wall_clock_ms) -> None:
        self.config = config
        self.clock = clock
        self.storage: Storage | None = None
        self.persister: LogPersister | None = None
        self.health: HttpServer | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.errors = 0

    async def start(self) -> dict[str, object]:
        cfg = self.config
        Path(cfg.node.data_dir).mkdir(parents=True, exist_ok=True)
        self.storage = storage = await open_storage(storage_config(cfg), clock=self.clock)
        group = cfg.cluster.msgprocessor_group
        self.persister = LogPersister(storage.log, storage.messages, group=group,
                                      on_persisted=InboxRecorder(storage.online,
                                                                 storage.social))
        await self.persister.start()
        self._task = asyncio.create_task(self._run(), name="prim-msgprocessor")
        self.health = health_server(cfg.http.host, cfg.cluster.health_port, self._metrics,
                                    lambda: self._task is not None and not self._task.done())
        health = await self.health.start()
        return {"role": "msgprocessor", "node_id": cfg.node.id, "group": group,
                "health": f"{health.url}/healthz", "metrics": f"{health.url}/metrics"}

    async def _run(self) -> None:
        assert self.persister is not None
        while not self._stop.is_set():
            try:
                await self.persister.run_once(timeout_ms=200)
            except Exception:
                # The batch was not committed: it comes again after the pause.
                self.errors += 1
                log.exception("persisting a batch failed; retrying")
                await asyncio.sleep(1.0)

    def _metrics(self) -> str:
        stats = self.persister.stats if self.persister else None
        return render_counters("prim_msgprocessor", {
            "fetched_total": stats.fetched if stats else 0,
            "inserted_total": stats.inserted if stats else 0,
            "duplicates_total": stats.duplicates if stats else 0,
            "conflicts_total": stats.conflicts if stats else 0,
            "errors_total": self.errors,
        }, {"duplicates_total": "records already persisted (at-least-once redelivery)",
            "conflicts_total": "records whose seqnum holds another message (skipped)"})

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, 5)
            self._task = None
        if self.health is not None:
            await self.health.stop()
        if self.persister is not None:
            await self.persister.close()
        if self.storage is not None:
            await self.storage.close()
