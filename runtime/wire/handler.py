"""The application interface of a wire server: what the message service implements
(`ConnectionHandler`) and what it is handed (`Connection`).

The server calls, for one connection, strictly in order and never concurrently:
`on_auth` once (for the client's Auth frame), then `on_frame` for each frame the runtime
does not answer itself (Ping, Pong and Echo never reach the handler; neither do frames that
broke a protocol rule), then `on_close` once if `on_auth` returned a user id, whatever
happened after it (the connection closed while on_auth ran, the runtime refused the id):
so whatever on_auth registered, on_close can undo. Calls for different
connections run concurrently. A slow `on_frame` delays only its own connection: past
`ServerSettings.max_inbound_frames` waiting frames the server stops reading from it (TCP)
or holds its bytes (QUIC, up to `max_inbound_bytes`, then the close with RATE_LIMITED).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Protocol

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.wire.events import ConnectionClosed
from prim.runtime.wire.frame import Frame


@dataclass(frozen=True, slots=True)
class AuthRejected:
    """`on_auth`'s answer for a bad token: the client gets Error `code`, then the close."""

    code: ErrorCode = ErrorCode.UNAUTHENTICATED
    message: str = "the access token is unknown, expired or revoked"


class Connection(Protocol):
    """One client connection as the application sees it (QUIC or TLS over TCP)."""

    @property
    def id(self) -> int: ...  # unique within the server process

    @property
    def transport(self) -> str: ...  # "quic" or "tcp"

    @property
    def remote_address(self) -> str: ...  # "host:port"

    @property
    def user_id(self) -> int | None: ...  # set once on_auth has accepted

    @property
    def node_id(self) -> int: ...

    @property
    def closed(self) -> bool: ...

    def send(self, frame: Frame) -> bool:
        """Queue a frame for the client without waiting. False when the connection is
        closed, or when the client is not reading fast enough: then the connection is
        closed (the client catches up from history) and on_close follows."""
        ...

    def send_error(self, code: ErrorCode, message: str, ref: Frame | None = None) -> bool:
        """An Error frame about `ref` (its timestamp and seqnum are quoted); the
        connection stays open."""
        ...

    def close(self, code: ErrorCode | None = None, message: str = "") -> None:
        """Close; with a `code`, an Error frame saying why goes first."""
        ...

    def be_offline(self, code: ErrorCode, message: str) -> None:
        """Close on purpose with BeOffline first (node draining, session signed out);
        `code` says what the client should do next."""
        ...


class ConnectionHandler(abc.ABC):
    @abc.abstractmethod
    async def on_auth(self, conn: Connection, token: str, sender: int) -> int | AuthRejected:
        """Check the Auth frame's token; return the user id it belongs to, or AuthRejected.

        `sender` is the user id the client claims; the runtime rejects the Auth with
        SENDER_MISMATCH when it differs from the returned id (on_close still follows). An
        exception is answered as Error INTERNAL and the close, without on_close: undo what
        was registered before raising."""

    @abc.abstractmethod
    async def on_frame(self, conn: Connection, frame: Frame) -> None:
        """A frame from the authenticated user (its sender already checked). An exception
        is logged and answered with Error INTERNAL; the connection stays open."""

    async def on_close(self, conn: Connection, closed: ConnectionClosed) -> None:  # noqa: B027
        """The connection ended (called once for every on_auth that returned a user id)."""
