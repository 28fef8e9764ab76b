"""A strict check of protobuf binary bytes against the fields a message declares.

betterproto2 parses leniently: a length-delimited record in a uint64 field becomes a list, a
truncated record may become an empty message. Protobuf itself treats a known field with the
wrong wire type as an unknown field. PRIM refuses both: a payload is accepted only when every
record of a declared field has that field's wire type (or is packed, for repeated numbers),
every varint and length fits the bytes and the field's range, and every string is UTF-8.
Unknown field numbers stay accepted (a newer peer may send them) when well formed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

VARINT, I64, LEN, I32 = 0, 1, 2, 5
MAX_FIELD_NUMBER = (1 << 29) - 1
MAX_DEPTH = 100  # protobuf's own default recursion limit

# The wire type of each protobuf kind (the names codegen/model.py's SCALAR_NAMES uses).
WIRE_TYPE: dict[str, int] = {
    **dict.fromkeys(("int32", "int64", "uint32", "uint64", "sint32", "sint64", "bool", "enum"),
                    VARINT),
    **dict.fromkeys(("fixed64", "sfixed64", "double"), I64),
    **dict.fromkeys(("fixed32", "sfixed32", "float"), I32),
    **dict.fromkeys(("string", "bytes", "message"), LEN),
}

# The largest varint each 32-bit kind may carry; int32 and enum negatives are sign-extended
# to 64 bits, so they are checked apart.
_VARINT_MAX = {"uint32": (1 << 32) - 1, "sint32": (1 << 32) - 1, "bool": 1}
_SIGNED_32 = ("int32", "enum")


@dataclass(frozen=True, slots=True)
class FieldShape:
    """What the bytes of one declared field may be."""

    kind: str  # a WIRE_TYPE key
    repeated: bool = False
    message: str = ""  # kind "message": the nested message's full name (a Shapes key)


#: Each message's declared fields by number, by full message name.
Shapes = Mapping[str, Mapping[int, FieldShape]]


class EncodingError(ValueError):
    """The bytes are not a valid encoding of the message."""


def check_encoding(data: bytes, message: str, shapes: Shapes) -> None:
    """EncodingError unless `data` is a strict encoding of `message` (a key of `shapes`)."""
    _check_message(data, 0, len(data), message, shapes, 0)


def _varint(data: bytes, at: int, end: int) -> tuple[int, int]:
    value = shift = 0
    for i in range(10):
        if at >= end:
            raise EncodingError("a varint is cut short")
        byte = data[at]
        at += 1
        if i == 9 and byte > 1:
            raise EncodingError("a varint is longer than 64 bits")
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7
    raise EncodingError("a varint is longer than 10 bytes")


def _length(data: bytes, at: int, end: int) -> tuple[int, int]:
    """(start, stop) of the length-delimited record whose length starts at `at`."""
    size, at = _varint(data, at, end)
    if size > end - at:
        raise EncodingError("a length runs past the end of the bytes")
    return at, at + size


def _skip(data: bytes, at: int, end: int, wire: int) -> int:
    if wire == VARINT:
        return _varint(data, at, end)[1]
    if wire == LEN:
        return _length(data, at, end)[1]
    width = 8 if wire == I64 else 4
    if width > end - at:
        raise EncodingError("a fixed-width value is cut short")
    return at + width


def _check_varint(value: int, shape: FieldShape, number: int) -> None:
    if shape.kind in _SIGNED_32:
        if (1 << 31) <= value < (1 << 64) - (1 << 31):
            raise EncodingError(f"field {number} is outside the 32-bit range")
    elif value > _VARINT_MAX.get(shape.kind, value):
        raise EncodingError(f"field {number} is outside the range of {shape.kind}")


def _check_scalar(data: bytes, at: int, end: int, shape: FieldShape, number: int) -> int:
    """Checks one value of a non-LEN kind at `at`; where it ends."""
    if WIRE_TYPE[shape.kind] == VARINT:
        value, at = _varint(data, at, end)
        _check_varint(value, shape, number)
        return at
    return _skip(data, at, end, WIRE_TYPE[shape.kind])


def _check_message(data: bytes, at: int, end: int, message: str, shapes: Shapes,
                   depth: int) -> None:
    if depth > MAX_DEPTH:
        raise EncodingError("messages nest too deep")
    fields = shapes[message]
    while at < end:
        key, at = _varint(data, at, end)
        number, wire = key >> 3, key & 7
        if not 1 <= number <= MAX_FIELD_NUMBER:
            raise EncodingError(f"field number {number} is not valid")
        if wire not in (VARINT, I64, LEN, I32):
            raise EncodingError(f"field {number} has wire type {wire} (groups are not proto3)")
        shape = fields.get(number)
        if shape is None:
            at = _skip(data, at, end, wire)
            continue
        expected = WIRE_TYPE[shape.kind]
        if wire == expected == LEN:
            start, at = _length(data, at, end)
            if shape.kind == "message":
                _check_message(data, start, at, shape.message, shapes, depth + 1)
            elif shape.kind == "string":
                try:
                    data[start:at].decode("utf-8")
                except UnicodeDecodeError:
                    raise EncodingError(f"field {number} is not UTF-8") from None
        elif wire == expected:
            at = _check_scalar(data, at, end, shape, number)
        elif wire == LEN and shape.repeated:  # packed numbers
            start, at = _length(data, at, end)
            while start < at:
                start = _check_scalar(data, start, at, shape, number)
        else:
            raise EncodingError(
                f"field {number} ({shape.kind}) has wire type {wire}, not {expected}")
