"""`prim serve --role scheduler`: one scheduler instance. Stateless: the node registry,
placements and the relay clock live in Redis, so any instance answers any call and the
others (listed in every process's cluster.schedulers) take over when one dies. It serves
SchedulerService over gRPC and reaches message nodes through MessageNodeService."""

from __future__ import annotations

from pathlib import Path

from prim.generated.rpc import MessageNodeServiceRemote, SchedulerServiceGrpc
from prim.runtime.config import Config
from prim.runtime.http_serve import HttpServer
from prim.runtime.rpc.call import AddressTarget
from prim.runtime.rpc.channels import ChannelPool
from prim.runtime.rpc.server import RpcServer
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.factory import (
    Database,
    open_database,
    open_online,
    redis_client,
    social_store,
)
from prim.runtime.storage.ports import OnlineState
from prim.runtime.storage.redis.nodes import RedisNodeRegistry
from prim.services.cluster.health import health_server, render_counters
from prim.services.cluster.wiring import ClusterConfigError, rpc_address
from prim.services.identity import node_certificates
from prim.services.scheduler.cluster import ClusterScheduler
from prim.services.scheduler.relay_clock import RedisRelayClock


class SchedulerRole:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.db: Database | None = None
        self.online: OnlineState | None = None
        self.registry: RedisNodeRegistry | None = None
        self.relay_clock: RedisRelayClock | None = None
        self.rpc: RpcServer | None = None
        self.health: HttpServer | None = None
        self.pool: ChannelPool | None = None

    async def start(self) -> dict[str, object]:
        cfg = self.config
        online_url = cfg.storage.online
        if not online_url.startswith(("redis://", "rediss://", "unix://")):
            raise ClusterConfigError(
                "the scheduler keeps its state in Redis so that several can run: set "
                f"storage.online to a redis:// URL (it is {online_url!r})")
        Path(cfg.node.data_dir).mkdir(parents=True, exist_ok=True)
        certs = node_certificates(cfg)
        self.pool = pool = ChannelPool(certs.rpc)
        self.db = await open_database(cfg.storage.database.format(data_dir=cfg.node.data_dir))
        self.online = open_online(online_url)
        client, prefix = redis_client(online_url)
        self.registry = RedisNodeRegistry(client, prefix=prefix, owns_client=True)
        self.relay_clock = RedisRelayClock(client, prefix=prefix)
        scheduler = ClusterScheduler(
            registry=self.registry, relay_clock=self.relay_clock, online=self.online,
            social=social_store(self.db),
            message_node=lambda node: MessageNodeServiceRemote(
                AddressTarget(pool, node.rpc_address, timeout=5.0)),
            clock=wall_clock_ms, lease_seconds=cfg.cluster.lease_seconds)
        self.rpc = RpcServer([SchedulerServiceGrpc(scheduler)], certs.rpc)
        port = await self.rpc.start(cfg.cluster.rpc_host, cfg.cluster.rpc_port)
        self.health = health_server(cfg.http.host, cfg.cluster.health_port,
                                    lambda: render_counters("prim_scheduler", {"up": 1}, {}),
                                    lambda: True)
        health = await self.health.start()
        return {"role": "scheduler", "node_id": cfg.node.id, "rpc": rpc_address(cfg, port),
                "health": f"{health.url}/healthz", "metrics": f"{health.url}/metrics"}

    async def stop(self) -> None:
        if self.health is not None:
            await self.health.stop()
        if self.rpc is not None:
            await self.rpc.close()
        if self.registry is not None:
            await self.registry.close()
        if self.online is not None:
            await self.online.close()
        if self.db is not None:
            await self.db.close()
        if self.pool is not None:
            self.pool.close()
