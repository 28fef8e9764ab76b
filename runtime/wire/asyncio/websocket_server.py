"""The WebSocket side of the asyncio server, for browsers and networks where neither QUIC
nor WebTransport gets through: one asyncio protocol per connection.

The WebSocket protocol itself is `websockets`' sans-IO `ServerProtocol` (bytes in, events
out); this driver owns the socket, like the TLS/TCP one. After the upgrade, each binary
message carries one or more whole PRIM frames in both directions; the server reads the
messages' bytes as one stream (so a client may also split frames across messages) and
sends only whole frames per message, which a browser client can decode message by message.
Text messages are refused (close 1003). Auth is the first frame, as on every transport,
so no cookie or Origin grants anything and any page may connect.

The session exists from the TCP (TLS) connection on: its Auth deadline bounds the HTTP
upgrade too, and nothing it writes goes out before the upgrade has been answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from websockets.frames import Close, CloseCode, Opcode
from websockets.frames import Frame as WsFrame
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.typing import Subprotocol

from prim.generated.wire import HEADER_SIZE, decode_header
from prim.runtime.wire.asyncio.session import ServerSession
from prim.runtime.wire.asyncio.tcp_server import TcpServerProtocol

log = logging.getLogger("prim.wire.server")

# The subprotocol a client may ask for (`new WebSocket(url, "prim")`); none is fine too.
SUBPROTOCOL = "prim"
# Largest WebSocket message accepted from a client (many frames fit one message).
MAX_MESSAGE = 1024 * 1024
_NOT_YET = 1 << 62  # backlog before the upgrade: nothing can be written yet


def whole_frames_length(data: bytes | bytearray) -> int:
    """How many leading bytes of `data` are whole frames (header, payload, extension)."""
    at = 0
    while len(data) - at >= HEADER_SIZE:
        header = decode_header(data, at)
        end = at + HEADER_SIZE + header.payload_length + header.extension_length
        if end > len(data):
            break
        at = end
    return at


class WebSocketServerProtocol(TcpServerProtocol):
    """The TLS/TCP protocol with WebSocket framing between the socket and the session."""

    transport_name = "websocket"

    def __init__(self, open_session: Callable[[str, str], ServerSession],
                 high_water: int) -> None:
        super().__init__(open_session, high_water)
        self._ws = ServerProtocol(subprotocols=[Subprotocol(SUBPROTOCOL)],
                                  select_subprotocol=_prim_if_offered, max_size=MAX_MESSAGE)
        self._tail = bytearray()  # written bytes of a frame not yet whole

    # -- ByteTransport ----------------------------------------------------------------

    def write(self, data: bytes) -> None:
        self._tail += data
        whole = whole_frames_length(self._tail)
        if whole:
            self._ws.send_binary(bytes(self._tail[:whole]))
            del self._tail[:whole]
            self._flush()

    def backlog(self) -> int:
        if self._transport is None or self._ws.state is not State.OPEN:
            return _NOT_YET
        return self._transport.get_write_buffer_size() + len(self._tail)

    def finish(self) -> None:
        assert self._transport is not None
        if self._ws.state is State.OPEN:
            self._ws.send_close(CloseCode.NORMAL_CLOSURE)
            self._flush()
        self._transport.close()  # flushes what was written first

    # -- asyncio ----------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        self._ws.receive_data(data)
        self._handle_events()

    def eof_received(self) -> bool | None:
        self._ws.receive_eof()
        self._handle_events()
        return super().eof_received()

    # -- the WebSocket protocol ------------------------------------------------------

    def _handle_events(self) -> None:
        session = self._session
        for event in self._ws.events_received():
            if isinstance(event, Request):
                self._ws.send_response(self._ws.accept(event))
                self._flush()
                if self._ws.state is State.OPEN and session is not None:
                    session.writable()  # frames queued before the upgrade go now
            elif isinstance(event, WsFrame):
                self._frame(event, session)
        self._flush()
        if self._ws.handshake_exc is not None or self._ws.close_expected():
            assert self._transport is not None
            self._transport.close()

    def _frame(self, frame: WsFrame, session: ServerSession | None) -> None:
        if session is None:
            return
        if frame.opcode in (Opcode.BINARY, Opcode.CONT):
            if frame.data:
                session.data_received(bytes(frame.data))
        elif frame.opcode is Opcode.TEXT:
            self._ws.fail(CloseCode.UNSUPPORTED_DATA, "PRIM frames travel in binary messages")
            session.transport_lost("the client sent a text message")
        elif frame.opcode is Opcode.CLOSE:
            close = Close.parse(frame.data) if frame.data else None
            log.debug("websocket closed by the client: %s", close)
            session.eof_received()

    def _flush(self) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        for chunk in self._ws.data_to_send():
            if chunk:
                self._transport.write(chunk)


def _prim_if_offered(protocol: ServerProtocol,
                     offered: Sequence[Subprotocol]) -> Subprotocol | None:
    return Subprotocol(SUBPROTOCOL) if SUBPROTOCOL in offered else None
