"""`prim serve --role msgprocessor`: one member of the `prim.msgprocessor` consumer group.

It copies the message log into PostgreSQL (and the Redis hot window, when configured)
through the idempotent `LogPersister`, then records the inboxes. Several may run: Kafka
splits the partitions between them, and a member that dies hands its partitions to the
others after the group's session timeout; whatever it had fetched but not committed is
read again and written once (the store ignores what it holds already)."""

from __future__ import annotations

from pathlib import Path

from prim.runtime.config import Config
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.consumer import LogPersister, PersistStats
from prim.runtime.storage.factory import open_storage
from prim.runtime.storage.models import Clock
from prim.services.cluster.health import health_fields, health_server, render_counters
from prim.services.cluster.parts import StartedParts
from prim.services.message.inboxes import InboxRecorder
from prim.services.msgprocessor.processor import Msgprocessor
from prim.services.storage_config import storage_config


class MsgprocessorRole:
    def __init__(self, config: Config, *, clock: Clock = wall_clock_ms) -> None:
        self.config = config
        self.clock = clock
        self.processor: Msgprocessor | None = None
        self._parts = StartedParts()

    async def start(self) -> dict[str, object]:
        cfg, parts = self.config, self._parts
        Path(cfg.node.data_dir).mkdir(parents=True, exist_ok=True)
        storage = await open_storage(storage_config(cfg), clock=self.clock)
        parts.add("storage", storage.close)
        group = cfg.cluster.msgprocessor_group
        self.processor = processor = Msgprocessor(LogPersister(
            storage.log, storage.messages, group=group,
            on_persisted=InboxRecorder(storage.inbox).messages))
        await processor.start()
        parts.add("msgprocessor", processor.stop)
        health = health_server(cfg.http.host, cfg.cluster.health_port, self._metrics,
                               lambda: processor.running)
        endpoint = await health.start()
        parts.add("health server", health.stop)
        return {"role": "msgprocessor", "node_id": cfg.node.id, "group": group,
                **health_fields(endpoint.url)}

    def _metrics(self) -> str:
        processor = self.processor
        stats = processor.persister.stats if processor else PersistStats()
        return render_counters("prim_msgprocessor", {
            "fetched_total": stats.fetched, "inserted_total": stats.inserted,
            "duplicates_total": stats.duplicates, "conflicts_total": stats.conflicts,
            "errors_total": processor.errors if processor else 0,
        }, {"duplicates_total": "records already persisted (at-least-once redelivery)",
            "conflicts_total": "records whose seqnum holds another message (skipped)"})

    async def stop(self) -> None:
        await self._parts.stop_all()
