"""Checks and conversions of request fields that both schedulers share (the embedded
LocalScheduler and the ClusterScheduler), so that they refuse the same calls with the same
errors and read a relayed frame the same way."""

from __future__ import annotations

import dataclasses

from prim.generated.prim.v1 import (
    DisconnectUserRequest,
    ErrorCode,
    Header,
    NodeInfo,
    RegisterNodeRequest,
    WireFrame,
)
from prim.runtime.errors import ApiError

#: Told to a client whose connection is closed when the caller gives no reason.
DEFAULT_DISCONNECT_REASON = "the session has ended"


def required_node(request: RegisterNodeRequest) -> NodeInfo:
    if request.node is None:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, "node is required", "node")
    return request.node


def checked_frame(wire: WireFrame | None) -> tuple[WireFrame, Header]:
    """The frame of a request and its header; INVALID_ARGUMENT when either is missing."""
    if wire is None or wire.header is None:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, "frame.header is required", "frame")
    return wire, wire.header


def with_timestamp(wire: WireFrame, header: Header, timestamp: int) -> WireFrame:
    """A copy of ``wire`` whose header carries ``timestamp``."""
    return WireFrame(header=dataclasses.replace(header, timestamp=timestamp),
                     payload=wire.payload, extension=wire.extension)


def disconnect_reason(request: DisconnectUserRequest) -> str:
    return request.reason or DEFAULT_DISCONNECT_REASON
