"""The generated Python header codec (prim.generated.wire) against the wire vectors in
conformance/vectors/header.json, against an independent bit-string encoder, and the
message-type table against the ranges of DESIGN.md section 3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prim.codegen.run import REPO
from prim.generated import wire
from prim.generated.prim import v1

VECTORS_FILE: Path = REPO / "conformance" / "vectors" / "header.json"
VECTORS: dict[str, Any] = json.loads(VECTORS_FILE.read_text())
FIELDS: list[dict[str, Any]] = VECTORS["fields"]
MAXIMA: dict[str, int] = {f["name"]: int(f["max"]) for f in FIELDS}


def _header(fields: dict[str, str]) -> wire.Header:
    return wire.Header(**{name: int(value) for name, value in fields.items()})


def _reference_encode(h: wire.Header) -> bytes:
    """Concatenates each field's bits, in the vectors' word and field order."""
    bits = "".join(f"{getattr(h, f['name']):0{f['bits']}b}" for f in FIELDS)
    assert len(bits) == wire.HEADER_SIZE * 8
    return int(bits, 2).to_bytes(wire.HEADER_SIZE, "big")


headers = st.builds(
    wire.Header, **{name: st.integers(0, maximum) for name, maximum in MAXIMA.items()}
)


def test_vectors_describe_the_codecs_layout() -> None:
    assert tuple(f["name"] for f in FIELDS) == wire.HEADER_FIELDS
    assert VECTORS["header_size"] == wire.HEADER_SIZE == 32
    assert VECTORS["protocol_version"] == wire.PROTOCOL_VERSION
    # PRIM's own clients send 0 (issue #10): accepted beside the current version.
    assert VECTORS["supported_protocol_versions"] == sorted(wire.SUPPORTED_PROTOCOL_VERSIONS)
    assert {0, wire.PROTOCOL_VERSION} <= wire.SUPPORTED_PROTOCOL_VERSIONS
    for f in FIELDS:
        assert getattr(wire, f"MAX_{f['name'].upper()}") == int(f["max"]) == (1 << f["bits"]) - 1
    for word in range(4):
        assert sum(f["bits"] for f in FIELDS if f["word"] == word) == 64
    # DESIGN.md section 3, bit for bit.
    assert [(f["name"], f["word"], f["bits"]) for f in FIELDS] == [
        ("version", 0, 18), ("sender", 0, 46), ("node_id", 1, 18), ("receiver", 1, 46),
        ("type", 2, 12), ("extension_length", 2, 6), ("timestamp", 2, 46),
        ("payload_length", 3, 14), ("seqnum", 3, 50),
    ]


def test_vectors_cover_every_fields_extremes() -> None:
    names = {c["name"] for c in VECTORS["valid"]}
    assert {"all_zero", "all_max", "typical_text_from_client"} <= names
    for f in FIELDS:
        assert {f"{f['name']}_max", f"{f['name']}_one", f"{f['name']}_zero_others_max"} <= names
    overflowing = {c["field"] for c in VECTORS["invalid"] if c["name"].endswith("_overflow")}
    assert overflowing == set(MAXIMA)


@pytest.mark.parametrize("case", VECTORS["valid"], ids=lambda c: c["name"])
def test_valid_vector(case: dict[str, Any]) -> None:
    h = _header(case["fields"])
    data = bytes.fromhex(case["hex"])
    assert wire.encode_header(h).hex() == case["hex"]
    assert _reference_encode(h) == data
    assert wire.decode_header(data) == h
    assert wire.decode_header(b"\xff" * 3 + data + b"\xff", 3) == h


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: c["name"])
def test_invalid_vector_is_refused_naming_the_field(case: dict[str, Any]) -> None:
    with pytest.raises(wire.HeaderFieldOverflow) as caught:
        wire.encode_header(_header(case["fields"]))
    assert caught.value.field == case["field"]
    assert case["field"] in str(caught.value)


@pytest.mark.parametrize("case", VECTORS["too_short"], ids=lambda c: c["name"])
def test_short_vector_is_refused(case: dict[str, Any]) -> None:
    with pytest.raises(wire.HeaderTooShort):
        wire.decode_header(bytes.fromhex(case["hex"]))


@pytest.mark.parametrize("missing", [1, 17, 31])
def test_short_input_after_an_offset_is_refused(missing: int) -> None:
    data = bytes(10 + wire.HEADER_SIZE - missing)
    with pytest.raises(wire.HeaderTooShort):
        wire.decode_header(data, 10)


@given(headers)
def test_round_trip_over_every_field_range(h: wire.Header) -> None:
    data = wire.encode_header(h)
    assert len(data) == wire.HEADER_SIZE
    assert data == _reference_encode(h)
    assert wire.decode_header(data) == h


@given(st.binary(min_size=32, max_size=32), st.binary(max_size=8))
def test_every_bit_pattern_is_a_header(data: bytes, prefix: bytes) -> None:
    h = wire.decode_header(prefix + data, len(prefix))
    assert wire.encode_header(h) == data


@pytest.mark.parametrize("name", list(MAXIMA))
@given(excess=st.integers(1, 1 << 70))
def test_overflow_names_the_field(name: str, excess: int) -> None:
    zero = dict.fromkeys(MAXIMA, 0)
    for bad in (MAXIMA[name] + excess, -excess):
        with pytest.raises(wire.HeaderFieldOverflow) as caught:
            wire.encode_header(wire.Header(**{**zero, name: bad}))
        assert caught.value.field == name
        assert caught.value.value == bad
        assert caught.value.maximum == MAXIMA[name]


# DESIGN.md section 3: number ranges per category, and which categories are sequenced.
CATEGORY_RANGES: dict[wire.MsgCategory, tuple[range, bool | None]] = {
    wire.MsgCategory.SYSTEM: (range(0, 32), False),
    wire.MsgCategory.CONTENT: (range(32, 64), True),
    wire.MsgCategory.CONTROL: (range(64, 96), True),
    wire.MsgCategory.LOGIC: (range(96, 128), False),
    wire.MsgCategory.BUSINESS: (range(128, 160), True),
    wire.MsgCategory.INTERNAL: (range(160, wire.MAX_TYPE + 1), None),
}

PRIM_NUMBERS = {
    "NA": 0, "ACK": 1, "TEXT": 32, "MEME": 33, "FILE": 34, "IMAGE": 35, "VIDEO": 36,
    "AUDIO": 37, "EDIT": 64, "WITHDRAW": 65, "AUTH": 96, "PING": 97, "PONG": 98, "ECHO": 99,
    "ERROR": 100, "BE_OFFLINE": 101, "INTERNAL_ERROR": 102, "SYSTEM_MESSAGE": 128,
    "ADD_FRIEND": 129, "REMOVE_FRIEND": 130, "JOIN_GROUP": 131, "LEAVE_GROUP": 132,
    "REMOTE_INVOKE": 133, "SET_RELATIONSHIP": 134,
}


def test_msg_types_keep_prims_numbers() -> None:
    for name, number in PRIM_NUMBERS.items():
        assert v1.MsgType[name] == number


@pytest.mark.parametrize("msg_type", list(v1.MsgType), ids=lambda t: t.name)
def test_msg_type_info_matches_the_spec_ranges(msg_type: v1.MsgType) -> None:
    info = wire.MSG_TYPE_INFO[msg_type]
    numbers, sequenced = CATEGORY_RANGES[info.category]
    assert msg_type in numbers, f"{msg_type.name} is outside the {info.category.name} range"
    if sequenced is not None:
        assert info.sequenced is sequenced
    assert (info.payload == wire.PayloadKind.MESSAGE) == bool(info.payload_message)
    if info.payload_message:
        package, _, name = info.payload_message.rpartition(".")
        assert package == "prim.v1"
        assert isinstance(getattr(v1, name), type)


def test_msg_type_info_covers_exactly_the_enum() -> None:
    assert set(wire.MSG_TYPE_INFO) == set(v1.MsgType)
    assert max(v1.MsgType) <= wire.MAX_TYPE
