"""The QUIC transport of the trio client: aioquic's sans-IO `QuicConnection` driven by a
trio UDP socket (aioquic's own asyncio layer does not run under trio).

The loop is the one aioquic's asyncio protocol runs: feed each datagram to
`receive_datagram`, call `handle_timer` at `get_timer()`, and send `datagrams_to_send`
after anything changed. Stream layout as in the asyncio client: one bidirectional stream,
opened by the client after the handshake (and the pin check) succeeded.
"""

from __future__ import annotations

import contextlib
import math
import socket

import trio
from aioquic.quic.connection import QuicConnection
from aioquic.quic.events import (
    ConnectionTerminated,
    HandshakeCompleted,
    QuicEvent,
    StreamDataReceived,
    StreamReset,
)

from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.tls.trust import Trust, is_certificate_alert, peer_certificate_der
from prim.runtime.wire.quic_backlog import stream_backlog
from prim.runtime.wire.trio.client import Client

QUIC_IDLE_TIMEOUT = 300.0
_BAD_CERTIFICATE = 0x100 + 42
_HIGH_WATER = 256 * 1024


class TrioQuicTransport:
    def __init__(self, client: Client, quic: QuicConnection, sock: trio.socket.SocketType,
                 addr: tuple[str, int], trust: Trust) -> None:
        self._client = client
        self._quic = quic
        self._sock = sock
        self._addr = addr
        self._trust = trust
        self._stream_id: int | None = None
        self._terminated: ConnectionTerminated | None = None
        self._handshake_error: BaseException | None = None
        self._send_lock = trio.Lock()
        self._drained = trio.Event()
        self._receive_scope = trio.CancelScope()
        self._finish_when_acked = False

    async def handshake(self) -> None:
        """Complete the QUIC handshake (raises CertificateVerificationError or
        ConnectionError); cancel it from outside for a timeout."""
        self._quic.connect(self._addr, now=trio.current_time())
        await self._transmit()
        while self._stream_id is None:
            if self._handshake_error is not None:
                raise self._handshake_error
            await self._receive_once()

    # -- TrioByteTransport ------------------------------------------------------------

    async def send(self, data: bytes) -> None:
        assert self._stream_id is not None
        while self._terminated is None and self._backlog() > _HIGH_WATER:
            self._drained = trio.Event()
            await self._drained.wait()
        if self._terminated is not None:
            return
        self._quic.send_stream_data(self._stream_id, data)
        await self._transmit()

    async def finish(self) -> None:
        if self._terminated is not None:
            return
        if self._stream_id is None:
            self.abort()
        else:
            self._quic.send_stream_data(self._stream_id, b"", end_stream=True)
            self._finish_when_acked = True
        await self._transmit()

    def abort(self) -> None:
        if self._terminated is None:
            self._quic.close(reason_phrase="closed by the client")
            self._receive_scope.cancel()  # the reader sends the close and winds down

    async def run(self) -> None:
        try:
            while self._terminated is None:
                await self._receive_once()
        finally:
            self._sock.close()

    # -- the loop ---------------------------------------------------------------------

    async def _receive_once(self) -> None:
        timer = self._quic.get_timer()
        self._receive_scope = trio.CancelScope(deadline=timer if timer is not None
                                               else math.inf)
        with self._receive_scope:
            data, addr = await self._sock.recvfrom(65536)
            self._quic.receive_datagram(data, addr, now=trio.current_time())
        if self._receive_scope.cancelled_caught:
            self._quic.handle_timer(now=trio.current_time())
        self._process_events()
        if self._finish_when_acked and self._backlog() == 0:
            self._finish_when_acked = False
            self._quic.close(reason_phrase="closed by the client")
        await self._transmit()
        self._drained.set()

    async def _transmit(self) -> None:
        async with self._send_lock:
            for datagram, addr in self._quic.datagrams_to_send(now=trio.current_time()):
                # UDP is lossy anyway: QUIC retransmits, or the handshake times out.
                with contextlib.suppress(OSError):
                    await self._sock.sendto(datagram, addr)
        timer = self._quic.get_timer()
        self._receive_scope.deadline = timer if timer is not None else math.inf

    def _backlog(self) -> int:
        return 0 if self._stream_id is None else stream_backlog(self._quic, self._stream_id)

    def _process_events(self) -> None:
        while (event := self._quic.next_event()) is not None:
            self._handle(event)

    def _handle(self, event: QuicEvent) -> None:
        if isinstance(event, HandshakeCompleted):
            try:
                self._trust.check_pin(peer_certificate_der(self._quic.tls._peer_certificate),
                                      "quic")
            except CertificateVerificationError as exc:
                self._quic.close(error_code=_BAD_CERTIFICATE, reason_phrase=exc.reason)
                self._handshake_error = exc
                return
            self._stream_id = self._quic.get_next_available_stream_id()
        elif isinstance(event, StreamDataReceived) and event.stream_id == self._stream_id:
            if event.data:
                self._client.data_received(event.data)
            if event.end_stream:
                self._client.eof_received()
        elif isinstance(event, StreamReset) and event.stream_id == self._stream_id:
            self._client.transport_lost("the server reset the stream")
        elif isinstance(event, ConnectionTerminated):
            self._terminated = event
            reason = event.reason_phrase or f"QUIC connection closed ({event.error_code:#x})"
            if self._handshake_error is None:
                if is_certificate_alert(event.error_code):
                    self._handshake_error = CertificateVerificationError(reason, "quic")
                else:
                    self._handshake_error = ConnectionError(reason)
            self._client.transport_lost(reason)
            self._drained.set()


async def open_quic(client: Client, host: str, port: int, trust: Trust, server_name: str,
                    timeout: float) -> TrioQuicTransport:
    """A QUIC transport with its handshake done; TimeoutError after `timeout` seconds."""
    infos = await trio.socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    family, _, _, _, sockaddr = infos[0]
    addr = (str(sockaddr[0]), int(sockaddr[1]))
    sock = trio.socket.socket(family, socket.SOCK_DGRAM)
    try:
        await sock.bind(("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0))
        quic = QuicConnection(configuration=trust.quic_configuration(server_name,
                                                                     QUIC_IDLE_TIMEOUT))
        transport = TrioQuicTransport(client, quic, sock, addr, trust)
        with trio.fail_after(timeout):
            await transport.handshake()
    except BaseException as exc:
        sock.close()
        if isinstance(exc, trio.TooSlowError):
            raise TimeoutError(f"QUIC handshake took longer than {timeout:g} s") from None
        raise
    return transport
