"""`FrameDecoder`: turns bytes, as they arrive on a stream, into frames.

Feed it chunks of any size (a frame split anywhere, many frames per chunk); call
`next_frame()` until it returns None. Every input that is not a valid frame raises a
subclass of `FrameError`. A fatal error (bad version, a length past the limits, a stream
that ended mid-frame) leaves the decoder failed: the frame boundaries are lost, and every
later call raises the same error. A non-fatal one (an unknown type, a payload that does not
match its type) is raised after the whole frame has been consumed, so decoding can go on.
"""

from __future__ import annotations

from prim.generated.wire import (
    HEADER_SIZE,
    MAX_PAYLOAD_LENGTH,
    MSG_TYPE_INFO,
    SUPPORTED_PROTOCOL_VERSIONS,
    Header,
    PayloadKind,
    decode_header,
)
from prim.runtime.wire.errors import (
    FrameError,
    FrameTooLarge,
    InvalidPayload,
    TruncatedFrame,
    UnknownFrameType,
    UnsupportedVersion,
)
from prim.runtime.wire.frame import Frame

# Compact the buffer once this many consumed bytes sit at its front: amortises the copy
# without letting a long-lived connection keep a large dead prefix.
_COMPACT_AT = 64 * 1024


class FrameDecoder:
    def __init__(
        self,
        max_payload_length: int = MAX_PAYLOAD_LENGTH,
        validate_payloads: bool = True,
    ) -> None:
        if not 0 <= max_payload_length <= MAX_PAYLOAD_LENGTH:
            raise ValueError(f"max_payload_length must be within 0..{MAX_PAYLOAD_LENGTH}")
        self.max_payload_length = max_payload_length
        self.validate_payloads = validate_payloads
        self._buffer = bytearray()
        self._pos = 0
        self._header: Header | None = None  # parsed header of the frame being assembled
        self._failed: FrameError | None = None

    @property
    def buffered(self) -> int:
        """Bytes received and not yet returned as frames."""
        return len(self._buffer) - self._pos

    @property
    def failed(self) -> FrameError | None:
        return self._failed

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        if self._failed is None:
            self._buffer += data

    def feed_eof(self) -> None:
        """The stream ended: anything left over is a truncated frame."""
        if self._failed is None and self.buffered:
            needed = HEADER_SIZE
            if self._header is not None:
                needed += self._header.payload_length + self._header.extension_length
            self._fail(TruncatedFrame(self.buffered, needed))

    def next_frame(self) -> Frame | None:
        """The next complete frame, or None when more bytes are needed."""
        if self._failed is not None:
            raise self._failed
        header = self._header
        if header is None:
            if len(self._buffer) - self._pos < HEADER_SIZE:
                self._compact()
                return None
            header = decode_header(self._buffer, self._pos)
            self._check_header(header)
            self._header = header
        start = self._pos + HEADER_SIZE
        middle = start + header.payload_length
        end = middle + header.extension_length
        if len(self._buffer) < end:
            return None
        payload = bytes(self._buffer[start:middle])
        extension = bytes(self._buffer[middle:end]) if header.extension_length else b""
        self._pos = end
        self._header = None
        self._compact()
        self._check_type_and_payload(header, payload)
        return Frame.from_header(header, payload, extension)

    def frames(self) -> list[Frame]:
        """Every complete frame buffered; raises on the first invalid one."""
        out: list[Frame] = []
        while (frame := self.next_frame()) is not None:
            out.append(frame)
        return out

    def _check_header(self, header: Header) -> None:
        if header.version not in SUPPORTED_PROTOCOL_VERSIONS:
            self._fail(UnsupportedVersion(header.version, SUPPORTED_PROTOCOL_VERSIONS, header))
        if header.payload_length > self.max_payload_length:
            self._fail(FrameTooLarge("payload", header.payload_length,
                                     self.max_payload_length, header))

    def _check_type_and_payload(self, header: Header, payload: bytes) -> None:
        # Raised after the frame was consumed: the stream stays in step.
        info = MSG_TYPE_INFO.get(header.type)
        if info is None:
            raise UnknownFrameType(header.type, "is not defined by the protocol", header)
        if not self.validate_payloads:
            return
        if info.payload == PayloadKind.EMPTY and payload:
            raise InvalidPayload(
                f"message type {header.type} carries no payload, got {len(payload)} bytes",
                header,
            )
        if info.payload == PayloadKind.UTF8:
            try:
                payload.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidPayload(
                    f"message type {header.type} needs UTF-8 text: {exc.reason} at byte "
                    f"{exc.start}",
                    header,
                ) from None

    def _fail(self, error: FrameError) -> None:
        self._failed = error
        self._buffer = bytearray()
        self._pos = 0
        raise error

    def _compact(self) -> None:
        if self._pos >= _COMPACT_AT or (self._pos and self._pos == len(self._buffer)):
            del self._buffer[: self._pos]
            self._pos = 0
