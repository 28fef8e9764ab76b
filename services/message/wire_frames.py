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


def ack_payload(server_timestamp_ms: int, duplicate: bool) -> bytes:
    """`bytes(AckPayload(server_timestamp_ms=..., duplicate=...))`, written directly: an Ack
    goes out for every message, and the message class costs more than these few bytes
    (field 1 uint64 varint, field 2 bool; proto3 leaves out zero and false)."""
    out = bytearray()
    if server_timestamp_ms:
        out.append(0x08)
        value = server_timestamp_ms
        while value > 0x7F:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
    if duplicate:
        out += b"\x10\x01"
    return bytes(out)
