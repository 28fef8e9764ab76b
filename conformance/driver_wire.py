"""The framing of the driver protocol (spec/prim/v1/conformance.proto): each message is a
4-byte big-endian length and that many bytes of protobuf. Sans-IO: the runner and every
driver put their own reads and writes around it."""

from __future__ import annotations

import struct

_LENGTH = struct.Struct(">I")
MAX_MESSAGE = 16 * 1024 * 1024  # far above any frame; guards against reading garbage


class DriverStreamError(Exception):
    """The other side wrote something that is not a length-prefixed message."""


def pack(message: bytes) -> bytes:
    return _LENGTH.pack(len(message)) + message


class Unpacker:
    """Feed bytes as they arrive; get back the complete messages."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        out: list[bytes] = []
        while len(self._buffer) >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(self._buffer)
            if length > MAX_MESSAGE:
                raise DriverStreamError(f"a message of {length} bytes announced: not the "
                                        "driver protocol (does the driver print to stdout?)")
            end = _LENGTH.size + length
            if len(self._buffer) < end:
                break
            out.append(bytes(self._buffer[_LENGTH.size:end]))
            del self._buffer[:end]
        return out

    @property
    def pending(self) -> int:
        return len(self._buffer)
