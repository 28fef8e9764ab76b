"""The QUIC transport of the asyncio client (aioquic, ALPN "prim").

The client opens one bidirectional stream for its frames once the handshake (and the
certificate pin, when there is one) has been checked; the server answers on the same
stream (see quic_server.py).
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.quic.connection import NetworkAddress, QuicConnection
from aioquic.quic.events import (
    ConnectionTerminated,
    HandshakeCompleted,
    QuicEvent,
    StreamDataReceived,
    StreamReset,
)

from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.tls.trust import Trust, is_certificate_alert, peer_certificate_der
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.quic_backlog import stream_backlog

# QUIC idle timeout of the client; the protocol's own heartbeat keeps it from firing.
QUIC_IDLE_TIMEOUT = 300.0
_BAD_CERTIFICATE = 0x100 + 42  # CRYPTO_ERROR + TLS alert bad_certificate


class QuicClientProtocol(QuicConnectionProtocol):
    def __init__(self, quic: QuicConnection, *args: Any, client: Client, trust: Trust,
                 **kwargs: Any) -> None:
        super().__init__(quic, *args, **kwargs)
        self._client = client
        self._trust = trust
        self.handshake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._stream_id: int | None = None
        self._finish_when_acked = False
        self._receiving = False

    # -- ByteTransport ----------------------------------------------------------------

    def write(self, data: bytes) -> None:
        assert self._stream_id is not None
        self._quic.send_stream_data(self._stream_id, data)
        if not self._receiving:  # else datagram_received transmits right after
            self._transmit_soon()

    def backlog(self) -> int:
        if self._stream_id is None:
            return 1 << 62
        return stream_backlog(self._quic, self._stream_id)

    def finish(self) -> None:
        if self._stream_id is None:
            self.abort()
            return
        self._quic.send_stream_data(self._stream_id, b"", end_stream=True)
        self._finish_when_acked = True
        self._transmit_soon()
        self._maybe_close()

    def abort(self) -> None:
        self._quic.close(reason_phrase="closed by the client")
        self._transmit_soon()

    def pause_reading(self) -> None:
        pass  # aioquic cannot stop reading; the session holds the bytes, up to a bound

    def resume_reading(self) -> None:
        pass

    # -- aioquic ----------------------------------------------------------------------

    def connection_lost(self, exc: Exception | None) -> None:
        # The UDP socket is gone (handshake timeout, fallback to TCP): stop aioquic's timer
        # so it does not keep transmitting into a closed transport.
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        _fail(self.handshake, ConnectionError("UDP socket closed"))
        if self._stream_id is not None:
            self._client.transport_lost("UDP socket closed")

    def datagram_received(self, data: bytes | str, addr: NetworkAddress) -> None:
        self._receiving = True
        try:
            super().datagram_received(data, addr)
        finally:
            self._receiving = False
        if self._stream_id is not None:
            self._client.writable()
            self._maybe_close()

    def quic_event_received(self, event: QuicEvent) -> None:
        if isinstance(event, HandshakeCompleted):
            try:
                self._trust.check_pin(peer_certificate_der(self._quic.tls._peer_certificate),
                                      "quic")
            except CertificateVerificationError as exc:
                self._quic.close(error_code=_BAD_CERTIFICATE, reason_phrase=exc.reason)
                self._transmit_soon()
                _fail(self.handshake, exc)
                return
            self._stream_id = self._quic.get_next_available_stream_id()
            _done(self.handshake)
            self._client.attach(self)
        elif isinstance(event, StreamDataReceived) and event.stream_id == self._stream_id:
            if event.data:
                self._client.data_received(event.data)
            if event.end_stream:
                self._client.eof_received()
        elif isinstance(event, StreamReset) and event.stream_id == self._stream_id:
            self._client.transport_lost("the server reset the stream")
        elif isinstance(event, ConnectionTerminated):
            reason = event.reason_phrase or f"QUIC connection closed ({event.error_code:#x})"
            if is_certificate_alert(event.error_code):
                _fail(self.handshake, CertificateVerificationError(reason, "quic"))
            else:
                _fail(self.handshake, ConnectionError(reason))
            self._client.transport_lost(reason)
            if self._transport is not None:
                self._transport.close()

    def _maybe_close(self) -> None:
        if self._finish_when_acked and self.backlog() == 0:
            self._finish_when_acked = False
            self.abort()


def _done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _fail(future: asyncio.Future[None], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


async def open_quic(client: Client, host: str, port: int, trust: Trust, server_name: str,
                    timeout: float) -> None:
    """Run the QUIC handshake for `client`; TimeoutError after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    family, _, _, _, addr = infos[0]
    quic = QuicConnection(configuration=trust.quic_configuration(server_name,
                                                                 QUIC_IDLE_TIMEOUT))
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.bind(("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0))
        transport, protocol = await loop.create_datagram_endpoint(
            lambda: QuicClientProtocol(quic, client=client, trust=trust), sock=sock)
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
