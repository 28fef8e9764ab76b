"""One PRIM process: every service wired from one Config (the embedded deployment; a
process with a single role starts only its part).

    node = Node(config); endpoints = await node.start(); ...; await node.stop()

The object graph, in the order it is built: storage ports -> seqnum allocator -> router and
message pipeline -> scheduler (relays api events into the pipeline) -> api service behind
the HTTP binding -> message gateway behind the wire server. `endpoints` is what the ready
line on stdout says.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from prim.generated.prim.v1 import NodeInfo, NodeRole
from prim.runtime.config import Config
from prim.runtime.http_serve import HttpServer
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.factory import Storage, open_storage
from prim.runtime.storage.models import Clock
from prim.runtime.wire.asyncio.server import WireServer
from prim.services.api.http_app import api_http_server
from prim.services.api.server import ApiServer
from prim.services.api.session_purge import SessionPurge
from prim.services.identity import node_certificates
from prim.services.message.certificate_renewal import CertificateRenewal
from prim.services.message.gateway import MessageGateway
from prim.services.message.listener import browser_fields, wire_server
from prim.services.message.metrics import MessageMetrics
from prim.services.message.pipeline import MessagePipeline
from prim.services.message.router import LocalRouter
from prim.services.scheduler.local import LocalScheduler
from prim.services.seqnum.allocator import SeqnumAllocator
from prim.services.storage_config import storage_config

log = logging.getLogger("prim.node")


@dataclass(frozen=True)
class Endpoints:
    http: str  # base URL of the HTTP API
    quic: str  # host:port of the QUIC listener
    tcp: str  # host:port of the TLS-over-TCP listener (same port number)
    ca_cert: str  # the CA certificate clients must trust
    fingerprint: str  # SHA-256 of the server certificate, for clients that pin it
    browsers: dict[str, object] = field(default_factory=dict)  # see browser_fields()

    def ready_line(self) -> str:
        return json.dumps({"event": "ready", "http": self.http, "quic": self.quic,
                           "tcp": self.tcp, "ca_cert": self.ca_cert,
                           "fingerprint": self.fingerprint, **self.browsers})


class Node:
    def __init__(self, config: Config, *, clock: Clock = wall_clock_ms) -> None:
        self.config = config
        self.clock = clock
        self.storage: Storage | None = None
        self.http: HttpServer | None = None
        self.wire: WireServer | None = None
        self.pipeline: MessagePipeline | None = None
        self.session_purge: SessionPurge | None = None
        self.certificate_renewal: CertificateRenewal | None = None
        self.router = LocalRouter()

    async def start(self) -> Endpoints:
        try:
            return await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> Endpoints:
        cfg = self.config
        Path(cfg.node.data_dir).mkdir(parents=True, exist_ok=True)
        self.storage = storage = await open_storage(storage_config(cfg), clock=self.clock)
        seqnums = SeqnumAllocator(storage.seqnum)
        await seqnums.start()
        self.metrics = metrics = MessageMetrics()
        self.pipeline = MessagePipeline(
            seqnums=seqnums, messages=storage.messages, social=storage.social,
            inbox=storage.inbox, router=self.router, node_id=cfg.node.id, clock=self.clock,
            on_delivered=metrics.delivered,
        )
        await self.pipeline.start()
        certs = node_certificates(cfg)
        gateway = MessageGateway(storage=storage, pipeline=self.pipeline, router=self.router,
                                 config=cfg, clock=self.clock, metrics=metrics)
        self.gateway = gateway
        self.scheduler = LocalScheduler(online=storage.online, social=storage.social,
                                        relay_target=self.pipeline.submit,
                                        disconnect_target=gateway.disconnect,
                                        notify_target=gateway.notify, clock=self.clock)
        self.wire = wire_server(gateway, cfg, certs, self.clock)
        await self.wire.start()
        gateway_address = cfg.gateway.public_address or f"{cfg.gateway.host}:{self.wire.port}"
        node_info = NodeInfo(node_id=cfg.node.id, role=NodeRole.MESSAGE,
                             address=gateway_address, tcp_address=gateway_address)
        browsers = browser_fields(self.wire, node_info)
        self.scheduler.register_in_process(node_info)  # kept by reference: renewals show
        self.certificate_renewal = CertificateRenewal(cfg, self.wire, node_info,
                                                      certs.fingerprint)
        self.certificate_renewal.start()
        self.scheduler.register_in_process(NodeInfo(
            node_id=cfg.node.id, role=NodeRole.SEQNUM, address="in-process",
        ))

        self.api = ApiServer(storage=storage, scheduler=self.scheduler, config=cfg,
                             clock=self.clock)
        self.session_purge = SessionPurge(storage.accounts, cfg.auth.session_purge_seconds)
        self.session_purge.start()
        self.http = api_http_server(self.api, cfg, certs, metrics.render)
        http = await self.http.start()
        return Endpoints(http=http.url, quic=gateway_address, tcp=gateway_address,
                         ca_cert=str(certs.ca_file.resolve()), fingerprint=certs.fingerprint,
                         browsers=browsers)

    async def stop(self) -> None:
        if self.certificate_renewal is not None:
            await self.certificate_renewal.stop()
            self.certificate_renewal = None
        if self.session_purge is not None:
            await self.session_purge.stop()
            self.session_purge = None
        if self.http is not None:
            await self.http.stop()
            self.http = None
        if self.wire is not None:
            await self.wire.close()
            self.wire = None
        if self.pipeline is not None:
            await self.pipeline.stop()
            self.pipeline = None
        if self.storage is not None:
            await self.storage.close()
            self.storage = None
