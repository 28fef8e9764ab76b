"""The PRIM wire runtime: frame codec, sans-IO connection cores, and (in the `asyncio` and
`trio` subpackages) the drivers over QUIC and TLS/TCP. This package itself does no I/O."""

from prim.runtime.wire.client_connection import ClientConnection, ClientState
from prim.runtime.wire.client_errors import (
    AuthenticationFailed,
    ConnectionClosedError,
    TransportUnavailable,
    WireClientError,
)
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.errors import (
    FrameError,
    FrameTooLarge,
    HeaderFieldOutOfRange,
    InvalidPayload,
    MalformedFrame,
    TruncatedFrame,
    UnknownFrameType,
    UnsupportedVersion,
)
from prim.runtime.wire.events import (
    Authenticated,
    AuthRequested,
    ConnectionClosed,
    ErrorReceived,
    Event,
    FrameReceived,
    PongReceived,
    ProtocolError,
    SendQueueFull,
)
from prim.runtime.wire.frame import Frame, encode_frame
from prim.runtime.wire.handler import AuthRejected, Connection, ConnectionHandler
from prim.runtime.wire.server_connection import ServerConnection, ServerState
from prim.runtime.wire.settings import (
    ClientSettings,
    ConnectionSettings,
    ServerSettings,
    server_settings_from_config,
)

__all__ = [
    "AuthRejected",
    "AuthRequested",
    "Authenticated",
    "AuthenticationFailed",
    "ClientConnection",
    "ClientSettings",
    "ClientState",
    "Connection",
    "ConnectionClosed",
    "ConnectionClosedError",
    "ConnectionHandler",
    "ConnectionSettings",
    "ErrorReceived",
    "Event",
    "Frame",
    "FrameDecoder",
    "FrameError",
    "FrameReceived",
    "FrameTooLarge",
    "HeaderFieldOutOfRange",
    "InvalidPayload",
    "MalformedFrame",
    "PongReceived",
    "ProtocolError",
    "SendQueueFull",
    "ServerConnection",
    "ServerSettings",
    "ServerState",
    "TransportUnavailable",
    "TruncatedFrame",
    "UnknownFrameType",
    "UnsupportedVersion",
    "WireClientError",
    "encode_frame",
    "server_settings_from_config",
]
