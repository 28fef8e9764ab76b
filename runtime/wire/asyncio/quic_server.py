"""The QUIC side of the asyncio server: one aioquic protocol per connection.

Stream layout: the client opens one bidirectional stream (the first, id 0) and sends all
its frames on it; the server sends everything for that client (answers, Errors and
deliveries alike) on the same stream's other direction. One ordered byte stream per
connection gives exactly the semantics of the TLS-over-TCP transport, so the core and the
clients do not care which one they are on; frames are small, so the head-of-line blocking
several streams would avoid does not pay for the ordering they would lose. Data on any
other stream is refused (STOP_SENDING) and ignored.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
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

from prim.runtime.wire.asyncio.session import ServerSession
from prim.runtime.wire.quic_backlog import stream_backlog

log = logging.getLogger("prim.wire.server")

# Application error code for closing the QUIC connection after the frames said why.
QUIC_APP_CLOSE = 0x0
_STREAM_REFUSED = 0x1


class QuicServerProtocol(QuicConnectionProtocol):
    def __init__(
        self,
        quic: QuicConnection,
        *args: Any,
        open_session: Callable[[str, str], ServerSession],
        **kwargs: Any,
    ) -> None:
        super().__init__(quic, *args, **kwargs)
        self._open_session = open_session
        self._session: ServerSession | None = None
        self._stream_id: int | None = None
        self._peer = "?"
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
            return 1 << 62  # nothing can be written before the client opens its stream
        return stream_backlog(self._quic, self._stream_id)

    def finish(self) -> None:
        if self._stream_id is not None:
            self._quic.send_stream_data(self._stream_id, b"", end_stream=True)
            self._finish_when_acked = True
            self._maybe_close()
        else:
            self.abort()

    def abort(self) -> None:
        self._quic.close(error_code=QUIC_APP_CLOSE, reason_phrase="closed")
        self._transmit_soon()

    def pause_reading(self) -> None:
        pass  # aioquic cannot stop reading; the session holds the bytes, up to a bound

    def resume_reading(self) -> None:
        pass

    # -- aioquic ----------------------------------------------------------------------

    def datagram_received(self, data: bytes | str, addr: NetworkAddress) -> None:
        if self._peer == "?":
            self._peer = f"{addr[0]}:{addr[1]}"
        self._receiving = True
        try:
            super().datagram_received(data, addr)
        finally:
            self._receiving = False
        # Acknowledgements may have drained the stream: let queued frames through.
        if self._session is not None:
            try:
                self._session.writable()
                self._maybe_close()
            except Exception:
                log.exception("QUIC connection from %s failed; closing it", self._peer)
                self.abort()

    def quic_event_received(self, event: QuicEvent) -> None:
        # This runs inside the UDP endpoint's datagram_received, which all QUIC
        # connections share: an exception escaping here would make asyncio close the
        # listening socket. Contain any failure to this one connection.
        try:
            self._handle_event(event)
        except Exception:
            log.exception("QUIC connection from %s failed; closing it", self._peer)
            self.abort()

    def _handle_event(self, event: QuicEvent) -> None:
        if isinstance(event, HandshakeCompleted):
            # Attached at once, before the client opens its stream: the session's limits
            # and Auth deadline hold from the handshake on, and a session closed before
            # the stream exists can still cut the QUIC connection (finish/abort).
            self._session = self._open_session("quic", self._peer)
            self._session.attach(self)
        elif isinstance(event, StreamDataReceived):
            self._stream_data(event)
        elif isinstance(event, StreamReset) and event.stream_id == self._stream_id:
            if self._session is not None:
                self._session.transport_lost("the client reset its stream")
        elif isinstance(event, ConnectionTerminated) and self._session is not None:
            reason = event.reason_phrase or f"QUIC connection closed ({event.error_code:#x})"
            self._session.transport_lost(reason)
            self._session.transport_closed()

    def _stream_data(self, event: StreamDataReceived) -> None:
        session = self._session
        if session is None:
            return
        if self._stream_id is None and event.stream_id % 4 == 0:
            self._stream_id = event.stream_id  # the client's first bidirectional stream
            session.writable()  # frames queued before the stream existed can go now
        if event.stream_id != self._stream_id:
            with contextlib.suppress(ValueError):  # already gone
                self._quic.stop_stream(event.stream_id, _STREAM_REFUSED)
            self._transmit_soon()
            return
        if event.data:
            session.data_received(event.data)
        if event.end_stream:
            session.eof_received()

    def _maybe_close(self) -> None:
        # Close the QUIC connection once the client has acknowledged the stream's last
        # bytes: closing earlier could lose the Error frame that says why.
        if self._finish_when_acked and self.backlog() == 0:
            self._finish_when_acked = False
            self.abort()


def make_quic_protocol_factory(
    open_session: Callable[[str, str], ServerSession],
) -> Callable[..., QuicServerProtocol]:
    def factory(quic: QuicConnection, *args: Any, **kwargs: Any) -> QuicServerProtocol:
        return QuicServerProtocol(quic, *args, open_session=open_session, **kwargs)

    return factory

