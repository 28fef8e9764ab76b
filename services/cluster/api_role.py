"""`prim serve --role api`: the HTTP API as its own process. The same `ApiServer` as the
embedded node, with the scheduler reached over gRPC (fail-over between instances) for
relays, notifications, disconnects and node placement. Several may run behind a load
balancer: their state is the database and Redis."""

from __future__ import annotations

from pathlib import Path

from prim.runtime.config import Config
from prim.runtime.rpc.channels import ChannelPool
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.factory import open_storage
from prim.runtime.storage.models import Clock
from prim.services.api.http_app import api_http_server
from prim.services.api.server import ApiServer
from prim.services.api.session_purge import SessionPurge
from prim.services.cluster.health import health_fields, render_counters
from prim.services.cluster.parts import StartedParts
from prim.services.cluster.wiring import scheduler_client
from prim.services.identity import node_certificates
from prim.services.storage_config import storage_config


class ApiRole:
    def __init__(self, config: Config, *, clock: Clock = wall_clock_ms) -> None:
        self.config = config
        self.clock = clock
        self._parts = StartedParts()

    async def start(self) -> dict[str, object]:
        cfg, parts = self.config, self._parts
        Path(cfg.node.data_dir).mkdir(parents=True, exist_ok=True)
        certs = node_certificates(cfg)
        pool = ChannelPool(certs.rpc)
        parts.add("channels", pool.close)
        scheduler = scheduler_client(cfg, pool)
        storage = await open_storage(storage_config(cfg), clock=self.clock)
        parts.add("storage", storage.close)
        # History follows the Acks by the msgprocessor's lag: edits and read markers right
        # after a send wait for their message.
        self.api = ApiServer(storage=storage, scheduler=scheduler, config=cfg,
                             clock=self.clock, persist_wait=cfg.cluster.persist_wait_seconds)
        purge = SessionPurge(storage.accounts, cfg.auth.session_purge_seconds)
        purge.start()
        parts.add("session purge", purge.stop)
        http = api_http_server(self.api, cfg, certs, lambda: render_counters(
            "prim_api", {"up": 1}, {"up": "1 while the api process serves"}))
        endpoint = await http.start()
        parts.add("HTTP server", http.stop)
        return {"role": "api", "node_id": cfg.node.id, "http": endpoint.url,
                **health_fields(endpoint.url), "ca_cert": str(certs.ca_file.resolve()),
                "fingerprint": certs.fingerprint}

    async def stop(self) -> None:
        await self._parts.stop_all()
