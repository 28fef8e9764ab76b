"""The WebTransport side of the asyncio server, for browsers: HTTP/3 (aioquic's h3 with
WebTransport enabled) over its own QUIC listener.

The browser sends an extended CONNECT (`:protocol webtransport`) to `PATH`; the answer 200
opens the WebTransport session. The first bidirectional stream the browser opens in it
then carries the frame stream exactly as the one stream of a raw QUIC connection does
(see quic_server.py, whose protocol this one extends): the server's frames go back on the
same stream. One session per QUIC connection; other streams are refused (STOP_SENDING),
a second session or another path is answered 429 / 404. The session exists from the QUIC
handshake on, so the Auth deadline also bounds the CONNECT.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from aioquic.h3.connection import H3Connection
from aioquic.h3.events import DataReceived, H3Event, HeadersReceived, WebTransportStreamDataReceived
from aioquic.quic.connection import QuicConnection
from aioquic.quic.events import (
    ConnectionTerminated,
    HandshakeCompleted,
    ProtocolNegotiated,
    QuicEvent,
    StreamDataReceived,
    StreamReset,
)

from prim.runtime.wire.asyncio.quic_server import QuicServerProtocol
from prim.runtime.wire.asyncio.quic_stream import protocol_class
from prim.runtime.wire.asyncio.session import ServerSession
from prim.runtime.wire.quic_engine import load

# Where the WebTransport endpoint is served: https://host:port/wire.
PATH = "/wire"
_STREAM_REFUSED = 0x1
# HTTP/3 and WebTransport come from aioquic (qh3 has no WebTransport): always that engine.
WEBTRANSPORT_ENGINE = load("aioquic")


class WebTransportServerProtocol(QuicServerProtocol):
    def __init__(self, quic: QuicConnection, *args: Any,
                 open_session: Callable[[str, str], ServerSession], **kwargs: Any) -> None:
        super().__init__(quic, *args, open_session=open_session, **kwargs)
        self._h3: H3Connection | None = None
        self._wt_session: int | None = None  # the CONNECT stream's id, once accepted

    def _handle_event(self, event: QuicEvent) -> None:
        if isinstance(event, ProtocolNegotiated):
            self._h3 = H3Connection(self._conn, enable_webtransport=True)
        elif isinstance(event, HandshakeCompleted):
            self._session = self._open_session("webtransport", self._peer)
            self._session.attach(self)
        elif isinstance(event, StreamReset) and event.stream_id == self._wt_session:
            if self._session is not None:
                self._session.transport_lost("the client reset the WebTransport session")
        elif isinstance(event, StreamReset | ConnectionTerminated):
            super()._handle_event(event)  # the frame stream's reset, the connection's end
        if self._h3 is not None:
            for h3_event in self._h3.handle_event(event):
                self._h3_event(h3_event)

    def _h3_event(self, event: H3Event) -> None:
        assert self._h3 is not None
        if isinstance(event, HeadersReceived):
            self._request(event)
        elif isinstance(event, WebTransportStreamDataReceived):
            self._wt_data(event)
        elif (isinstance(event, DataReceived) and event.stream_id == self._wt_session
              and event.stream_ended and self._session is not None):
            self._session.transport_lost("the client closed the WebTransport session")

    def _request(self, event: HeadersReceived) -> None:
        assert self._h3 is not None
        headers = dict(event.headers)
        is_webtransport = (headers.get(b":method") == b"CONNECT"
                           and headers.get(b":protocol") == b"webtransport")
        if not is_webtransport or headers.get(b":path", b"").split(b"?")[0] != PATH.encode():
            status = b"404"
        elif self._wt_session is not None:
            status = b"429"  # one session per connection
        else:
            self._wt_session = event.stream_id
            self._h3.send_headers(event.stream_id, [
                (b":status", b"200"), (b"sec-webtransport-http3-draft", b"draft02")])
            return
        self._h3.send_headers(event.stream_id, [(b":status", status)], end_stream=True)

    def _wt_data(self, event: WebTransportStreamDataReceived) -> None:
        if event.session_id != self._wt_session:
            with contextlib.suppress(ValueError):  # a session this server never accepted
                self._conn.stop_stream(event.stream_id, _STREAM_REFUSED)
            self.transmit_soon()
            return
        # Inside the session, streams are handled as raw QUIC's: the first bidirectional
        # one carries the frames, others are refused.
        self._stream_data(StreamDataReceived(data=event.data, end_stream=event.stream_ended,
                                             stream_id=event.stream_id))


def make_webtransport_protocol_factory(
    open_session: Callable[[str, str], ServerSession],
) -> Callable[..., WebTransportServerProtocol]:
    cls = protocol_class(WebTransportServerProtocol, WEBTRANSPORT_ENGINE)

    def factory(quic: QuicConnection, *args: Any, **kwargs: Any) -> WebTransportServerProtocol:
        return cls(quic, *args, open_session=open_session, **kwargs)

    return factory
