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
from prim.runtime.http_serve import HttpServer
from prim.runtime.rpc.channels import ChannelPool
from prim.runtime.rpc.server import RpcServer
from prim.runtime.storage.postgres.db import PostgresDatabase
from prim.runtime.storage.postgres.seqnum import PostgresSeqnumStore
from prim.services.cluster.health import health_server, render_counters
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
        self.store: PostgresSeqnumStore | None = None
        self.allocator: LeasedSeqnumAllocator | None = None
        self.rpc: RpcServer | None = None
        self.registration: Registration | None = None
        self.health: HttpServer | None = None
        self.pool: ChannelPool | None = None

    async def start(self) -> dict[str, object]:
        cfg = self.config
        url = cfg.storage.seqnum.format(data_dir=cfg.node.data_dir)
        if not url.startswith(("postgresql://", "postgres://")):
            raise ClusterConfigError(
                "the seqnum role keeps its segments in PostgreSQL: set storage.seqnum to a "
                f"postgresql:// URL (it is {url!r})")
        Path(cfg.node.data_dir).mkdir(parents=True, exist_ok=True)
        certs = node_certificates(cfg)
        self.pool = ChannelPool(certs.rpc)
        scheduler = scheduler_client(cfg, self.pool)
        self.store = PostgresSeqnumStore(await PostgresDatabase.open(url), owns_db=True)
        # Unique per start: a replacement started with the same node id while the old
        # process merely hangs must not share its leases (the old one would resume and
        # hand out numbers too); it takes them over once they expire.
        owner = f"seqnum-{cfg.node.id}-{secrets.token_hex(4)}"
        self.allocator = LeasedSeqnumAllocator(
            self.store, owner, ttl_ms=int(cfg.cluster.seqnum_lease_seconds * 1000))
        await self.allocator.start()
        self.rpc = RpcServer([SeqnumServiceGrpc(SeqnumService(self.allocator))], certs.rpc)
        port = await self.rpc.start(cfg.cluster.rpc_host, cfg.cluster.rpc_port)
        address = rpc_address(cfg, port)
        self.registration = Registration(scheduler, NodeInfo(
            node_id=cfg.node.id, role=NodeRole.SEQNUM, address=address, rpc_address=address,
        ), interval=cfg.cluster.heartbeat_seconds)
        await self.registration.start()
        allocator = self.allocator
        self.health = health_server(cfg.http.host, cfg.cluster.health_port, lambda:
                                    render_counters("prim_seqnum", {
                                        "sections_held": len(allocator.held_sections())},
                                        {"sections_held": "sections leased by this instance"}),
                                    lambda: True)
        health = await self.health.start()
        return {"role": "seqnum", "node_id": cfg.node.id, "rpc": address, "owner": owner,
                "health": f"{health.url}/healthz", "metrics": f"{health.url}/metrics"}

    async def stop(self) -> None:
        if self.health is not None:
            await self.health.stop()
        if self.registration is not None:
            await self.registration.stop()
        if self.rpc is not None:
            await self.rpc.close()
        if self.allocator is not None:
            await self.allocator.close()  # releases the leases
        if self.store is not None:
            await self.store.close()
        if self.pool is not None:
            self.pool.close()
