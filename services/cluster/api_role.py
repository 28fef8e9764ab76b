"""`prim serve --role api`: the HTTP API as its own process. The same `ApiServer` as the
embedded node, with the scheduler reached over gRPC (fail-over between instances) for
relays, notifications, disconnects and node placement. Several may run behind a load
balancer: their state is the database and Redis."""

from __future__ import annotations

from pathlib import Path

from prim.runtime.config import Config
from prim.runtime.http_serve import HttpServer
from prim.runtime.rpc.channels import ChannelPool
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.factory import Storage, open_storage
from prim.runtime.storage.models import Clock
from prim.services.api.http_app import api_http_server
from prim.services.api.server import ApiServer
from prim.services.cluster.health import render_counters
from prim.services.cluster.wiring import scheduler_client
from prim.services.identity import node_certificates
from prim.services.storage_config import storage_config


class ApiRole:
    def __init__(self, config: Config, *, clock: Clock = wall_clock_ms) -> None:
        self.config = config
        self.clock = clock
        self.storage: Storage | None = None
        self.http: HttpServer | None = None
        self.pool: ChannelPool | None = None

    async def start(self) -> dict[str, object]:
        cfg = self.config
        Path(cfg.node.data_dir).mkdir(parents=True, exist_ok=True)
        certs = node_certificates(cfg)
        self.pool = ChannelPool(certs.rpc)
        scheduler = scheduler_client(cfg, self.pool)
        self.storage = storage = await open_storage(storage_config(cfg), clock=self.clock)
        self.api = ApiServer(storage=storage, scheduler=scheduler, config=cfg,
                             clock=self.clock)
        self.http = api_http_server(self.api, cfg, certs, lambda: render_counters(
            "prim_api", {"up": 1}, {"up": "1 while the api process serves"}))
        http = await self.http.start()
        return {"role": "api", "node_id": cfg.node.id, "http": http.url,
                "health": f"{http.url}/healthz", "metrics": f"{http.url}/metrics",
                "ca_cert": str(certs.ca_file.resolve()),
                "fingerprint": certs.fingerprint}

    async def stop(self) -> None:
        if self.http is not None:
            await self.http.stop()
            self.http = None
        if self.storage is not None:
            await self.storage.close()
            self.storage = None
        if self.pool is not None:
            self.pool.close()
            self.pool = None
