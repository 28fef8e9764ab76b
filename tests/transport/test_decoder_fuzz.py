"""Hypothesis: no input makes the decoder raise anything but a FrameError, and valid frames
survive any chunking."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from prim.generated.wire import (
    MAX_EXTENSION_LENGTH,
    MAX_RECEIVER,
    MAX_SENDER,
    MSG_TYPE_INFO,
    PayloadKind,
)
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.errors import FrameError
from prim.runtime.wire.frame import Frame, encode_frame

# Types whose payload is opaque bytes, so any payload is valid.
BYTES_TYPES = [t for t, info in MSG_TYPE_INFO.items() if info.payload == PayloadKind.BYTES]

frames = st.builds(
    Frame,
    type=st.sampled_from(BYTES_TYPES),
    sender=st.integers(0, MAX_SENDER),
    receiver=st.integers(0, MAX_RECEIVER),
    timestamp=st.integers(0, 2**46 - 1),
    seqnum=st.integers(0, 2**50 - 1),
    node_id=st.integers(0, 2**18 - 1),
    payload=st.binary(max_size=300),
    extension=st.binary(max_size=MAX_EXTENSION_LENGTH),
)


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=6),
       st.integers(0, 16383))
def test_arbitrary_bytes_raise_only_frame_errors(data: bytes, cuts: list[int],
                                                 limit: int) -> None:
    decoder = FrameDecoder(max_payload_length=limit)
    try:
        for chunk in _chunks(data, cuts):
            decoder.feed(chunk)
            while True:
                try:
                    if decoder.next_frame() is None:
                        break
                except FrameError as exc:
                    if exc.fatal:
                        raise
        decoder.feed_eof()
    except FrameError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(frames, min_size=1, max_size=5), st.lists(st.integers(0, 2000), max_size=8))
def test_valid_frames_survive_any_chunking(sent: list[Frame], cuts: list[int]) -> None:
    data = b"".join(encode_frame(f) for f in sent)
    decoder = FrameDecoder()
    got: list[Frame] = []
    for chunk in _chunks(data, cuts):
        decoder.feed(chunk)
        got += decoder.frames()
    decoder.feed_eof()
    assert got == sent


@settings(max_examples=200, deadline=None)
@given(frames, st.binary(min_size=1, max_size=64))
def test_garbage_after_a_valid_frame(frame: Frame, junk: bytes) -> None:
    decoder = FrameDecoder()
    decoder.feed(encode_frame(frame) + junk)
    assert decoder.next_frame() == frame
    try:
        decoder.frames()
        decoder.feed_eof()
    except FrameError:
        pass
