"""`ClientConnection`: the client's side of a connection (spec/PROTOCOL.md §3).

It queues the Auth frame at once, reports `Authenticated` (or, on an Error answer,
`ErrorReceived` then `ConnectionClosed`), answers the server's Pings, keeps the connection
alive with its own Ping after `ping_interval` seconds of sending nothing, and surfaces
every other frame. A server that breaks the framing is not argued with: the client closes.
"""

from __future__ import annotations

import enum

from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.generated.wire import MSG_TYPE_INFO, SUPPORTED_PROTOCOL_VERSIONS
from prim.runtime.wire.connection import FrameConnection
from prim.runtime.wire.errors import FrameError
from prim.runtime.wire.events import (
    Authenticated,
    ErrorReceived,
    FrameReceived,
    PongReceived,
    ProtocolError,
)
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.settings import ClientSettings

# Frame types whose payload is an Error message.
_ERROR_TYPES = frozenset({MsgType.ERROR, MsgType.BE_OFFLINE, MsgType.INTERNAL_ERROR})


class ClientState(enum.Enum):
    AUTHENTICATING = "authenticating"
    OPEN = "open"
    CLOSED = "closed"


class ClientConnection(FrameConnection):
    def __init__(self, token: str, user_id: int, settings: ClientSettings, now: float) -> None:
        if settings.protocol_version not in SUPPORTED_PROTOCOL_VERSIONS:
            raise ValueError(f"protocol_version must be one of "
                             f"{sorted(SUPPORTED_PROTOCOL_VERSIONS)}")
        super().__init__(
            settings.max_payload_length,
            settings.max_send_queue_frames,
            settings.max_send_queue_bytes,
            settings.protocol_version,
        )
        self.settings = settings
        self.user_id = user_id
        self._state = ClientState.AUTHENTICATING
        self._last_error: ErrorCode | None = None
        self._offline: str | None = None  # the message of a BeOffline the server sent
        self._next_ping: float | None = None
        self._enqueue(Frame(type=MsgType.AUTH, sender=user_id,
                            timestamp=settings.clock_ms(), payload=token.encode()), force=True)
        self._sent(now)

    @property
    def state(self) -> ClientState:
        return ClientState.CLOSED if self.closed else self._state

    def send_frame(self, frame: Frame, now: float) -> bool:
        """Queue a frame; False when closed or when the queue is full (SendQueueFull)."""
        if self.closed:
            return False
        if self._enqueue(frame):
            self._sent(now)
            return True
        return False

    def send_ping(self, now: float) -> bool:
        return self.send_frame(self._frame(MsgType.PING), now)

    def send_echo(self, payload: bytes, now: float, extension: bytes = b"") -> bool:
        return self.send_frame(self._frame(MsgType.ECHO, payload, extension), now)

    def close(self, reason: str = "closed by the client") -> None:
        self._close(None, reason, by_peer=False)

    def get_timer(self) -> float | None:
        return None if self.closed else self._next_ping

    def handle_timer(self, now: float) -> None:
        if self._next_ping is not None and now >= self._next_ping and not self.closed:
            if self._state is ClientState.OPEN:
                self.send_ping(now)
            else:
                self._sent(now)

    def _frame(self, frame_type: int, payload: bytes = b"", extension: bytes = b"") -> Frame:
        return Frame(type=frame_type, sender=self.user_id, timestamp=self.settings.clock_ms(),
                     payload=payload, extension=extension)

    def _sent(self, now: float) -> None:
        if self.settings.ping_interval is not None:
            self._next_ping = now + self.settings.ping_interval

    def _peer_close_code(self) -> ErrorCode | None:
        return self._last_error

    def _peer_close_reason(self, reason: str) -> str:
        # The server said why it closes (BeOffline): that is the reason a person should see.
        return reason if self._offline is None else f"{reason}: {self._offline}"

    def _handle_frame(self, frame: Frame, now: float) -> None:
        if not MSG_TYPE_INFO[frame.type].from_server:
            self._events.append(ProtocolError(
                ErrorCode.UNKNOWN_TYPE, f"server sent client-only type {frame.type}", False))
            return
        if frame.type in _ERROR_TYPES:
            try:
                error = Error.parse(frame.payload)
            except Exception:  # betterproto2 raises assorted errors on bad bytes
                error = Error(code=ErrorCode.UNSPECIFIED, message="unparseable Error payload")
            self._last_error = error.code
            if frame.type == MsgType.BE_OFFLINE:
                self._offline = error.message
            self._events.append(ErrorReceived(error, frame))
            if self._state is ClientState.AUTHENTICATING:
                self._close(error.code, f"authentication failed: {error.message}", by_peer=True)
        elif self._state is ClientState.AUTHENTICATING:
            if frame.type == MsgType.AUTH:
                self._state = ClientState.OPEN
                self._events.append(Authenticated(frame.receiver, frame.node_id, frame.timestamp))
            else:
                self._events.append(ProtocolError(
                    ErrorCode.AUTH_REQUIRED, f"server sent type {frame.type} before Auth", True))
                self._close(ErrorCode.AUTH_REQUIRED, "server did not answer Auth", by_peer=False)
        elif frame.type == MsgType.PING:
            self.send_frame(self._frame(MsgType.PONG), now)
        elif frame.type == MsgType.PONG:
            self._events.append(PongReceived(frame))
        else:
            self._events.append(FrameReceived(frame))

    def _handle_frame_error(self, error: FrameError, now: float) -> None:
        self._events.append(ProtocolError(error.code, error.message, error.fatal))
        if error.fatal:
            self._close(error.code, f"server sent bad bytes: {error.message}", by_peer=False)
