"""Events the sans-IO connection cores hand to their driver (small frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass

from prim.generated.prim.v1 import Error, ErrorCode
from prim.runtime.wire.frame import Frame


@dataclass(frozen=True, slots=True)
class AuthRequested:
    """Server side: the client's Auth frame. Answer with accept_auth or reject_auth."""

    token: str
    sender: int
    frame: Frame


@dataclass(frozen=True, slots=True)
class Authenticated:
    """Client side: the server accepted the Auth frame."""

    user_id: int
    node_id: int
    server_timestamp_ms: int


@dataclass(frozen=True, slots=True)
class FrameReceived:
    """A frame for the application (not one the core answered itself)."""

    frame: Frame


@dataclass(frozen=True, slots=True)
class PongReceived:
    """Client side: the answer to a Ping this side sent."""

    frame: Frame


@dataclass(frozen=True, slots=True)
class ErrorReceived:
    """Client side: an Error (or BeOffline / InternalError) frame from the server."""

    error: Error
    frame: Frame


@dataclass(frozen=True, slots=True)
class ProtocolError:
    """The peer broke a protocol rule; the core answered with an Error frame of `code`.

    `fatal` says whether the connection is being closed because of it."""

    code: ErrorCode
    message: str
    fatal: bool


@dataclass(frozen=True, slots=True)
class SendQueueFull:
    """A frame was refused because the peer is not reading fast enough.

    The queue holds `queued_frames` frames / `queued_bytes` bytes, at or past the limits.
    The server drivers close such a connection (the client catches up from history)."""

    queued_frames: int
    queued_bytes: int


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """The connection is finished; nothing more will be received or queued.

    `code` is the ErrorCode sent to or received from the peer (None for a clean close),
    `by_peer` whether the other side ended it."""

    code: ErrorCode | None
    reason: str
    by_peer: bool


Event = (
    AuthRequested
    | Authenticated
    | FrameReceived
    | PongReceived
    | ErrorReceived
    | ProtocolError
    | SendQueueFull
    | ConnectionClosed
)
