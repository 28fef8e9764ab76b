"""asyncio drivers of the wire protocol: the server (QUIC + TLS over TCP, and the browser
listeners) and the client. The server names are loaded on first use, so a client (the SDK
distribution, which has no WebSocket server library) imports only the client side."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.asyncio.connect import connect

if TYPE_CHECKING:
    from prim.runtime.wire.asyncio.server import WireServer, serve

__all__ = ["Client", "WireServer", "connect", "serve"]


def __getattr__(name: str) -> Any:
    if name in ("WireServer", "serve"):
        from prim.runtime.wire.asyncio import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
