"""trio drivers of the wire protocol: the client over QUIC (aioquic's sans-IO connection
on trio UDP sockets) and over TLS/TCP (trio SSL streams), with the same fallback as the
asyncio client. Servers run on asyncio (see STACK-NOTES: the storage drivers need it)."""

from prim.runtime.wire.trio.client import Client
from prim.runtime.wire.trio.connect import open_client

__all__ = ["Client", "open_client"]
