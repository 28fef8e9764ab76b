"""The TLS-over-TCP side of the asyncio server: an asyncio protocol per connection.

asyncio performs the TLS handshake before `connection_made`; the same frames as on QUIC
then flow in both directions of the one TLS stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

from prim.runtime.wire.asyncio.session import ServerSession


class TcpServerProtocol(asyncio.Protocol):
    transport_name = "tcp"  # what the session reports (a subclass carries WebSocket)

    def __init__(self, open_session: Callable[[str, str], ServerSession],
                 high_water: int) -> None:
        self._open_session = open_session
        self._high_water = high_water
        self._transport: asyncio.Transport | None = None
        self._session: ServerSession | None = None

    # -- ByteTransport ----------------------------------------------------------------

    def write(self, data: bytes) -> None:
        assert self._transport is not None
        self._transport.write(data)

    def backlog(self) -> int:
        assert self._transport is not None
        return self._transport.get_write_buffer_size()

    def finish(self) -> None:
        assert self._transport is not None
        self._transport.close()  # flushes what was written first

    def abort(self) -> None:
        assert self._transport is not None
        self._transport.abort()

    def pause_reading(self) -> None:
        assert self._transport is not None
        if not self._transport.is_closing():
            self._transport.pause_reading()

    def resume_reading(self) -> None:
        assert self._transport is not None
        if not self._transport.is_closing():
            self._transport.resume_reading()

    # -- asyncio ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        # Below the pump's own limit, so a full pump always trips pause_writing and
        # resume_writing then tells the session when to pull more.
        self._transport.set_write_buffer_limits(high=self._high_water // 2,
                                                low=self._high_water // 8)
        peer = self._transport.get_extra_info("peername")
        address = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self._session = self._open_session(self.transport_name, address)
        self._session.attach(self)

    def data_received(self, data: bytes) -> None:
        if self._session is not None:
            self._session.data_received(data)

    def eof_received(self) -> bool | None:
        if self._session is not None:
            self._session.eof_received()
        return None

    def resume_writing(self) -> None:
        if self._session is not None:
            self._session.writable()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._session is not None:
            self._session.transport_lost(str(exc) if exc else "connection closed")
            self._session.transport_closed()
