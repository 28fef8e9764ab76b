"""Checks and conversions of request fields that both schedulers share (the embedded
LocalScheduler and the ClusterScheduler), so that they refuse the same calls with the same
errors and read a relayed frame the same way."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from prim.generated.prim.v1 import (
    DisconnectUserRequest,
    ErrorCode,
    Header,
    NodeInfo,
    RegisterNodeRequest,
    WireFrame,
)
from prim.runtime.errors import ApiError
from prim.runtime.wire.frame import Frame
from prim.services.message.wire_frames import frame_from_wire

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


def to_frame(wire: WireFrame | None, *, fresh_timestamp: Callable[[], int]) -> Frame:
    """The request's frame as the wire runtime's Frame; a frame without a timestamp gets
    ``fresh_timestamp()`` (called only then)."""
    return frame_from_wire(wire, fresh_timestamp=fresh_timestamp)


def with_timestamp(wire: WireFrame, header: Header, timestamp: int) -> WireFrame:
    """A copy of ``wire`` whose header carries ``timestamp``."""
    return WireFrame(header=dataclasses.replace(header, timestamp=timestamp),
                     payload=wire.payload, extension=wire.extension)


def disconnect_reason(request: DisconnectUserRequest) -> str:
    return request.reason or DEFAULT_DISCONNECT_REASON
