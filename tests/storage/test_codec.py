"""The Message encoding used on the log and in the hot window: lossless, and strict."""

from __future__ import annotations

import dataclasses
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prim.runtime.storage.codec import CodecError, decode_message, encode_message
from prim.runtime.storage.models import Message

u64 = st.integers(min_value=0, max_value=2**63 - 1)
messages = st.builds(
    Message,
    channel=st.text(max_size=40),
    seqnum=u64,
    sender=u64,
    receiver=u64,
    type=st.integers(min_value=0, max_value=4095),
    server_ts=u64,
    client_ts=u64,
    payload=st.binary(max_size=16383),
    extension=st.binary(max_size=63),
    edited_at=st.none() | u64,
    withdrawn=st.booleans(),
    device=st.text(max_size=40),
)


@given(messages)
def test_round_trip(m: Message) -> None:
    assert decode_message(encode_message(m)) == m


@given(messages, st.data())
def test_damaged_input_is_rejected(m: Message, data: st.DataObject) -> None:
    raw = encode_message(m)
    cut = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    with pytest.raises(CodecError):
        decode_message(raw[:cut])
    with pytest.raises(CodecError):
        decode_message(raw + b"\x00")


def test_unknown_version() -> None:
    raw = bytearray(encode_message(Message("c", 1, 2, 3, 32, 4, 5, b"p")))
    raw[0] = 99
    with pytest.raises(CodecError):
        decode_message(bytes(raw))
    assert dataclasses.replace(Message("c", 1, 2, 3, 32, 4, 5, b"p")).extension == b""


def test_device_is_carried() -> None:
    m = Message("u1-2", 7, 1, 2, 32, 4, 5, b"hi", device="phone")
    assert decode_message(encode_message(m)).device == "phone"


def test_version_1_records_still_decode() -> None:
    """Log records written before the device was encoded (version 1) read back with no
    device."""
    channel, payload, ext = b"u1-2", b"hello", b"\x01"
    head = struct.pack(">BQQQHQQqBHIH", 1, 7, 1, 2, 32, 40, 50, -1, 0,
                       len(channel), len(payload), len(ext))
    assert decode_message(head + channel + payload + ext) == Message(
        "u1-2", 7, 1, 2, 32, 40, 50, b"hello", b"\x01", device="")
