"""What the SDK raises besides `PrimApiError` (HTTP) and the wire client's errors."""

from __future__ import annotations

from prim.generated.prim.v1 import ErrorCode


class PrimClientError(Exception):
    """Base of the SDK's own errors."""


class NotConnected(PrimClientError):
    """A wire operation before `connect()` (or after `close()`)."""


class SendRefused(PrimClientError):
    """The server answered a sent message with an Error (e.g. PERMISSION_DENIED between
    strangers); the message was not stored and resending it would not help."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message


class SendTimeout(PrimClientError):
    """No Ack within the send deadline, despite resending. The message may or may not be
    stored: sending it again with `resend()` (same timestamp) can never duplicate it."""

    def __init__(self, receiver: int, timestamp: int, waited: float) -> None:
        super().__init__(f"no Ack for the message to {receiver} (timestamp {timestamp}) "
                         f"after {waited:.1f}s; is the server reachable?")
        self.receiver = receiver
        self.timestamp = timestamp


class ConnectionLost(PrimClientError):
    """The connection could not be re-established (e.g. the token expired or was revoked:
    log in again)."""
