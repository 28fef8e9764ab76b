"""64-bit integers in request bodies: proto3 JSON parsers take a JSON number or a decimal
string, so the codec does too (JavaScript clients send numbers), within the field's range
and integral only; answers keep writing strings."""

from __future__ import annotations

from typing import Any

import pytest

from prim.generated.routes import ENUMS, MESSAGES
from prim.runtime.http.bind import parse_json
from prim.runtime.http.codec import Codec, FieldError

codec = Codec(MESSAGES, ENUMS)
LOGIN = "prim.v1.LoginRequest"


@pytest.mark.parametrize(("raw", "expected"), [
    (b'{"userId": 10000}', "10000"),
    (b'{"userId": "10000"}', "10000"),
    (b'{"userId": 1e4}', "10000"),
    (b'{"userId": 10000.0}', "10000"),
    (b'{"userId": 18446744073709551615}', str(2**64 - 1)),
    (b'{"userId": 0}', "0"),
])
def test_uint64_accepts_a_number_or_a_decimal_string(raw: bytes, expected: str) -> None:
    assert codec.decode(LOGIN, parse_json(raw))["user_id"] == expected


@pytest.mark.parametrize("raw", [
    b'{"userId": 1.5}',
    b'{"userId": 1.5e0}',
    b'{"userId": -1}',
    b'{"userId": 18446744073709551616}',
    b'{"userId": 1.8446744073709552e19}',
    b'{"userId": 1e400}',
    b'{"userId": true}',
    b'{"userId": [1]}',
    b'{"userId": "1.0"}',
    b'{"userId": "1e3"}',
])
def test_uint64_refuses_fractions_and_out_of_range_values_naming_the_field(raw: bytes) -> None:
    with pytest.raises(FieldError) as caught:
        codec.decode(LOGIN, parse_json(raw))
    assert caught.value.field == "user_id"


def test_int64_range_is_checked_on_numbers_too() -> None:
    shape = codec.field("prim.v1.LoginResponse", "expires_at_ms")
    signed = type(shape)("n", "n", "int64")
    assert codec.decode_field(signed, -(2**63), "n") == str(-(2**63))
    for bad in (2**63, -(2**63) - 1):
        with pytest.raises(FieldError, match="between"):
            codec.decode_field(signed, bad, "n")


def test_answers_still_write_64_bit_integers_as_strings() -> None:
    data: dict[str, Any] = {"user_id": "10000", "access_token": "t", "expires_at_ms": "5",
                            "device_id": "d"}
    assert codec.encode("prim.v1.LoginResponse", data)["userId"] == "10000"
