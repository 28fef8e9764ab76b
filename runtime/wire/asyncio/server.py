"""`WireServer`: the asyncio wire server, QUIC and TLS over TCP on one port number.

    server = await serve(handler, ServerIdentity(cert, key), ServerSettings(port=4433))
    ...
    await server.close()

Each connection becomes a `ServerSession` (the `Connection` handlers see); a connection
past `max_connections` is answered with Error UNAVAILABLE and closed, one past
`max_connections_per_ip` from its address with Error RATE_LIMITED. `close()` (a graceful
stop) sends every connection BeOffline (code BE_OFFLINE) before the close. QUIC connections become
sessions when their handshake completes, so both limits count them from then on. Nothing a
connection sends can raise out of its session, so bad input on one never touches another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from types import TracebackType
from typing import Any

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.tls.trust import IssuedContexts, ServerIdentity
from prim.runtime.wire.asyncio.browser_listeners import BrowserListeners
from prim.runtime.wire.asyncio.quic_server import make_quic_protocol_factory
from prim.runtime.wire.asyncio.session import ServerSession
from prim.runtime.wire.asyncio.tcp_server import TcpServerProtocol
from prim.runtime.wire.handler import ConnectionHandler
from prim.runtime.wire.quic_engine import load
from prim.runtime.wire.settings import ServerSettings
from prim.runtime.wire.udp_socket import bind_udp, buffer_sizes

log = logging.getLogger("prim.wire.server")

SHUTDOWN_MESSAGE = ("this server is shutting down: reconnect (to another node, or to this "
                    "one once it is back)")

# QUIC's own idle timeout sits above the protocol's, so the protocol's (which says why with
# an Error frame) always fires first.
_QUIC_IDLE_MARGIN = 10.0


class WireServer:
    def __init__(self, handler: ConnectionHandler, identity: ServerIdentity,
                 settings: ServerSettings | None = None) -> None:
        self.handler = handler
        self.identity = identity
        self._contexts = IssuedContexts(identity)
        self.settings = settings or ServerSettings()
        self._sessions: dict[int, ServerSession] = {}
        self._per_ip: dict[str, int] = {}  # open sessions by the client's IP address
        self._tcp: asyncio.Server | None = None
        self._quic: Any = None  # the engine's QuicServer
        self._udp: asyncio.DatagramTransport | None = None  # the QUIC socket's transport
        self.quic_engine = load(self.settings.quic_engine)
        self._browsers: BrowserListeners | None = None
        self._port = self.settings.port
        self._all_closed = asyncio.Event()
        self._handler_calls: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The port number both transports listen on."""
        return self._port

    @property
    def websocket_url(self) -> str | None:
        """ws(s)://host:port/ of the WebSocket listener, when there is one."""
        return self._browsers.websocket_url if self._browsers is not None else None

    @property
    def webtransport_url(self) -> str | None:
        """https://host:port/wire of the WebTransport listener, when there is one."""
        return self._browsers.webtransport_url if self._browsers is not None else None

    def webtransport_certificate_hashes(self) -> list[str]:
        """Hex SHA-256 values for a browser's serverCertificateHashes (the current
        certificate's, when it is a short-lived development one)."""
        if self._browsers is None:
            return []
        return self._browsers.webtransport_certificate_hashes()

    @property
    def quic_socket_buffers(self) -> tuple[int, int] | None:
        """(receive, send) bytes of the QUIC socket's kernel buffers; None without QUIC."""
        sock = self._udp.get_extra_info("socket") if self._udp is not None else None
        return buffer_sizes(sock) if sock is not None else None

    @property
    def host(self) -> str:
        return self.settings.host

    @property
    def connections(self) -> list[ServerSession]:
        return list(self._sessions.values())

    async def start(self) -> None:
        s = self.settings
        for _ in range(20):  # port 0: find a number free for both TCP and UDP
            try:
                await self._listen(s.port or 0)
                break
            except OSError:
                if s.port:
                    raise
                await self._stop_listening()
        else:
            raise OSError("no port number was free for both TCP and UDP")
        if s.browser_port is not None:
            self._browsers = BrowserListeners(self._open_session, self._contexts, s,
                                              s.connection.idle_timeout + _QUIC_IDLE_MARGIN)
            try:
                await self._browsers.start()
            except BaseException:
                await self._stop_listening()
                raise

    async def _listen(self, port: int) -> None:
        s = self.settings
        loop = asyncio.get_running_loop()
        if s.enable_tcp:
            self._tcp = await loop.create_server(
                lambda: TcpServerProtocol(self._open_session, s.transport_high_water),
                s.host, port, ssl=self._contexts.keep(self.identity.ssl_context()),
                ssl_handshake_timeout=s.tls_handshake_timeout,
                family=socket.AF_INET6 if ":" in s.host else socket.AF_INET,
                reuse_address=True,
            )
            port = self._tcp.sockets[0].getsockname()[1]
        if s.enable_quic:
            engine = self.quic_engine
            config = self._contexts.keep(engine.configure(self.identity.quic_configuration(
                s.connection.idle_timeout + _QUIC_IDLE_MARGIN,
                configuration=engine.configuration)))
            sock = bind_udp(s.host, port, s.udp_buffer_bytes)  # port 0: a free one
            port = sock.getsockname()[1]
            create_protocol = make_quic_protocol_factory(engine, self._open_session)
            retry = engine.needs_retry if s.quic_retry is None else s.quic_retry
            self._udp, self._quic = await loop.create_datagram_endpoint(
                lambda: engine.server(configuration=config, create_protocol=create_protocol,
                                      retry=retry),
                sock=sock)
        self._port = port

    def reload_certificate(self) -> None:
        """The certificate files were renewed: new connections on every listener present
        the new certificate."""
        self._contexts.reload()

    def _open_session(self, transport: str, remote: str) -> ServerSession:
        session = ServerSession(self.handler, self.settings, transport, remote,
                                self._session_finished)
        ip = _host_of(remote)
        if len(self._sessions) >= self.settings.max_connections:
            log.warning("refusing %s connection from %s: %d connections open",
                        transport, remote, len(self._sessions))
            session.core.close(ErrorCode.UNAVAILABLE, "the server is at its connection limit")
        elif self._per_ip.get(ip, 0) >= self.settings.max_connections_per_ip:
            log.warning("refusing %s connection from %s: %d connections open from it",
                        transport, remote, self._per_ip[ip])
            session.core.close(ErrorCode.RATE_LIMITED,
                               "too many connections from this address")
        else:
            self._sessions[session.id] = session
            self._per_ip[ip] = self._per_ip.get(ip, 0) + 1
            self._all_closed.clear()
        return session

    def _session_finished(self, session: ServerSession) -> None:
        if self._sessions.pop(session.id, None) is not None:
            ip = _host_of(session.remote_address)
            left = self._per_ip.pop(ip, 1) - 1
            if left:
                self._per_ip[ip] = left
        # The transport is gone but the handler may still be in on_close: close() waits
        # for it, so the application's resources outlive every call into the handler.
        pending = session.pending_handler_calls()
        if pending is not None:
            self._handler_calls.add(pending)
            pending.add_done_callback(self._handler_calls.discard)
        if not self._sessions:
            self._all_closed.set()

    async def _stop_listening(self) -> None:
        if self._tcp is not None:
            self._tcp.close()
            with contextlib.suppress(Exception):
                await self._tcp.wait_closed()
            self._tcp = None
        if self._quic is not None:
            self._quic.close()  # closes its connections and the socket's transport
            self._quic = None
            self._udp = None
        if self._browsers is not None:
            await self._browsers.close()
            self._browsers = None

    async def close(self, message: str = SHUTDOWN_MESSAGE, grace: float = 2.0) -> None:
        """Stop listening, tell every client why (BeOffline BE_OFFLINE: reconnect), and wait
        (up to `grace` s) for them to go."""
        if self._tcp is not None:
            self._tcp.close()  # stop accepting; connections stay until closed below
        if self._browsers is not None:
            self._browsers.stop_accepting()
        for session in list(self._sessions.values()):
            session.be_offline(ErrorCode.BE_OFFLINE, message)
        if self._sessions:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._all_closed.wait(), grace)
        await self._stop_listening()
        for session in list(self._sessions.values()):
            pending = session.pending_handler_calls()
            if pending is not None:
                self._handler_calls.add(pending)
        if self._handler_calls:
            await asyncio.wait(set(self._handler_calls), timeout=grace)

    async def __aenter__(self) -> WireServer:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()


def _host_of(address: str) -> str:
    """The IP address of a "host:port" remote address (IPv6 hosts contain colons)."""
    return address.rpartition(":")[0] or address


async def serve(handler: ConnectionHandler, identity: ServerIdentity,
                settings: ServerSettings | None = None) -> WireServer:
    """A started WireServer."""
    server = WireServer(handler, identity, settings)
    await server.start()
    return server
