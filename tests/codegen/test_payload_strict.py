"""parse_payload's strict check (prim.generated.protobuf_strict): bytes that are not a valid
encoding of the declared message are refused, even where betterproto2 would parse them;
valid encodings (ours and google.protobuf's) still parse."""

from __future__ import annotations

import pytest
from google.protobuf import descriptor_pb2
from hypothesis import given
from hypothesis import strategies as st

from prim.generated.prim.v1 import (
    EditPayload,
    Error,
    ErrorCode,
    FieldViolation,
    MediaRef,
    ReadReceiptPayload,
    WithdrawPayload,
)
from prim.generated.protobuf_strict import EncodingError, FieldShape, check_encoding
from prim.generated.wire import MsgType, PayloadError, parse_payload

MALFORMED = {
    "a length-delimited record in a uint64 (betterproto2 made it a list)": (
        MsgType.EDIT, b"\x0a\x02ab"),
    "a length past the end": (MsgType.EDIT, b"\x0a\x05ab"),
    "a varint cut short": (MsgType.WITHDRAW, b"\x08\xff\xff"),
    "a bare truncated key (betterproto2 gave an empty message)": (MsgType.EDIT, b"\xff\xff\xff"),
    "a varint past 64 bits": (MsgType.READ_RECEIPT, b"\x08" + b"\xff" * 9 + b"\x02"),
    "a fixed64 record in a uint64": (MsgType.READ_RECEIPT, b"\x09" + b"\x00" * 8),
    "a fixed32 record in bytes": (MsgType.EDIT, b"\x15\x00\x00\x00\x00"),
    "field number 0": (MsgType.WITHDRAW, b"\x00\x01"),
    "a group": (MsgType.WITHDRAW, b"\x0b\x0c"),
    "an unknown field cut short": (MsgType.WITHDRAW, b"\x08\x01\x52\x04ab"),
    "a string that is not UTF-8": (MsgType.IMAGE, b"\x0a\x02\xff\xfe"),
    "a uint32 past 32 bits": (MsgType.IMAGE, b"\x30\x80\x80\x80\x80\x10"),
    "a bool of 2": (MsgType.ACK, b"\x10\x02"),
    "a malformed nested message": (MsgType.ERROR, b"\x32\x02\x0a\x05"),
}


@pytest.mark.parametrize("type_,payload", MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_payloads_are_refused(type_: MsgType, payload: bytes) -> None:
    with pytest.raises(PayloadError, match="is not a valid"):
        parse_payload(type_, payload)


u64 = st.integers(0, 2**64 - 1)


@given(u64, st.binary(max_size=64))
def test_edits_round_trip(seqnum: int, new: bytes) -> None:
    edit = EditPayload(target_seqnum=seqnum, new_payload=new)
    assert parse_payload(MsgType.EDIT, bytes(edit)) == edit
    assert parse_payload(MsgType.WITHDRAW, bytes(WithdrawPayload(target_seqnum=seqnum))) == (
        WithdrawPayload(target_seqnum=seqnum))
    receipt = ReadReceiptPayload(seqnum=seqnum)
    assert parse_payload(MsgType.READ_RECEIPT, bytes(receipt)) == receipt


@given(st.text(max_size=20), st.integers(0, 2**32 - 1), st.lists(st.text(max_size=8), max_size=3))
def test_nested_and_text_fields_round_trip(text: str, width: int, fields: list[str]) -> None:
    ref = MediaRef(file_id=text, content_type="image/png", width=width, caption=text)
    assert parse_payload(MsgType.IMAGE, bytes(ref)) == ref
    error = Error(code=ErrorCode.MALFORMED_FRAME, message=text,
                  violations=[FieldViolation(field=f, description=text) for f in fields])
    assert parse_payload(MsgType.ERROR, bytes(error)) == error


def test_unknown_fields_stay_accepted() -> None:
    # field 10 as a varint, field 11 length-delimited, field 12 fixed32: a newer peer's
    assert parse_payload(MsgType.WITHDRAW, b"\x08\x07\x50\x01\x5a\x01x\x65\x00\x00\x00\x00") == (
        WithdrawPayload(target_seqnum=7))


# google.protobuf's own encoder for what PRIM's payloads do not use yet: packed repeated
# numbers, negative int32, enums, nested repeated messages.
LOCATION = {
    "loc": {
        1: FieldShape("int32", repeated=True),
        2: FieldShape("int32", repeated=True),
        3: FieldShape("string"),
        6: FieldShape("string", repeated=True),
    },
}


@given(st.lists(st.integers(-(2**31), 2**31 - 1), max_size=6), st.text(max_size=10))
def test_google_protobuf_encodings_pass(path: list[int], comment: str) -> None:
    loc = descriptor_pb2.SourceCodeInfo.Location(path=path, span=path[:3],
                                                 leading_comments=comment,
                                                 leading_detached_comments=[comment])
    check_encoding(loc.SerializeToString(), "loc", LOCATION)


def test_unpacked_repeated_numbers_pass_and_bad_packed_ones_fail() -> None:
    check_encoding(b"\x08\x01\x08\x7f", "loc", LOCATION)
    check_encoding(b"\x0a\x00", "loc", LOCATION)  # an empty packed run
    with pytest.raises(EncodingError, match="cut short"):
        check_encoding(b"\x0a\x01\xff", "loc", LOCATION)  # a packed varint cut at its end
    with pytest.raises(EncodingError, match="32-bit range"):
        check_encoding(b"\x08\x80\x80\x80\x80\x08", "loc", LOCATION)  # 2**31 in an int32
