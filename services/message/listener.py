"""The gateway's QUIC and TLS-over-TCP listener, configured from the gateway and limits
sections (shared by the embedded node and the message role's process)."""

from __future__ import annotations

from prim.generated.prim.v1 import NodeInfo
from prim.runtime.config import Config
from prim.runtime.storage.models import Clock
from prim.runtime.tls.trust import ServerIdentity
from prim.runtime.wire.asyncio.server import WireServer
from prim.runtime.wire.handler import ConnectionHandler
from prim.runtime.wire.settings import server_settings_from_config
from prim.services.identity import Certificates


def wire_server(handler: ConnectionHandler, config: Config, certs: Certificates,
                clock: Clock) -> WireServer:
    return WireServer(handler, ServerIdentity(certs.cert_file, certs.key_file),
                      server_settings_from_config(config, clock))


def browser_fields(wire: WireServer, node: NodeInfo) -> dict[str, object]:
    """Puts the started server's browser endpoints into `node` (what GetMyNode hands out)
    and returns them for the ready line."""
    fields: dict[str, object] = {}
    if wire.websocket_url is not None:
        node.websocket_url = fields["websocket"] = wire.websocket_url
    if wire.webtransport_url is not None:
        node.webtransport_url = fields["webtransport"] = wire.webtransport_url
        hashes = wire.webtransport_certificate_hashes()
        node.webtransport_certificate_hashes = hashes
        fields["webtransport_certificate_hashes"] = hashes
    return fields
