"""The QUIC transport of the asyncio client (ALPN "prim"), on the engine of quic_engine.py.

The client opens one bidirectional stream for its frames once the handshake (and the
certificate pin, when there is one) has been checked; the server answers on the same
stream (see quic_server.py).
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.tls.trust import Trust, is_certificate_alert
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.asyncio.quic_stream import QuicStreamTransport, protocol_class
from prim.runtime.wire.quic_engine import QuicEngine, load

# QUIC idle timeout of the client; the protocol's own heartbeat keeps it from firing.
QUIC_IDLE_TIMEOUT = 300.0
_BAD_CERTIFICATE = 0x100 + 42  # CRYPTO_ERROR + TLS alert bad_certificate


class QuicClientProtocol(QuicStreamTransport):
    def __init__(self, *args: Any, client: Client, trust: Trust, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client = client
        self._trust = trust
        self.handshake: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    # -- the engine -------------------------------------------------------------------

    def connection_lost(self, exc: Exception | None) -> None:
        # The UDP socket is gone (handshake timeout, fallback to TCP): stop transmitting
        # into a closed transport.
        self.socket_gone()
        _fail(self.handshake, ConnectionError("UDP socket closed"))
        if self._stream_id is not None:
            self._client.transport_lost("UDP socket closed")

    def engine_failed(self) -> None:
        _fail(self.handshake, ConnectionError("the QUIC engine failed on this connection"))
        if self._stream_id is not None:
            self._client.transport_lost("the QUIC engine failed on this connection")
        self.close_socket()

    def after_datagram(self) -> None:
        if self._stream_id is not None:
            self._client.writable()
            self.maybe_close()

    def quic_event_received(self, event: Any) -> None:
        engine = self.engine
        if isinstance(event, engine.StreamDataReceived):
            if event.stream_id == self._stream_id:
                if event.data:
                    self._client.data_received(event.data)
                if event.end_stream:
                    self._client.eof_received()
        elif isinstance(event, engine.HandshakeCompleted):
            try:
                shown = engine.peer_certificate
                self._trust.check_pin(None if shown is None else shown(self._conn), "quic")
            except CertificateVerificationError as exc:
                self._conn.close(error_code=_BAD_CERTIFICATE, reason_phrase=exc.reason)
                self.transmit_soon()
                _fail(self.handshake, exc)
                return
            self._stream_id = self._conn.get_next_available_stream_id()
            _done(self.handshake)
            self._client.attach(self)
        elif isinstance(event, engine.PingAcknowledged):
            self.ping_acknowledged(event.uid)
        elif isinstance(event, engine.StreamReset) and event.stream_id == self._stream_id:
            self._client.transport_lost("the server reset the stream")
        elif isinstance(event, engine.ConnectionTerminated):
            reason = event.reason_phrase or f"QUIC connection closed ({event.error_code:#x})"
            if is_certificate_alert(event.error_code):
                _fail(self.handshake, CertificateVerificationError(reason, "quic"))
            else:
                _fail(self.handshake, ConnectionError(reason))
            self._client.transport_lost(reason)
            self.close_socket()


def _done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _fail(future: asyncio.Future[None], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


async def open_quic(client: Client, host: str, port: int, trust: Trust, server_name: str,
                    timeout: float, engine: QuicEngine | None = None) -> None:
    """Run the QUIC handshake for `client` (on `engine`, by default the default engine);
    TimeoutError after `timeout` seconds."""
    engine = engine or load()
    engine.check_pinnable(trust.pin_sha256)
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    family, _, _, _, addr = infos[0]
    quic = engine.connection(configuration=engine.configure(trust.quic_configuration(
        server_name, QUIC_IDLE_TIMEOUT, configuration=engine.configuration)))
    protocol_cls = protocol_class(QuicClientProtocol, engine)
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.bind(("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0))
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: protocol_cls(quic, client=client, trust=trust), sock=sock)
    except BaseException:
        sock.close()
        raise
    assert isinstance(protocol, QuicClientProtocol)
    protocol.connect((str(addr[0]), int(addr[1])))
    try:
        await asyncio.wait_for(asyncio.shield(protocol.handshake), timeout)
    except BaseException:
        if not protocol.handshake.done():
            protocol.handshake.cancel()
        transport.close()
        raise
