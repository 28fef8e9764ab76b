"""The frame codec: encoding, the incremental decoder under every split, typed errors."""

from __future__ import annotations

import pytest

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.generated.wire import (
    HEADER_SIZE,
    MAX_EXTENSION_LENGTH,
    MAX_PAYLOAD_LENGTH,
    MAX_SENDER,
    Header,
    encode_header,
)
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.errors import (
    FrameError,
    FrameTooLarge,
    HeaderFieldOutOfRange,
    InvalidPayload,
    TruncatedFrame,
    UnknownFrameType,
    UnsupportedVersion,
)
from prim.runtime.wire.frame import Frame, encode_frame

FRAMES = [
    Frame(type=MsgType.AUTH, sender=42, timestamp=1_700_000_000_000, payload=b"user:42"),
    Frame(type=MsgType.PING, sender=42),
    Frame(type=MsgType.TEXT, sender=42, receiver=7, timestamp=5, payload="héllo".encode(),
          extension=b"\x01\x02"),
    Frame(type=MsgType.ECHO, sender=MAX_SENDER, payload=bytes(range(256)) * 3,
          extension=b"e" * MAX_EXTENSION_LENGTH),
    Frame(type=MsgType.TEXT, sender=1, receiver=2, seqnum=99, node_id=3, payload=b""),
]


def raw_header(**fields: int) -> bytes:
    base = dict(version=1, sender=42, node_id=0, receiver=7, type=MsgType.TEXT,
                extension_length=0, timestamp=0, payload_length=0, seqnum=0)
    base.update(fields)
    return encode_header(Header(**base))


def test_encode_is_header_payload_extension_without_delimiter() -> None:
    frame = FRAMES[2]
    data = encode_frame(frame)
    assert len(data) == HEADER_SIZE + len(frame.payload) + len(frame.extension) == frame.size
    assert data[HEADER_SIZE:] == frame.payload + frame.extension
    assert data[:HEADER_SIZE] == encode_header(frame.header)


def test_round_trip_of_each_frame() -> None:
    for frame in FRAMES:
        decoder = FrameDecoder()
        decoder.feed(encode_frame(frame))
        assert decoder.frames() == [frame]
        assert decoder.buffered == 0


def test_every_split_of_a_multi_frame_buffer() -> None:
    buffer = b"".join(encode_frame(f) for f in FRAMES)
    for cut in range(len(buffer) + 1):
        decoder = FrameDecoder()
        out: list[Frame] = []
        decoder.feed(buffer[:cut])
        out += decoder.frames()
        decoder.feed(buffer[cut:])
        out += decoder.frames()
        assert out == FRAMES, cut


def test_every_two_cut_split_of_two_frames() -> None:
    buffer = encode_frame(FRAMES[0]) + encode_frame(FRAMES[2])
    for a in range(len(buffer) + 1):
        for b in range(a, len(buffer) + 1):
            decoder = FrameDecoder()
            out: list[Frame] = []
            for chunk in (buffer[:a], buffer[a:b], buffer[b:]):
                decoder.feed(chunk)
                out += decoder.frames()
            assert out == [FRAMES[0], FRAMES[2]]


def test_byte_at_a_time() -> None:
    buffer = b"".join(encode_frame(f) for f in FRAMES)
    decoder = FrameDecoder()
    out: list[Frame] = []
    for i in range(len(buffer)):
        decoder.feed(buffer[i:i + 1])
        out += decoder.frames()
    assert out == FRAMES


def test_payload_at_the_field_width_limit() -> None:
    frame = Frame(type=MsgType.ECHO, sender=1, payload=b"x" * MAX_PAYLOAD_LENGTH)
    decoder = FrameDecoder()
    decoder.feed(encode_frame(frame))
    assert decoder.frames() == [frame]


def test_encode_refuses_oversize_parts() -> None:
    with pytest.raises(FrameTooLarge) as exc:
        encode_frame(Frame(type=MsgType.ECHO, payload=b"x" * (MAX_PAYLOAD_LENGTH + 1)))
    assert exc.value.code == ErrorCode.FRAME_TOO_LARGE
    with pytest.raises(FrameTooLarge):
        encode_frame(Frame(type=MsgType.ECHO, extension=b"x" * (MAX_EXTENSION_LENGTH + 1)))
    with pytest.raises(FrameTooLarge):
        encode_frame(Frame(type=MsgType.ECHO, payload=b"x" * 11), max_payload_length=10)


