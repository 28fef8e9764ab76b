"""`Client`: an authenticated connection of the trio wire client (see connect.py).

It mirrors the asyncio `Client` method for method. Three tasks serve it in the nursery of
`open_client`: the transport's reader, a writer that moves queued frames into the
transport (waiting on the transport, which is the backpressure), and a timer for the
core's heartbeat Ping.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

import trio

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.runtime.wire.client_connection import ClientConnection
from prim.runtime.wire.client_errors import AuthenticationFailed, ConnectionClosedError
from prim.runtime.wire.events import (
    Authenticated,
    ConnectionClosed,
    ErrorReceived,
    FrameReceived,
    PongReceived,
    ProtocolError,
)
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.trio.transport import TrioByteTransport

log = logging.getLogger("prim.wire.client")
T = TypeVar("T")
_CHUNK = 64 * 1024


class _Waiter(Generic[T]):
    """A one-shot result for trio (what an asyncio Future is to asyncio)."""

    def __init__(self) -> None:
        self._event = trio.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self._event.is_set()

    def set(self, value: T) -> None:
        if not self.done:
            self._value = value
            self._event.set()

    def fail(self, error: BaseException) -> None:
        if not self.done:
            self._error = error
            self._event.set()

    async def wait(self) -> T:
        await self._event.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


class Client:
    """An open connection to a wire server. Built by `open_client()`."""

    def __init__(self, core: ClientConnection, transport_name: str) -> None:
        self.core = core
        self.transport = transport_name
        self.user_id = core.user_id
        self.node_id = 0
        self._transport: TrioByteTransport | None = None
        self._frames: deque[Frame] = deque()
        self._frame_ready = trio.Event()
        self._pings: deque[tuple[float, _Waiter[float]]] = deque()
        self._echoes: deque[_Waiter[Frame]] = deque()
        self._authenticated: _Waiter[Authenticated] = _Waiter()
        self._writable = trio.Event()
        self._writable.set()
        self._output = trio.Event()  # set when the writer has something to do
        self._timer_scope = trio.CancelScope()
        self._gone = trio.Event()

    # -- application API --------------------------------------------------------------

    @property
    def closed(self) -> ConnectionClosed | None:
        return self.core.close_event

    async def wait_authenticated(self) -> Authenticated:
        return await self._authenticated.wait()

    async def send(self, frame: Frame) -> None:
        """Queue a frame, waiting while the send queue is full."""
        await self._queue(lambda: self.core.send_frame(frame, trio.current_time()))

    async def receive(self) -> Frame:
        """The next frame from the server (Error frames included); raises
        ConnectionClosedError once the connection is closed and every frame was read."""
        while not self._frames:
            self._raise_if_closed()
            if self._frame_ready.is_set():
                self._frame_ready = trio.Event()
            await self._frame_ready.wait()
        return self._frames.popleft()

    async def ping(self) -> float:
        """Send Ping, wait for Pong; the round-trip time in seconds."""
        waiter: _Waiter[float] = _Waiter()
        self._pings.append((trio.current_time(), waiter))
        await self._queue(lambda: self.core.send_ping(trio.current_time()))
        return await waiter.wait()

    async def echo(self, payload: bytes, extension: bytes = b"") -> Frame:
        """Send Echo and wait for the server's copy (not delivered to receive())."""
        waiter: _Waiter[Frame] = _Waiter()
        self._echoes.append(waiter)
        await self._queue(lambda: self.core.send_echo(payload, trio.current_time(), extension))
        return await waiter.wait()

    async def close(self) -> None:
        self.core.close()
        self._after()
        with trio.move_on_after(2.0) as scope:
            await self._gone.wait()
        if scope.cancelled_caught and self._transport is not None:
            self._transport.abort()

    async def _queue(self, queue_it: Callable[[], bool]) -> None:
        while True:
            self._raise_if_closed()
            if queue_it():
                self._after()
                return
            if self._writable.is_set():
                self._writable = trio.Event()
            await self._writable.wait()

    def _raise_if_closed(self) -> None:
        closed = self.core.close_event
        if closed is not None:
            raise ConnectionClosedError(closed)

    # -- tasks ------------------------------------------------------------------------

    async def run(self, transport: TrioByteTransport, task_status: trio.TaskStatus[None]
                  = trio.TASK_STATUS_IGNORED) -> None:
        """Serve the connection until it ends (the reader, writer and timer tasks)."""
        self._transport = transport
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._writer, transport)
                nursery.start_soon(self._timer)
                task_status.started()
                self._after()
                await transport.run()
                nursery.cancel_scope.cancel()
        finally:
            self.transport_lost("connection ended")
            self._gone.set()

    async def _writer(self, transport: TrioByteTransport) -> None:
        while True:
            await self._output.wait()
            self._output = trio.Event()
            while self.core.queued_bytes:
                await transport.send(self.core.data_to_send(_CHUNK))
                self._after()
            if self.core.finished:
                await transport.finish()
                return

    async def _timer(self) -> None:
        while True:
            self._timer_scope = trio.CancelScope(deadline=self.core.get_timer() or math.inf)
            with self._timer_scope:
                await trio.sleep_forever()
            self.core.handle_timer(trio.current_time())
            self._after()

    # -- transport side ---------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        self.core.receive_data(data, trio.current_time())
        self._after()

    def eof_received(self) -> None:
        self.core.receive_eof(trio.current_time())
        self._after()

    def transport_lost(self, reason: str) -> None:
        self.core.connection_lost(reason)
        self._after()

    def _after(self) -> None:
        for event in self.core.events():
            if isinstance(event, FrameReceived):
                if event.frame.type == MsgType.ECHO and self._echoes:  # answers echo()
                    self._echoes.popleft().set(event.frame)
                else:
                    self._push(event.frame)
            elif isinstance(event, PongReceived):
                if self._pings:
                    started, waiter = self._pings.popleft()
                    waiter.set(trio.current_time() - started)
            elif isinstance(event, Authenticated):
                self.node_id = event.node_id
                self._authenticated.set(event)
            elif isinstance(event, ErrorReceived):
                if not self._authenticated.done:
                    self._authenticated.fail(
                        AuthenticationFailed(event.error.code, event.error.message))
                else:
                    self._push(event.frame)
            elif isinstance(event, ConnectionClosed):
                self._closed(event)
            elif isinstance(event, ProtocolError):
                log.warning("server broke the protocol: %s", event.message)
        if self.core.queued_bytes or self.core.finished:
            self._output.set()
        if self.core.queued_frames < max(1, self.core.settings.max_send_queue_frames // 2):
            self._writable.set()
        self._timer_scope.deadline = self.core.get_timer() or math.inf

    def _push(self, frame: Frame) -> None:
        self._frames.append(frame)
        self._frame_ready.set()

    def _closed(self, event: ConnectionClosed) -> None:
        error = ConnectionClosedError(event)
        if not self._authenticated.done:
            if event.code not in (None, ErrorCode.UNSPECIFIED) and event.by_peer:
                assert event.code is not None
                self._authenticated.fail(AuthenticationFailed(event.code, event.reason))
            else:
                self._authenticated.fail(error)
        for _, waiter in self._pings:
            waiter.fail(error)
        for echo in self._echoes:
            echo.fail(error)
        self._pings.clear()
        self._echoes.clear()
        self._frame_ready.set()
        self._writable.set()
