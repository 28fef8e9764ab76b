"""Errors the wire clients raise (asyncio and trio alike)."""

from __future__ import annotations

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.wire.events import ConnectionClosed


class WireClientError(Exception):
    """Base of the client errors (CertificateVerificationError is raised as is)."""


class AuthenticationFailed(WireClientError):
    """The server answered the Auth frame with an Error."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"authentication failed: {code.name}: {message}")
        self.code = code
        self.message = message


class ConnectionClosedError(WireClientError):
    """The connection is closed; `closed` says by whom and why."""

    def __init__(self, closed: ConnectionClosed) -> None:
        code = closed.code.name if closed.code is not None else "no error"
        super().__init__(f"connection closed ({code}): {closed.reason}")
        self.closed = closed


class TransportUnavailable(WireClientError):
    """No transport could reach the server; `causes` maps transport to what went wrong."""

    def __init__(self, causes: dict[str, str]) -> None:
        detail = "; ".join(f"{t}: {why}" for t, why in causes.items())
        super().__init__(f"could not connect: {detail}")
        self.causes = causes
