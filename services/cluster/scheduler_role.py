"""`prim serve --role scheduler`: one scheduler instance. Stateless: the node registry,
placements and the relay clock live in Redis, so any instance answers any call and the
others (listed in every process's cluster.schedulers) take over when one dies. It serves
SchedulerService over gRPC and reaches message nodes through MessageNodeService."""

from __future__ import annotations

from pathlib import Path

from prim.generated.rpc import MessageNodeServiceRemote, SchedulerServiceGrpc
from prim.runtime.config import Config
from prim.runtime.rpc.call import AddressTarget
from prim.runtime.rpc.channels import ChannelPool
from prim.runtime.rpc.server import RpcServer
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.factory import open_database, redis_client, social_store
from prim.runtime.storage.redis.nodes import RedisNodeRegistry
from prim.runtime.storage.redis.online import RedisOnlineState
from prim.services.cluster.health import health_fields, health_server, render_counters
from prim.services.cluster.parts import StartedParts
from prim.services.cluster.wiring import ClusterConfigError, rpc_address
from prim.services.identity import node_certificates
from prim.services.scheduler.cluster import ClusterScheduler
from prim.services.scheduler.relay_clock import RedisRelayClock


class SchedulerRole:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._parts = StartedParts()

    async def start(self) -> dict[str, object]:
        cfg, parts = self.config, self._parts
        online_url = cfg.storage.online
        if not online_url.startswith(("redis://", "rediss://", "unix://")):
            raise ClusterConfigError(
                "the scheduler keeps its state in Redis so that several can run: set "
                f"storage.online to a redis:// URL (it is {online_url!r})")
        Path(cfg.node.data_dir).mkdir(parents=True, exist_ok=True)
        certs = node_certificates(cfg)
        pool = ChannelPool(certs.rpc)
        parts.add("channels", pool.close)
        db = await open_database(cfg.storage.database.format(data_dir=cfg.node.data_dir))
        parts.add("database", db.close)
        # One Redis client for the online state, the registry and the relay clock.
        client, prefix = redis_client(online_url)
        registry = RedisNodeRegistry(client, prefix=prefix, owns_client=True)
        parts.add("Redis", registry.close)
        scheduler = ClusterScheduler(
            registry=registry, relay_clock=RedisRelayClock(client, prefix=prefix),
            online=RedisOnlineState(client, prefix=prefix), social=social_store(db),
            message_node=lambda node: MessageNodeServiceRemote(
                AddressTarget(pool, node.rpc_address, timeout=5.0)),
            clock=wall_clock_ms, lease_seconds=cfg.cluster.lease_seconds)
        rpc = RpcServer([SchedulerServiceGrpc(scheduler)], certs.rpc)
        port = await rpc.start(cfg.cluster.rpc_host, cfg.cluster.rpc_port)
        parts.add("gRPC server", rpc.close)
        health = health_server(cfg.http.host, cfg.cluster.health_port,
                               lambda: render_counters("prim_scheduler", {"up": 1}, {}),
                               lambda: True)
        endpoint = await health.start()
        parts.add("health server", health.stop)
        return {"role": "scheduler", "node_id": cfg.node.id, "rpc": rpc_address(cfg, port),
                **health_fields(endpoint.url)}

    async def stop(self) -> None:
        await self._parts.stop_all()
