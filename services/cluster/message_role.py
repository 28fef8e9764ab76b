"""`prim serve --role message`: one message node of a cluster.

The gateway and pipeline of the embedded node, wired for several nodes: seqnums from the
seqnum service (batched, with fail-over), durability in the node's own write-ahead log
(msglogger) shipped to Kafka for the msgprocessor, delivery through the `ClusterRouter`
(local connections, plus `MessageNodeService.Deliver` to the nodes that hold the others),
and `MessageNodeService` served over gRPC for the scheduler and the other nodes. The node
registers with the scheduler and heartbeats its connection count.

Start-up order matters for crash recovery: the log is replayed (its records re-shipped
and their idempotency keys remembered) before the gateway accepts a client, so a resend
of a message Acked before the crash is answered with its original seqnum.
"""

from __future__ import annotations

import logging
from pathlib import Path

from prim.generated.interfaces import MessageNodeServiceInterface
from prim.generated.prim.v1 import NodeInfo, NodeRole
from prim.generated.rpc import MessageNodeServiceGrpc, MessageNodeServiceRemote, SeqnumServiceRemote
from prim.runtime.config import Config
from prim.runtime.rpc.call import AddressTarget
from prim.runtime.rpc.channels import ChannelPool
from prim.runtime.rpc.server import RpcServer
from prim.runtime.storage.clock import StrictlyIncreasing, wall_clock_ms
from prim.runtime.storage.factory import open_storage
from prim.runtime.storage.idempotency import content_digest
from prim.runtime.storage.models import Clock
from prim.services.cluster.directory import NodeDirectory
from prim.services.cluster.health import health_fields, health_server, render_counters
from prim.services.cluster.parts import StartedParts
from prim.services.cluster.wiring import Registration, rpc_address, scheduler_client
from prim.services.identity import node_certificates
from prim.services.message.certificate_renewal import CertificateRenewal
from prim.services.message.cluster_router import ClusterRouter
from prim.services.message.gateway import MessageGateway
from prim.services.message.listener import browser_fields, wire_server
from prim.services.message.metrics import MessageMetrics
from prim.services.message.node_service import MessageNodeService
from prim.services.message.pipeline import MessagePipeline
from prim.services.message.wal_writer import WalWriter
from prim.services.msglogger.shipper import WalShipper
from prim.services.msglogger.wal import WriteAheadLog
from prim.services.seqnum.client import SeqnumClient
from prim.services.storage_config import storage_config

log = logging.getLogger("prim.cluster.message")


