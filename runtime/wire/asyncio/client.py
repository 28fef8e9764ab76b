"""`Client`: an authenticated connection of the asyncio wire client (see connect.py).

    async with await connect("localhost", 4433, token=t, user_id=42,
                             trust=Trust(ca_file=ca)) as client:
        await client.send(Frame(type=MsgType.TEXT, sender=42, receiver=7, payload=b"hi"))
        frame = await client.receive()

The fallback covers networks that drop UDP: when the QUIC handshake does not finish within
`quic_timeout` seconds (or UDP fails outright), the same frames go over TLS/TCP to the same
port number. A certificate that fails verification is never a reason to fall back.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.runtime.wire.asyncio.transport import ByteTransport
from prim.runtime.wire.client_connection import ClientConnection
from prim.runtime.wire.client_errors import (
    AuthenticationFailed,
    ConnectionClosedError,
)
from prim.runtime.wire.events import (
    Authenticated,
    ConnectionClosed,
    ErrorReceived,
    FrameReceived,
    PongReceived,
    ProtocolError,
)
from prim.runtime.wire.frame import Frame

log = logging.getLogger("prim.wire.client")
T = TypeVar("T")

# Bytes handed to the transport and not yet sent/acknowledged before frames wait.
_HIGH_WATER = 256 * 1024


class Client:
    """An open connection to a wire server. Built by `connect()`."""

    def __init__(self, core: ClientConnection, transport_name: str) -> None:
        self._loop = asyncio.get_running_loop()
        self.core = core
        self.transport = transport_name
        self.user_id = core.user_id
        self.node_id = 0
        self._transport: ByteTransport | None = None
        self._frames: deque[Frame] = deque()
        self._frame_ready = asyncio.Event()
        self._pings: deque[tuple[float, asyncio.Future[float]]] = deque()
        self._echoes: deque[asyncio.Future[Frame]] = deque()
        self._authenticated: asyncio.Future[Authenticated] = self._loop.create_future()
        self._writable = asyncio.Event()
        self._writable.set()
        self._transport_closed = asyncio.Event()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._finishing = False
        self._pump_scheduled = False

    # -- application API --------------------------------------------------------------

    @property
    def closed(self) -> ConnectionClosed | None:
        """Why the connection closed, or None while it is open."""
        return self.core.close_event

    async def wait_authenticated(self) -> Authenticated:
        return await asyncio.shield(self._authenticated)

    async def send(self, frame: Frame) -> None:
        """Queue a frame, waiting while the send queue is full (the server reads slowly)."""
        while True:
            self._raise_if_closed()
            if self.core.send_frame(frame, self._loop.time()):
                self._after_soon()
                return
            self._writable.clear()
            self._after()
            await self._writable.wait()

    async def receive(self) -> Frame:
        """The next frame from the server (Error frames included); raises
        ConnectionClosedError once the connection is closed and every frame was read."""
        while not self._frames:
            self._raise_if_closed()
            self._frame_ready.clear()
            await self._frame_ready.wait()
        return self._frames.popleft()

    async def ping(self) -> float:
        """Send Ping, wait for Pong; the round-trip time in seconds."""
        waiter: asyncio.Future[float] = self._loop.create_future()
        started = self._loop.time()
        self._pings.append((started, waiter))
        await self._send_control(lambda: self.core.send_ping(self._loop.time()))
        return await waiter

    async def echo(self, payload: bytes, extension: bytes = b"") -> Frame:
        """Send Echo and wait for the server's copy (not delivered to receive())."""
        waiter: asyncio.Future[Frame] = self._loop.create_future()
        self._echoes.append(waiter)
        await self._send_control(
            lambda: self.core.send_echo(payload, self._loop.time(), extension))
        return await waiter

    async def close(self) -> None:
        """Close the connection and wait (briefly) for the transport to go."""
        self.core.close()
        self._after()
        try:
            await asyncio.wait_for(self._transport_closed.wait(), 2.0)
        except TimeoutError:
            if self._transport is not None:
                self._transport.abort()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    def __aiter__(self) -> Client:
        return self

    async def __anext__(self) -> Frame:
        try:
            return await self.receive()
        except ConnectionClosedError:
            raise StopAsyncIteration from None

    async def _send_control(self, queue_it: Callable[[], bool]) -> None:
        while True:
            self._raise_if_closed()
            if queue_it():
                self._after_soon()
                return
            self._writable.clear()
            await self._writable.wait()

    def _raise_if_closed(self) -> None:
        closed = self.core.close_event
        if closed is not None:
            raise ConnectionClosedError(closed)

    # -- transport side ---------------------------------------------------------------

    def attach(self, transport: ByteTransport) -> None:
        self._transport = transport
        self._after()

    def data_received(self, data: bytes) -> None:
        self.core.receive_data(data, self._loop.time())
        self._after()

    def eof_received(self) -> None:
        self.core.receive_eof(self._loop.time())
        self._after()

    def writable(self) -> None:
        if self.core.queued_bytes:
            self._after()

    def transport_lost(self, reason: str) -> None:
        self._transport_closed.set()
        self.core.connection_lost(reason)
        self._after()

    def _after_soon(self) -> None:
        # Frames sent back to back are written together once the caller yields.
        if not self._pump_scheduled:
            self._pump_scheduled = True
            self._loop.call_soon(self._after)

    def _after(self) -> None:
        self._pump_scheduled = False
        for event in self.core.events():
            if isinstance(event, FrameReceived):
                frame = event.frame
                if frame.type == MsgType.ECHO and self._echoes:  # answers echo()
                    _resolve(self._echoes.popleft(), frame)
                else:
                    self._frames.append(frame)
                    self._frame_ready.set()
            elif isinstance(event, PongReceived):
                if self._pings:
                    started, waiter = self._pings.popleft()
                    _resolve(waiter, self._loop.time() - started)
            elif isinstance(event, Authenticated):
                self.node_id = event.node_id
                _resolve(self._authenticated, event)
            elif isinstance(event, ErrorReceived):
                if not self._authenticated.done():
                    self._authenticated.set_exception(
                        AuthenticationFailed(event.error.code, event.error.message))
                else:
                    self._frames.append(event.frame)
                    self._frame_ready.set()
            elif isinstance(event, ConnectionClosed):
                self._closed(event)
            elif isinstance(event, ProtocolError):
                log.warning("server broke the protocol: %s", event.message)
        transport = self._transport
        if transport is None or self._transport_closed.is_set():
            self._writable.set()
            return
        room = _HIGH_WATER - transport.backlog()
        if room > 0 and self.core.queued_bytes:
            transport.write(self.core.data_to_send(room))
        if self.core.queued_frames < max(1, self.core.settings.max_send_queue_frames // 2):
            self._writable.set()
        if self.core.finished and not self._finishing:
            self._finishing = True
            transport.finish()
        self._schedule_timer()

    def _closed(self, event: ConnectionClosed) -> None:
        error = ConnectionClosedError(event)
        if not self._authenticated.done():
            if event.code is not None and event.code != ErrorCode.UNSPECIFIED and event.by_peer:
                self._authenticated.set_exception(AuthenticationFailed(event.code, event.reason))
            else:
                self._authenticated.set_exception(error)
        for _, waiter in self._pings:
            _fail(waiter, error)
        for echo in self._echoes:
            _fail(echo, error)
        self._pings.clear()
        self._echoes.clear()
        self._frame_ready.set()
        self._writable.set()
        # Nobody may be waiting for authentication: keep asyncio from warning about it.
        self._authenticated.add_done_callback(_consume)

    def _schedule_timer(self) -> None:
        at = self.core.get_timer()
        if at is None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            return
        if self._timer is None or (self._timer_at is not None and at < self._timer_at):
            if self._timer is not None:
                self._timer.cancel()
            self._timer_at = at
            self._timer = self._loop.call_at(at, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self.core.handle_timer(self._loop.time())
        self._after()


def _resolve(future: asyncio.Future[T], value: T) -> None:
    if not future.done():
        future.set_result(value)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
        future.add_done_callback(_consume)


def _consume(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
