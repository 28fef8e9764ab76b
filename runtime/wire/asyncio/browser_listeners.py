"""The listeners browsers reach the gateway on, beside QUIC and TLS/TCP: WebSocket over
TCP and WebTransport over HTTP/3 (UDP, on [::1] too when the host is 127.0.0.1), sharing
one port number (`browser_port`), as QUIC and TLS/TCP share theirs. Their connections
become the same `ServerSession`s, opened by the `WireServer` that owns these listeners (so
its connection limits count them too).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable

from aioquic.asyncio.server import QuicServer

from prim.runtime.tls.certificates import webtransport_certificate_hashes
from prim.runtime.tls.trust import IssuedContexts
from prim.runtime.wire.asyncio.session import ServerSession
from prim.runtime.wire.asyncio.websocket_server import WebSocketServerProtocol
from prim.runtime.wire.asyncio.webtransport_server import (
    PATH,
    WEBTRANSPORT_ENGINE,
    make_webtransport_protocol_factory,
)
from prim.runtime.wire.settings import ServerSettings

# Chromium tries [::1] first for localhost: a loopback listener answers there too.
_IPV4_LOOPBACK = {"127.0.0.1", "localhost"}


class BrowserListeners:
    def __init__(self, open_session: Callable[[str, str], ServerSession],
                 contexts: IssuedContexts, settings: ServerSettings,
                 quic_idle_timeout: float) -> None:
        self._open_session = open_session
        self._contexts = contexts
        self._identity = contexts.identity
        self._settings = settings
        self._quic_idle_timeout = quic_idle_timeout
        self._websocket: asyncio.Server | None = None
        self._webtransport: list[QuicServer] = []
        self.port = 0

    @property
    def websocket_url(self) -> str | None:
        if self._websocket is None:
            return None
        scheme = "wss" if self._settings.websocket_tls else "ws"
        return f"{scheme}://{_url_host(self._settings.host)}:{self.port}/"

    @property
    def webtransport_url(self) -> str | None:
        if not self._webtransport:
            return None
        return f"https://{_url_host(self._settings.host)}:{self.port}{PATH}"

    def webtransport_certificate_hashes(self) -> list[str]:
        """What a browser passes as serverCertificateHashes (empty for a CA's certificate)."""
        if not self._webtransport:
            return []
        return webtransport_certificate_hashes(self._identity.cert_file)

    async def start(self) -> None:
        s = self._settings
        assert s.browser_port is not None
        for _ in range(20):  # port 0: find a number free for both TCP and UDP
            try:
                await self._listen(s.browser_port)
                return
            except OSError:
                if s.browser_port:
                    raise
                await self.close()
        raise OSError("no port number was free for both WebSocket and WebTransport")

    async def _listen(self, port: int) -> None:
        s = self._settings
        loop = asyncio.get_running_loop()
        if s.enable_websocket:
            self._websocket = await loop.create_server(
                lambda: WebSocketServerProtocol(self._open_session, s.transport_high_water),
                s.host, port,
                ssl=self._contexts.keep(self._identity.ssl_context(alpn="http/1.1"))
                if s.websocket_tls else None,
                ssl_handshake_timeout=s.tls_handshake_timeout if s.websocket_tls else None,
                family=socket.AF_INET6 if ":" in s.host else socket.AF_INET,
                reuse_address=True,
            )
            port = self._websocket.sockets[0].getsockname()[1]
        if s.enable_webtransport:
            hosts = [s.host, "::1"] if s.host in _IPV4_LOOPBACK else [s.host]
            for host in hosts:
                server = await WEBTRANSPORT_ENGINE.serve(
                    host, port,
                    configuration=self._contexts.keep(WEBTRANSPORT_ENGINE.configure(
                        self._identity.webtransport_configuration(self._quic_idle_timeout))),
                    create_protocol=make_webtransport_protocol_factory(self._open_session),
                    # aioquic needs no Retry to serve every client (None: the engine's call).
                    retry=bool(s.quic_retry),
                )
                self._webtransport.append(server)
                if port == 0:
                    port = _udp_port(server)
        self.port = port

    def stop_accepting(self) -> None:
        if self._websocket is not None:
            self._websocket.close()

    async def close(self) -> None:
        for server in self._webtransport:
            server.close()
        self._webtransport = []
        if self._websocket is not None:
            self._websocket.close()
            with contextlib.suppress(Exception):
                await self._websocket.wait_closed()
            self._websocket = None


def _udp_port(server: QuicServer) -> int:
    udp = server._transport  # aioquic exposes the bound socket nowhere else
    assert udp is not None
    port: int = udp.get_extra_info("sockname")[1]
    return port


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
