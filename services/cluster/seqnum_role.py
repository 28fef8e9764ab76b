"""`prim serve --role seqnum`: one seqnum instance. It serves SeqnumService over gRPC from
a `LeasedSeqnumAllocator` on PostgreSQL (a lease per section of channels, so two instances
never hand out the same number), registers with the scheduler as a SEQNUM node and
heartbeats; message nodes find it through the registry. On a clean stop it releases its
leases so another instance takes over at once; after a crash, once they expire."""

from __future__ import annotations

import secrets
from pathlib import Path

from prim.generated.prim.v1 import NodeInfo, NodeRole
from prim.generated.rpc import SeqnumServiceGrpc
from prim.runtime.config import Config
from prim.runtime.rpc.channels import ChannelPool
from prim.runtime.rpc.server import RpcServer
from prim.runtime.storage.postgres.db import PostgresDatabase
from prim.runtime.storage.postgres.seqnum import PostgresSeqnumStore
from prim.services.cluster.health import health_fields, health_server, render_counters
from prim.services.cluster.parts import StartedParts
from prim.services.cluster.wiring import (
    ClusterConfigError,
    Registration,
    rpc_address,
    scheduler_client,
)
from prim.services.identity import node_certificates
from prim.services.seqnum.leased import LeasedSeqnumAllocator
from prim.services.seqnum.service import SeqnumService


class SeqnumRole:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._parts = StartedParts()

    async def start(self) -> dict[str, object]:
        cfg, parts = self.config, self._parts
        url = cfg.storage.seqnum.format(data_dir=cfg.node.data_dir)
        if not url.startswith(("postgresql://", "postgres://")):
            raise ClusterConfigError(
                "the seqnum role keeps its segments in PostgreSQL: set storage.seqnum to a "
                f"postgresql:// URL (it is {url!r})")
        Path(cfg.node.data_dir).mkdir(parents=True, exist_ok=True)
        certs = node_certificates(cfg)
        pool = ChannelPool(certs.rpc)
        parts.add("channels", pool.close)
        scheduler = scheduler_client(cfg, pool)
        store = PostgresSeqnumStore(await PostgresDatabase.open(url), owns_db=True)
        parts.add("segment store", store.close)
        # Unique per start: a replacement started with the same node id while the old
        # process merely hangs must not share its leases (the old one would resume and
        # hand out numbers too); it takes them over once they expire.
        owner = f"seqnum-{cfg.node.id}-{secrets.token_hex(4)}"
        allocator = LeasedSeqnumAllocator(
            store, owner, ttl_ms=int(cfg.cluster.seqnum_lease_seconds * 1000))
        await allocator.start()
        parts.add("allocator", allocator.close)  # releases the leases
        rpc = RpcServer([SeqnumServiceGrpc(SeqnumService(allocator))], certs.rpc)
        address = rpc_address(cfg, await rpc.start(cfg.cluster.rpc_host, cfg.cluster.rpc_port))
        parts.add("gRPC server", rpc.close)
        registration = Registration(scheduler, NodeInfo(
            node_id=cfg.node.id, role=NodeRole.SEQNUM, address=address, rpc_address=address,
        ), interval=cfg.cluster.heartbeat_seconds)
        await registration.start()
        parts.add("registration", registration.stop)
        health = health_server(cfg.http.host, cfg.cluster.health_port, lambda: render_counters(
            "prim_seqnum", {"sections_held": len(allocator.held_sections())},
            {"sections_held": "sections leased by this instance"}), lambda: True)
        endpoint = await health.start()
        parts.add("health server", health.stop)
        return {"role": "seqnum", "node_id": cfg.node.id, "rpc": address, "owner": owner,
                **health_fields(endpoint.url)}

    async def stop(self) -> None:
        await self._parts.stop_all()
