"""The gRPC listener of one process: the generated `...Grpc` adapters it serves, over
mutual TLS, plus the standard gRPC health service."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from typing import Any, Protocol

from grpclib.health.service import Health
from grpclib.server import Server

from prim.runtime.rpc.channels import RpcTls


class Servable(Protocol):
    # What grpclib serves: the generated ServiceBase classes have it.
    def __mapping__(self) -> dict[str, Any]: ...


class RpcServer:
    def __init__(self, services: Sequence[Servable], tls: RpcTls) -> None:
        self._server = Server([*services, Health()])
        self._tls = tls
        self.port = 0

    async def start(self, host: str, port: int) -> int:
        """Listens on host:port (0: a free port); returns the port."""
        # Bound here so that the port picked for 0 is known without asking grpclib.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets created with it, and
        # without it Nagle holds small gRPC replies for the peer's delayed ACK (~40 ms).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        await self._server.start(sock=sock, ssl=self._tls.server_context())
        return self.port

    async def close(self) -> None:
        self._server.close()
        await self._server.wait_closed()