def test_encode_refuses_fields_past_their_width() -> None:
    with pytest.raises(HeaderFieldOutOfRange) as exc:
        encode_frame(Frame(type=MsgType.TEXT, sender=MAX_SENDER + 1))
    assert exc.value.field == "sender"
    assert isinstance(exc.value, FrameError)
    with pytest.raises(HeaderFieldOutOfRange):
        encode_frame(Frame(type=-1))


def test_bad_version_is_fatal() -> None:
    decoder = FrameDecoder()
    decoder.feed(raw_header(version=2) + encode_frame(FRAMES[1]))
    with pytest.raises(UnsupportedVersion) as exc:
        decoder.next_frame()
    assert exc.value.code == ErrorCode.MALFORMED_FRAME and exc.value.fatal
    assert exc.value.version == 2
    # The stream cannot be trusted any more: the decoder stays failed.
    decoder.feed(encode_frame(FRAMES[1]))
    with pytest.raises(UnsupportedVersion):
        decoder.next_frame()


def test_payload_past_the_configured_limit_is_reported_from_the_header() -> None:
    decoder = FrameDecoder(max_payload_length=100)
    decoder.feed(raw_header(payload_length=101))  # no payload bytes needed to know
    with pytest.raises(FrameTooLarge) as exc:
        decoder.next_frame()
    assert exc.value.code == ErrorCode.FRAME_TOO_LARGE and exc.value.fatal
    assert (exc.value.length, exc.value.limit) == (101, 100)


def test_unknown_type_is_skipped_whole() -> None:
    decoder = FrameDecoder()
    decoder.feed(raw_header(type=4000, payload_length=3) + b"abc" + encode_frame(FRAMES[1]))
    with pytest.raises(UnknownFrameType) as exc:
        decoder.next_frame()
    assert exc.value.code == ErrorCode.UNKNOWN_TYPE and not exc.value.fatal
    assert exc.value.type_number == 4000
    assert exc.value.header is not None and exc.value.header.type == 4000
    assert decoder.frames() == [FRAMES[1]]


def test_payload_that_does_not_match_its_kind() -> None:
    decoder = FrameDecoder()
    decoder.feed(raw_header(type=MsgType.PING, payload_length=1) + b"x"
                 + raw_header(type=MsgType.TEXT, payload_length=2) + b"\xff\xfe"
                 + encode_frame(FRAMES[1]))
    with pytest.raises(InvalidPayload, match="carries no payload"):
        decoder.next_frame()
    with pytest.raises(InvalidPayload, match="UTF-8"):
        decoder.next_frame()
    assert decoder.frames() == [FRAMES[1]]
    lenient = FrameDecoder(validate_payloads=False)
    lenient.feed(raw_header(type=MsgType.TEXT, payload_length=2) + b"\xff\xfe")
    assert lenient.frames()[0].payload == b"\xff\xfe"


def test_truncated_frame_at_end_of_stream() -> None:
    data = encode_frame(FRAMES[2])
    for cut in (1, HEADER_SIZE - 1, HEADER_SIZE, len(data) - 1):
        decoder = FrameDecoder()
        decoder.feed(data[:cut])
        assert decoder.frames() == []
        with pytest.raises(TruncatedFrame) as exc:
            decoder.feed_eof()
        assert exc.value.code == ErrorCode.MALFORMED_FRAME
        assert exc.value.buffered == cut


def test_clean_end_of_stream() -> None:
    decoder = FrameDecoder()
    decoder.feed(encode_frame(FRAMES[0]))
    assert decoder.frames() == [FRAMES[0]]
    decoder.feed_eof()  # nothing pending: no error


def test_limit_must_fit_the_field() -> None:
    with pytest.raises(ValueError):
        FrameDecoder(max_payload_length=MAX_PAYLOAD_LENGTH + 1)


def test_long_streams_compact_the_buffer() -> None:
    frame = Frame(type=MsgType.ECHO, sender=1, payload=b"p" * 1000)
    data = encode_frame(frame) * 200
    decoder = FrameDecoder()
    half = len(data) // 2 + 7
    decoder.feed(data[:half])
    first = decoder.frames()
    decoder.feed(data[half:])
    assert first + decoder.frames() == [frame] * 200
    assert decoder.buffered == 0
