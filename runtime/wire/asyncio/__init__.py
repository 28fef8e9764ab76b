"""asyncio drivers of the wire protocol: the server (QUIC + TLS over TCP) and the client."""

from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.asyncio.connect import connect
from prim.runtime.wire.asyncio.server import WireServer, serve

__all__ = ["Client", "WireServer", "connect", "serve"]
