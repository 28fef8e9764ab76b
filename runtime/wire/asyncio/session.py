"""`ServerSession`: one client connection on the asyncio server, for either transport.

It moves bytes between a `ByteTransport` and the sans-IO `ServerConnection`, arms the
core's timer, and hands the core's events to the application handler in order, on a task
that exists only while there are events to hand over (so an idle connection costs no
task). It is the `Connection` object handlers receive.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import Callable

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.wire.asyncio.transport import ByteTransport
from prim.runtime.wire.errors import FrameError
from prim.runtime.wire.events import (
    AuthRequested,
    ConnectionClosed,
    FrameReceived,
    ProtocolError,
    SendQueueFull,
)
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.handler import AuthRejected, ConnectionHandler
from prim.runtime.wire.server_connection import ServerConnection
from prim.runtime.wire.settings import ServerSettings

log = logging.getLogger("prim.wire.server")
_ids = itertools.count(1)

# Events handed to the application between two yields to the event loop.
_YIELD_EVERY = 32

_AppEvent = AuthRequested | FrameReceived | ConnectionClosed


class ServerSession:
    def __init__(
        self,
        handler: ConnectionHandler,
        settings: ServerSettings,
        transport_name: str,
        remote_address: str,
        on_finished: Callable[[ServerSession], None],
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._handler = handler
        self._settings = settings
        self._transport_name = transport_name
        self._remote_address = remote_address
        self._on_finished = on_finished
        self._id = next(_ids)
        self.core = ServerConnection(settings.connection, self._loop.time())
        self._transport: ByteTransport | None = None
        self._inbox: deque[_AppEvent] = deque()
        self._dispatcher: asyncio.Task[None] | None = None
        self._accepted = False
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._linger: asyncio.TimerHandle | None = None
        self._finishing = False
        self._gone = False  # the transport is closed
        self._held: bytearray | None = None  # bytes read while paused (see data_received)
        self._resume_at = settings.max_inbound_frames // 2
        self._pump_scheduled = False
        self._flush_at = max(1, settings.connection.max_send_queue_frames // 4)
        self._schedule_timer()

    # -- Connection (what handlers see) -----------------------------------------------

    @property
    def id(self) -> int:
        return self._id

    @property
    def transport(self) -> str:
        return self._transport_name

    @property
    def remote_address(self) -> str:
        return self._remote_address

    @property
    def user_id(self) -> int | None:
        return self.core.user_id

    @property
    def node_id(self) -> int:
        return self._settings.connection.node_id

    @property
    def closed(self) -> bool:
        return self.core.closed

    def send(self, frame: Frame) -> bool:
        ok = self.core.send_frame(frame)
        if self.core.queued_frames >= self._flush_at:
            self._after()  # a burst: move it to the transport now, before the queue fills
        else:
            self._after_soon()
        return ok

    def send_error(self, code: ErrorCode, message: str, ref: Frame | None = None) -> bool:
        ok = self.core.send_error(code, message, ref)
        self._after_soon()
        return ok

    def close(self, code: ErrorCode | None = None, message: str = "") -> None:
        self.core.close(code, message)
        self._after_soon()

    def be_offline(self, code: ErrorCode, message: str) -> None:
        self.core.be_offline(code, message)
        self._after_soon()

    # -- transport side ---------------------------------------------------------------

    def attach(self, transport: ByteTransport) -> None:
        """The transport is there (QUIC: from the handshake; its backlog() keeps writes
        back until the client has opened its stream)."""
        self._transport = transport
        self._after()

    def data_received(self, data: bytes) -> None:
        if self._held is not None:
            # The handler is behind: hold the bytes instead of decoding more frames.
            self._held += data
            self.core.mark_activity(self._loop.time())
            if len(self._held) > self._settings.max_inbound_bytes:
                self._held = None
                self.core.close(ErrorCode.RATE_LIMITED,
                                "frames arrive faster than the server can process them")
                self._after()
            return
        self.core.receive_data(data, self._loop.time())
        self._after()

    def eof_received(self) -> None:
        self.core.receive_eof(self._loop.time())
        self._after()

    def writable(self) -> None:
        """The transport drained some of its backlog."""
        if self.core.queued_bytes or (self._finishing is False and self.core.finished):
            self._after()

    def transport_lost(self, reason: str) -> None:
        self._gone = True
        self.core.connection_lost(reason)
        self._after()

    # -- the pump ---------------------------------------------------------------------

    def _after_soon(self) -> None:
        # Sends from the application are coalesced: a handler that queues many frames in
        # one go has them written in one go (one write / one stream append), not one each.
        if not self._pump_scheduled:
            self._pump_scheduled = True
            self._loop.call_soon(self._after)

    def _after(self) -> None:
        """Run after anything touched the core: events out, bytes out, timer, close."""
        self._pump_scheduled = False
        for event in self.core.events():
            if isinstance(event, AuthRequested | FrameReceived):
                self._post(event)
            elif isinstance(event, ConnectionClosed):
                log.debug("connection %d closed: %s", self._id, event.reason)
                self._post(event)
            elif isinstance(event, SendQueueFull):
                # The client does not read: drop it rather than buffer for it.
                self.core.abort(ErrorCode.UNAVAILABLE, "send queue full: client too slow")
                self._after()
                return
            elif isinstance(event, ProtocolError):
                log.debug("connection %d: %s (%s)", self._id, event.message, event.code.name)
        transport = self._transport
        if (transport is not None and self._held is None and not self.core.closed
                and len(self._inbox) >= self._settings.max_inbound_frames):
            # Backpressure toward the client: TCP stops reading; QUIC (whose flow-control
            # credit aioquic grants as data arrives) has its bytes held, up to a bound.
            self._held = bytearray()
            transport.pause_reading()
        if transport is not None and not self._gone:
            room = self._settings.transport_high_water - transport.backlog()
            if room > 0 and self.core.queued_bytes:
                transport.write(self.core.data_to_send(room))
            if self.core.finished and not self._finishing:
                self._finishing = True
                transport.finish()
        if self.core.closed:
            self._cancel_timer()
            if self._linger is None and not self._gone:
                self._linger = self._loop.call_later(self._settings.close_linger, self._cut)
        else:
            self._schedule_timer()

    def _cut(self) -> None:
        if not self._gone:
            self._gone = True
            if self._transport is not None:
                self._transport.abort()
        self._on_finished(self)

    def transport_closed(self) -> None:
        """The transport is fully gone; the session can be forgotten."""
        self._gone = True
        if self._linger is not None:
            self._linger.cancel()
        self._cancel_timer()
        if not self.core.closed:
            self.core.connection_lost("transport closed")
            self._after()
        self._on_finished(self)

    # -- timers -----------------------------------------------------------------------

    def _schedule_timer(self) -> None:
        at = self.core.get_timer()
        if at is None:
            self._cancel_timer()
            return
        # The idle deadline moves on every read; rather than re-arming each time, an early
        # timer just re-arms itself for the new deadline when it fires.
        if self._timer is None or (self._timer_at is not None and at < self._timer_at):
            self._cancel_timer()
            self._timer_at = at
            self._timer = self._loop.call_at(at, self._on_timer)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._timer_at = None

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        self.core.handle_timer(self._loop.time())
        self._after()

    # -- the application --------------------------------------------------------------

    def pending_handler_calls(self) -> asyncio.Task[None] | None:
        """The task still running handler calls (on_close included), if any."""
        task = self._dispatcher
        return task if task is not None and not task.done() else None

    def _post(self, event: _AppEvent) -> None:
        self._inbox.append(event)
        if self._dispatcher is None:
            self._dispatcher = self._loop.create_task(self._dispatch())

    async def _dispatch(self) -> None:
        try:
            handled = 0
            while self._inbox:
                event = self._inbox.popleft()
                handled += 1
                if handled % _YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # a long backlog must not starve other connections
                if self._held is not None and len(self._inbox) < self._resume_at:
                    self._resume_reading()
                if isinstance(event, AuthRequested):
                    await self._authenticate(event)
                elif isinstance(event, FrameReceived):
                    if not self.core.closed:
                        await self._deliver(event.frame)
                elif self._accepted:
                    try:
                        await self._handler.on_close(self, event)
                    except Exception:
                        log.exception("on_close failed on connection %d", self._id)
        finally:
            self._dispatcher = None

    def _resume_reading(self) -> None:
        held, self._held = self._held, None
        if self._transport is not None:
            self._transport.resume_reading()
        if held:
            self.data_received(bytes(held))

    async def _authenticate(self, event: AuthRequested) -> None:
        try:
            answer = await self._handler.on_auth(self, event.token, event.sender)
        except Exception:
            log.exception("on_auth failed on connection %d", self._id)
            answer = AuthRejected(ErrorCode.INTERNAL, "authentication is unavailable")
        if isinstance(answer, AuthRejected):
            if not self.core.closed:
                self.core.reject_auth(answer.code, answer.message)
        else:
            # The handler has registered the connection: on_close must follow, whatever
            # happens from here on (closed while on_auth ran, refused below). The close
            # event is queued behind this one, so the dispatcher delivers it next.
            self._accepted = True
            if not self.core.closed:
                try:
                    self.core.accept_auth(answer)
                except FrameError:  # a user id that does not fit the header
                    log.exception("on_auth returned an invalid user id on connection %d",
                                  self._id)
                    self.core.close(ErrorCode.INTERNAL, "authentication failed on the server")
        self._after()

    async def _deliver(self, frame: Frame) -> None:
        try:
            await self._handler.on_frame(self, frame)
        except Exception:
            log.exception("on_frame failed on connection %d", self._id)
            self.send_error(ErrorCode.INTERNAL, "the server failed to process this frame",
                            frame)
