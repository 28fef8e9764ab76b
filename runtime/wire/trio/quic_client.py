"""The QUIC transport of the trio client: the QUIC engine's sans-IO `QuicConnection` (qh3 or
aioquic) driven by a trio UDP socket (the engines' asyncio layers do not run under trio).

The loop is the one aioquic's asyncio protocol runs: feed each datagram to
`receive_datagram`, call `handle_timer` at `get_timer()`, and send `datagrams_to_send`
after anything changed. Stream layout as in the asyncio client: one bidirectional stream,
opened by the client after the handshake (and the pin check) succeeded.

The engine (aioquic, or qh3 by `ClientSettings.quic_engine`; see connect.py) is reached through
quic_engine.py's public calls only, as on the asyncio side: its count of bytes not yet
transmitted (`unsent`) holds writes back past the high-water mark, and a finish closes
once a PING sent after the stream's last byte is acknowledged.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import socket
from typing import Any

import trio
from aioquic.quic.connection import QuicConnection  # the engines' shared API, for typing

from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.tls.trust import Trust, is_certificate_alert
from prim.runtime.wire.quic_engine import QuicEngine, load
from prim.runtime.wire.trio.client import Client

QUIC_IDLE_TIMEOUT = 300.0
_BAD_CERTIFICATE = 0x100 + 42
_HIGH_WATER = 256 * 1024
_ping_ids = itertools.count(1)


class TrioQuicTransport:
    def __init__(self, client: Client, engine: QuicEngine, quic: QuicConnection,
                 sock: trio.socket.SocketType, addr: tuple[str, int], trust: Trust) -> None:
        self._client = client
        self._engine = engine
        self._quic = quic
        self._sock = sock
        self._addr = addr
        self._trust = trust
        self._stream_id: int | None = None
        # The engine's ConnectionTerminated once it came (or the error it failed with).
        self._terminated: Any = None
        self._handshake_error: BaseException | None = None
        self._send_lock = trio.Lock()
        self._drained = trio.Event()
        self._receive_scope = trio.CancelScope()
        self._finish_when_acked = False
        self._finish_ping: int | None = None
        self._written = 0  # bytes written to the stream (the engine counts what went out)

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
        try:
            self._quic.send_stream_data(self._stream_id, data)
        except self._engine.Closed:
            return  # closing: its end arrives as ConnectionTerminated
        self._written += len(data)
        await self._transmit()

    async def finish(self) -> None:
        if self._terminated is not None:
            return
        if self._stream_id is None:
            self.abort()
        else:
            with contextlib.suppress(self._engine.Closed):
                self._quic.send_stream_data(self._stream_id, b"", end_stream=True)
                self._finish_when_acked = True
        await self._transmit()

    def abort(self) -> None:
        if self._terminated is None:
            with contextlib.suppress(self._engine.Closed):
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
        try:
            with self._receive_scope:
                data, addr = await self._sock.recvfrom(65536)
                self._quic.receive_datagram(data, addr, now=trio.current_time())
            if self._receive_scope.cancelled_caught:
                self._quic.handle_timer(now=trio.current_time())
        except self._engine.Closed as exc:
            self._engine_failed(exc)
            return
        self._process_events()
        if self._finish_when_acked and self._finish_ping is None and self._backlog() == 0:
            # All of the stream went out once: the PING's acknowledgement says the server
            # has it (as in quic_stream.py), then the connection closes.
            self._finish_ping = next(_ping_ids)
            with contextlib.suppress(self._engine.Closed):
                self._quic.send_ping(self._finish_ping)
        await self._transmit()
        self._drained.set()

    async def _transmit(self) -> None:
        async with self._send_lock:
            try:
                datagrams = self._quic.datagrams_to_send(now=trio.current_time())
            except self._engine.Closed as exc:
                self._engine_failed(exc)
                return
            for datagram, addr in datagrams:
                # UDP is lossy anyway: QUIC retransmits, or the handshake times out.
                with contextlib.suppress(OSError):
                    await self._sock.sendto(datagram, addr)
        timer = self._quic.get_timer()
        self._receive_scope.deadline = timer if timer is not None else math.inf

    def _engine_failed(self, exc: Exception) -> None:
        """The engine raised from a call that runs the connection (qh3 does, for a failure
        of its core; see quic_stream.py): this connection is given up, once."""
        if self._terminated is not None:
            return
        self._terminated = exc
        reason = f"the QUIC engine failed on this connection: {exc}"
        if self._handshake_error is None:
            self._handshake_error = ConnectionError(reason)
        self._client.transport_lost(reason)
        self._drained.set()
        self._receive_scope.cancel()

    def _backlog(self) -> int:
        """Bytes written to the stream and not transmitted once yet."""
        if self._stream_id is None:
            return 0
        return self._engine.unsent(self._quic, self._stream_id, self._written)

    def _process_events(self) -> None:
        while (event := self._quic.next_event()) is not None:
            self._handle(event)

    def _handle(self, event: Any) -> None:
        engine = self._engine
        if isinstance(event, engine.HandshakeCompleted):
            try:
                shown = engine.peer_certificate
                self._trust.check_pin(None if shown is None else shown(self._quic), "quic")
            except CertificateVerificationError as exc:
                self._quic.close(error_code=_BAD_CERTIFICATE, reason_phrase=exc.reason)
                self._handshake_error = exc
                return
            self._stream_id = self._quic.get_next_available_stream_id()
        elif isinstance(event, engine.StreamDataReceived) and event.stream_id == self._stream_id:
            if event.data:
                self._client.data_received(event.data)
            if event.end_stream:
                self._client.eof_received()
        elif isinstance(event, engine.StreamReset) and event.stream_id == self._stream_id:
            self._client.transport_lost("the server reset the stream")
        elif isinstance(event, engine.PingAcknowledged) and event.uid == self._finish_ping:
            self._finish_when_acked = False
            with contextlib.suppress(engine.Closed):
                self._quic.close(reason_phrase="closed by the client")
        elif isinstance(event, engine.ConnectionTerminated):
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
                    timeout: float, engine: QuicEngine | None = None) -> TrioQuicTransport:
    """A QUIC transport with its handshake done (on `engine`, by default the default
    engine); TimeoutError after `timeout` seconds."""
    engine = engine or load()
    engine.check_pinnable(trust.pin_sha256)
    infos = await trio.socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    family, _, _, _, sockaddr = infos[0]
    addr = (str(sockaddr[0]), int(sockaddr[1]))
    sock = trio.socket.socket(family, socket.SOCK_DGRAM)
    try:
        await sock.bind(("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0))
        quic = engine.connection(configuration=engine.configure(trust.quic_configuration(
            server_name, QUIC_IDLE_TIMEOUT, configuration=engine.configuration)))
        transport = TrioQuicTransport(client, engine, quic, sock, addr, trust)
        with trio.fail_after(timeout):
            await transport.handshake()
    except BaseException as exc:
        sock.close()
        if isinstance(exc, trio.TooSlowError):
            raise TimeoutError(f"QUIC handshake took longer than {timeout:g} s") from None
        raise
    return transport
