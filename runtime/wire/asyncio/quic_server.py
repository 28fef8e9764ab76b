"""The QUIC side of the asyncio server: one QUIC engine protocol per connection (quic_engine.py).

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

from prim.runtime.wire.asyncio.quic_stream import QuicStreamTransport, protocol_class
from prim.runtime.wire.asyncio.session import ServerSession
from prim.runtime.wire.quic_engine import QuicEngine

log = logging.getLogger("prim.wire.server")

_STREAM_REFUSED = 0x1


class QuicServerProtocol(QuicStreamTransport):
    def __init__(self, *args: Any, open_session: Callable[[str, str], ServerSession],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open_session = open_session
        self._session: ServerSession | None = None
        self._peer = "?"

    # -- the engine -------------------------------------------------------------------

    def datagram_received(self, data: bytes | str, addr: Any) -> None:
        if self._peer == "?":
            self._peer = f"{addr[0]}:{addr[1]}"
        super().datagram_received(data, addr)

    def after_datagram(self) -> None:
        # Acknowledgements may have drained the stream: let queued frames through.
        if self._session is not None:
            try:
                self._session.writable()
                self.maybe_close()
            except Exception:
                log.exception("QUIC connection from %s failed; closing it", self._peer)
                self.abort()

    def engine_failed(self) -> None:
        if self._session is not None:
            self._session.transport_lost("the QUIC engine failed on this connection")
            self._session.transport_closed()

    def quic_event_received(self, event: Any) -> None:
        # This runs inside the UDP endpoint's datagram_received, which all QUIC
        # connections share: an exception escaping here would make asyncio close the
        # listening socket. Contain any failure to this one connection.
        try:
            self._handle_event(event)
        except Exception:
            log.exception("QUIC connection from %s failed; closing it", self._peer)
            self.abort()

    def _handle_event(self, event: Any) -> None:
        engine = self.engine
        if isinstance(event, engine.StreamDataReceived):
            self._stream_data(event)
        elif isinstance(event, engine.HandshakeCompleted):
            # Attached at once, before the client opens its stream: the session's limits
            # and Auth deadline hold from the handshake on, and a session closed before
            # the stream exists can still cut the QUIC connection (finish/abort).
            self._session = self._open_session("quic", self._peer)
            self._session.attach(self)
        elif isinstance(event, engine.PingAcknowledged):
            self.ping_acknowledged(event.uid)
        elif isinstance(event, engine.StreamReset) and event.stream_id == self._stream_id:
            if self._session is not None:
                self._session.transport_lost("the client reset its stream")
        elif isinstance(event, engine.ConnectionTerminated) and self._session is not None:
            reason = event.reason_phrase or f"QUIC connection closed ({event.error_code:#x})"
            self._session.transport_lost(reason)
            self._session.transport_closed()

    def _stream_data(self, event: Any) -> None:
        session = self._session
        if session is None:
            return
        if self._stream_id is None and event.stream_id % 4 == 0:
            self._stream_id = event.stream_id  # the client's first bidirectional stream
            session.writable()  # frames queued before the stream existed can go now
        if event.stream_id != self._stream_id:
            with contextlib.suppress(ValueError):  # already gone
                self._conn.stop_stream(event.stream_id, _STREAM_REFUSED)
            self.transmit_soon()
            return
        if event.data:
            session.data_received(event.data)
        if event.end_stream:
            session.eof_received()


def make_quic_protocol_factory(
    engine: QuicEngine, open_session: Callable[[str, str], ServerSession],
) -> Callable[..., QuicServerProtocol]:
    cls = protocol_class(QuicServerProtocol, engine)

    def factory(*args: Any, **kwargs: Any) -> QuicServerProtocol:
        return cls(*args, open_session=open_session, **kwargs)

    return factory
