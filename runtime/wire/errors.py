"""The typed errors of the frame codec.

Every way a byte stream can fail to be a PRIM frame has its own class; each carries the
`ErrorCode` that goes into the Error frame answering it, and whether the stream can go on
(`fatal`): once a header cannot be trusted the next frame boundary is unknown, so the
connection must close; a well-delimited frame of an unknown type can simply be skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

from prim.generated.prim.v1 import ErrorCode
from prim.generated.wire import Header


class FrameError(Exception):
    """Base of every codec error. `code` goes into the answering Error frame."""

    code: ErrorCode = ErrorCode.MALFORMED_FRAME
    fatal: bool = True

    def __init__(self, message: str, header: Header | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The offending frame's header when it could be read (for ref_timestamp_ms).
        self.header = header


class MalformedFrame(FrameError):
    """Bytes that cannot be a frame of this protocol."""

    code = ErrorCode.MALFORMED_FRAME


class UnsupportedVersion(MalformedFrame):
    def __init__(self, version: int, supported: Iterable[int],
                 header: Header | None = None) -> None:
        listed = ", ".join(str(v) for v in sorted(supported))
        super().__init__(f"protocol version {version} is not supported (supported: {listed})",
                         header)
        self.version = version


class TruncatedFrame(MalformedFrame):
    """The stream ended in the middle of a frame."""

    def __init__(self, buffered: int, needed: int) -> None:
        super().__init__(f"stream ended inside a frame: {buffered} of {needed} bytes received")
        self.buffered = buffered
        self.needed = needed


class InvalidPayload(MalformedFrame):
    """A well-delimited frame whose payload does not match its type's payload kind."""

    fatal = False


class FrameTooLarge(FrameError):
    """A payload or extension past the field width or the configured limit."""

    code = ErrorCode.FRAME_TOO_LARGE

    def __init__(self, part: str, length: int, limit: int, header: Header | None = None) -> None:
        super().__init__(f"{part} of {length} bytes exceeds the limit of {limit}", header)
        self.part = part
        self.length = length
        self.limit = limit


class UnknownFrameType(FrameError):
    """A type number the spec does not define, or one the sending side may not send."""

    code = ErrorCode.UNKNOWN_TYPE
    fatal = False  # its lengths are sound, so the frame was skipped whole

    def __init__(self, type_number: int, reason: str, header: Header | None = None) -> None:
        super().__init__(f"message type {type_number} {reason}", header)
        self.type_number = type_number


class HeaderFieldOutOfRange(FrameError):
    """Encoding: a header field does not fit its bit width."""

    code = ErrorCode.INVALID_ARGUMENT
    fatal = False

    def __init__(self, field: str, value: int, maximum: int) -> None:
        super().__init__(f"header field {field}={value} is outside 0..{maximum}")
        self.field = field
        self.value = value
        self.maximum = maximum
