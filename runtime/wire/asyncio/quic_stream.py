"""What the QUIC server and client protocols share: one bidirectional stream as a
`ByteTransport` over whichever engine runs the connection (quic_engine.py).

A protocol class is this logic over one engine's `QuicConnectionProtocol`: `protocol_class`
builds it per engine (the same class body, a different base), so nothing here names an
engine's classes. For the type checker the base is aioquic's, whose API qh3 shares.

- backlog(): bytes written to the stream that the engine has not transmitted once yet
  (the engine's own count; see quic_engine.py). Data in flight is bounded by the
  congestion window, so this is what grows when the peer does not keep up.
- Transmissions are coalesced: every connection that wrote during a loop turn transmits
  once at the end of it (one `transmit` per connection per turn, not one per frame).
- finish(): the stream's FIN, then the connection is closed once the peer acknowledged a
  PING sent after the stream's last byte went out, so the frames that said why arrive.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from prim.runtime.wire.quic_engine import QuicEngine

if TYPE_CHECKING:
    from aioquic.asyncio.protocol import QuicConnectionProtocol as _ProtocolBase
    from aioquic.quic.connection import QuicConnection
else:
    _ProtocolBase = object

log = logging.getLogger("prim.wire.quic")
_ping_ids = itertools.count(1)


class _TransmitBatch:
    """The connections of one event loop that wrote since its last turn."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._due: dict[int, QuicStreamTransport] = {}

    def add(self, protocol: QuicStreamTransport) -> None:
        if not self._due:
            self._loop.call_soon(self._run)
        self._due[id(protocol)] = protocol

    def _run(self) -> None:
        due, self._due = self._due, {}
        for protocol in due.values():
            protocol.transmit()


_batches: dict[asyncio.AbstractEventLoop, _TransmitBatch] = {}


def _batch_of(loop: asyncio.AbstractEventLoop) -> _TransmitBatch:
    batch = _batches.get(loop)
    if batch is None:
        if len(_batches) > 16:  # loops come and go in tests: keep only live ones
            for old in [k for k in _batches if k.is_closed()]:
                del _batches[old]
        batch = _batches[loop] = _TransmitBatch(loop)
    return batch


class QuicStreamTransport(_ProtocolBase):
    engine: ClassVar[QuicEngine]

    def __init__(self, quic: QuicConnection, *args: Any, **kwargs: Any) -> None:
        super().__init__(quic, *args, **kwargs)
        self._conn = quic  # our own reference: the base class's is its private field
        self._batch = _batch_of(asyncio.get_running_loop())
        self._stream_id: int | None = None
        self._written = 0
        self._receiving = False  # inside datagram_received, which transmits at its end
        self._finish_when_acked = False
        self._finish_ping: int | None = None
        self._socket_gone = False
        self._udp: asyncio.BaseTransport | None = None

    # -- ByteTransport ----------------------------------------------------------------

    def write(self, data: bytes) -> None:
        assert self._stream_id is not None
        try:
            self._conn.send_stream_data(self._stream_id, data)
        except self.engine.closing_error:
            return  # the peer has closed: nothing reaches it, ConnectionTerminated follows
        self._written += len(data)
        self.transmit_soon()

    def backlog(self) -> int:
        if self._stream_id is None:
            return 1 << 62  # nothing can be written before the stream exists
        return self.engine.unsent(self._conn, self._stream_id, self._written)

    def finish(self) -> None:
        if self._stream_id is None:
            self.abort()
            return
        try:
            self._conn.send_stream_data(self._stream_id, b"", end_stream=True)
        except self.engine.closing_error:
            return  # already closing: there is nothing left to finish
        self._finish_when_acked = True
        self.transmit_soon()
        self.maybe_close()

    def abort(self) -> None:
        self._conn.close(error_code=0, reason_phrase="closed")
        self.transmit_soon()

    def pause_reading(self) -> None:
        pass  # QUIC engines cannot stop reading; the session holds the bytes, up to a bound

    def resume_reading(self) -> None:
        pass

    # -- engine side ------------------------------------------------------------------

    def transmit_soon(self) -> None:
        if not self._receiving:  # else datagram_received transmits right after
            self._batch.add(self)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._udp = transport

    def close_socket(self) -> None:
        if self._udp is not None:
            self._udp.close()

    def transmit(self) -> None:
        if self._socket_gone:
            return
        try:
            super().transmit()
        except Exception:
            # The engine could not build this connection's packets (it raises from
            # datagrams_to_send, e.g. qh3's "packet builder capacity exhausted"; see
            # quic_engine.py). Raised on, it would escape from the UDP endpoint every
            # connection shares and come back on each timer of this connection: the
            # connection is given up instead, once.
            log.exception("the QUIC engine failed on a connection; dropping it")
            self._socket_gone = True
            self.engine_failed()

    def engine_failed(self) -> None:
        """The engine can no longer run this connection (overridden by the drivers)."""

    def datagram_received(self, data: bytes | str, addr: Any) -> None:
        self._receiving = True
        try:
            super().datagram_received(data, addr)
        finally:
            self._receiving = False
        self.after_datagram()

    def after_datagram(self) -> None:
        """Acknowledgements may have drained the stream (overridden by the drivers)."""

    def ping_acknowledged(self, uid: int) -> None:
        if uid == self._finish_ping:
            self._finish_ping = None
            self._finish_when_acked = False
            self.abort()

    def maybe_close(self) -> None:
        # All of the stream has gone out once: a PING after it, acknowledged, says the
        # peer has what came before (loopback or not, the peer acknowledges in order of
        # arrival; a lost packet is repaired before the PING's packet is acknowledged
        # often enough, and the session's close linger bounds the rest).
        if self._finish_when_acked and self._finish_ping is None and self.backlog() == 0:
            self._finish_ping = next(_ping_ids)
            self._conn.send_ping(self._finish_ping)
            self.transmit_soon()

    def socket_gone(self) -> None:
        """The UDP socket is closed: stop transmitting, and let the engine's timers run out
        (a closed connection's only timer is its end)."""
        self._socket_gone = True
        self._conn.close(error_code=0, reason_phrase="socket closed")


_P = TypeVar("_P", bound=QuicStreamTransport)


def protocol_class(logic: type[_P], engine: QuicEngine) -> type[_P]:
    """`logic` (a QuicStreamTransport subclass) over `engine`'s QuicConnectionProtocol."""
    key = (logic, engine.name)
    built = _classes.get(key)
    if built is None:
        built = type(f"{engine.name}_{logic.__name__}", (logic, engine.protocol),
                     {"engine": engine})
        _classes[key] = built
    return cast(type[_P], built)


_classes: dict[tuple[type[Any], str], type[Any]] = {}