class MessageRole:
    def __init__(self, config: Config, *, clock: Clock = wall_clock_ms) -> None:
        self.config = config
        self.clock = clock
        self.ready = False
        self._parts = StartedParts()

    async def start(self) -> dict[str, object]:
        cfg, parts = self.config, self._parts
        node_id = cfg.node.id
        Path(cfg.node.data_dir).mkdir(parents=True, exist_ok=True)
        certs = node_certificates(cfg)
        pool = ChannelPool(certs.rpc)
        parts.add("channels", pool.close)
        scheduler = scheduler_client(cfg, pool)
        storage = await open_storage(storage_config(cfg), clock=self.clock)
        parts.add("storage", storage.close)

        seqnum_nodes = NodeDirectory(
            scheduler, NodeRole.SEQNUM,
            lambda address: SeqnumServiceRemote(AddressTarget(pool, address, timeout=5.0)))
        await seqnum_nodes.start()
        parts.add("seqnum directory", seqnum_nodes.stop)
        seqnums = SeqnumClient(seqnum_nodes.live, refresh=seqnum_nodes.refresh)
        parts.add("seqnum client", seqnums.close)

        def peer(address: str) -> MessageNodeServiceInterface:
            return MessageNodeServiceRemote(AddressTarget(pool, address, timeout=5.0))

        peers = NodeDirectory(scheduler, NodeRole.MESSAGE, peer, self_id=node_id)
        await peers.start()
        parts.add("peer directory", peers.stop)
        self.router = router = ClusterRouter(node_id=node_id, online=storage.online,
                                             peers=peers)
        await router.start()
        parts.add("router", router.stop)

        wal_dir = Path(cfg.cluster.wal_dir.format(data_dir=cfg.node.data_dir))
        self.wal = wal = await WriteAheadLog.open(wal_dir)
        parts.add("write-ahead log", wal.close)
        self.shipper = shipper = WalShipper(wal, storage.log,
                                            group=cfg.cluster.msgprocessor_group)
        self.metrics = metrics = MessageMetrics()
        pipeline = MessagePipeline(
            seqnums=seqnums, messages=storage.messages,
            social=storage.social_reads or storage.social,
            inbox=storage.inbox, router=router, node_id=node_id, clock=self.clock,
            on_delivered=metrics.delivered, writer=WalWriter(wal, shipper),
            record_inboxes=False, overlap_numbering=True,
        )
        # Resends of what the log holds are answered with their seqnums; the shipper
        # reads the same records again to re-ship them.
        replayed = 0
        for _lsn, message in wal.records():
            pipeline.remember(
                (message.sender, message.receiver, message.device, message.client_ts),
                message.seqnum, content_digest(message.type, message.payload))
            replayed += 1
        if replayed:
            log.info("write-ahead log: %d records not yet confirmed persisted; re-shipping",
                     replayed)
        await shipper.start()
        parts.add("shipper", shipper.stop)
        await pipeline.start()
        parts.add("pipeline", pipeline.stop)

        gateway = MessageGateway(storage=storage, pipeline=pipeline, router=router, config=cfg,
                                 clock=self.clock, metrics=metrics,
                                 persist_wait=cfg.cluster.persist_wait_seconds,
                                 newest_seqnum=seqnums.newest,
                                 peer_is_live=peers.is_live)
        service = MessageNodeService(pipeline=pipeline, router=router, gateway=gateway,
                                     fresh_timestamp=StrictlyIncreasing(self.clock))
        rpc = RpcServer([MessageNodeServiceGrpc(service)], certs.rpc)
        rpc_port = await rpc.start(cfg.cluster.rpc_host, cfg.cluster.rpc_port)
        parts.add("gRPC server", rpc.close)
        wire = wire_server(gateway, cfg, certs, self.clock)
        await wire.start()
        parts.add("gateway", wire.close)
        gateway_address = cfg.gateway.public_address or f"{cfg.gateway.host}:{wire.port}"
        node_info = NodeInfo(node_id=node_id, role=NodeRole.MESSAGE, address=gateway_address,
                             tcp_address=gateway_address, rpc_address=rpc_address(cfg, rpc_port))
        browsers = browser_fields(wire, node_info)
        registration = Registration(scheduler, node_info,
                                    interval=cfg.cluster.heartbeat_seconds,
                                    load=lambda: router.connection_count)
        await registration.start()
        parts.add("registration", registration.stop)
        renewal = CertificateRenewal(cfg, wire, node_info, certs.fingerprint,
                                     on_renewed=registration.update)
        renewal.start()
        parts.add("certificate renewal", renewal.stop)
        health = health_server(cfg.http.host, cfg.cluster.health_port, self._metrics,
                               lambda: self.ready)
        endpoint = await health.start()
        parts.add("health server", health.stop)
        self.ready = True
        return {"role": "message", "node_id": node_id, "quic": gateway_address,
                "tcp": gateway_address, "rpc": rpc_address(cfg, rpc_port),
                **health_fields(endpoint.url), "ca_cert": str(certs.ca_file.resolve()),
                "fingerprint": certs.fingerprint, "wal": str(wal_dir), **browsers}

    def _metrics(self) -> str:
        forward = self.router.stats
        shipped = self.shipper.stats
        extra = render_counters("prim_cluster", {
            "forwarded_total": forward.forwarded, "forward_dropped_total": forward.dropped,
            "forward_calls_total": forward.calls, "wal_appends_total": self.wal.appends,
            "wal_fsyncs_total": self.wal.fsyncs, "wal_shipped_total": shipped.shipped,
            "wal_pending": shipped.pending,
        }, {"forwarded_total": "deliveries forwarded to other message nodes",
            "wal_fsyncs_total": "fsyncs of the write-ahead log"})
        return self.metrics.render() + extra

    async def stop(self) -> None:
        """Stops taking clients first, then drains: queued writes reach the log, the log
        reaches Kafka when it can, and the node leaves the registry (the reverse of the
        start-up order)."""
        self.ready = False
        await self._parts.stop_all()
