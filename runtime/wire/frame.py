"""`Frame`: one PRIM frame (header fields, payload, extension) and its encoding.

A frame on the wire is header (32 bytes) || payload || extension, with no delimiter. The
header codec is generated from the spec (`prim.generated.wire`); this module adds the
payload and extension around it. The two length fields are not stored on `Frame`: they are
the lengths of `payload` and `extension`, so they can never disagree with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from prim.generated.wire import (
    HEADER_SIZE,
    MAX_EXTENSION_LENGTH,
    MAX_PAYLOAD_LENGTH,
    PROTOCOL_VERSION,
    Header,
    HeaderFieldOverflow,
    encode_header,
)
from prim.runtime.wire.errors import FrameTooLarge, HeaderFieldOutOfRange


@dataclass(frozen=True, slots=True)
class Frame:
    type: int
    sender: int = 0
    receiver: int = 0
    timestamp: int = 0
    seqnum: int = 0
    node_id: int = 0
    payload: bytes = b""
    extension: bytes = b""
    version: int = PROTOCOL_VERSION

    @property
    def header(self) -> Header:
        return Header(
            version=self.version,
            sender=self.sender,
            node_id=self.node_id,
            receiver=self.receiver,
            type=self.type,
            extension_length=len(self.extension),
            timestamp=self.timestamp,
            payload_length=len(self.payload),
            seqnum=self.seqnum,
        )

    @property
    def size(self) -> int:
        """Bytes this frame takes on the wire."""
        return HEADER_SIZE + len(self.payload) + len(self.extension)

    @classmethod
    def from_header(cls, header: Header, payload: bytes, extension: bytes) -> Frame:
        return cls(
            type=header.type,
            sender=header.sender,
            receiver=header.receiver,
            timestamp=header.timestamp,
            seqnum=header.seqnum,
            node_id=header.node_id,
            payload=payload,
            extension=extension,
            version=header.version,
        )


def encode_frame(frame: Frame, max_payload_length: int = MAX_PAYLOAD_LENGTH) -> bytes:
    """The frame's wire bytes.

    Raises FrameTooLarge for a payload or extension past its limit and
    HeaderFieldOutOfRange for any other field that does not fit its bit width.
    """
    if len(frame.payload) > max_payload_length:
        raise FrameTooLarge("payload", len(frame.payload), max_payload_length)
    if len(frame.extension) > MAX_EXTENSION_LENGTH:
        raise FrameTooLarge("extension", len(frame.extension), MAX_EXTENSION_LENGTH)
    try:
        head = encode_header(frame.header)
    except HeaderFieldOverflow as exc:
        raise HeaderFieldOutOfRange(exc.field, exc.value, exc.maximum) from exc
    return head + frame.payload + frame.extension
