"""Frames as the services pass them to each other: the spec's `WireFrame` (a Header message
plus payload and extension) to and from the wire runtime's `Frame`."""

from __future__ import annotations

from collections.abc import Callable

from prim.generated.prim.v1 import ErrorCode, Header, MsgType, WireFrame
from prim.generated.wire import PROTOCOL_VERSION
from prim.runtime.errors import ApiError
from prim.runtime.wire.frame import Frame


def to_wire_frame(frame: Frame) -> WireFrame:
    header = Header(version=PROTOCOL_VERSION, sender=frame.sender, node_id=frame.node_id,
                    receiver=frame.receiver, type=MsgType(frame.type),
                    timestamp=frame.timestamp, seqnum=frame.seqnum)
    return WireFrame(header=header, payload=frame.payload, extension=frame.extension)


def frame_from_wire(wire: WireFrame | None, *, keep_sequence: bool = False,
                    fresh_timestamp: Callable[[], int] | None = None) -> Frame:
    """`keep_sequence`: a delivered frame keeps its seqnum and node id; otherwise they are
    assigned on the way. A zero timestamp is replaced by `fresh_timestamp()` when given."""
    if wire is None or wire.header is None:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, "frame.header is required", "frame")
    h = wire.header
    timestamp = h.timestamp
    if not timestamp and fresh_timestamp is not None:
        timestamp = fresh_timestamp()
    return Frame(type=int(h.type), sender=h.sender, receiver=h.receiver, timestamp=timestamp,
                 seqnum=h.seqnum if keep_sequence else 0,
                 node_id=h.node_id if keep_sequence else 0,
                 payload=wire.payload, extension=wire.extension)
