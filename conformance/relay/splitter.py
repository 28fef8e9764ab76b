"""`FrameSplitter`: cuts a byte stream into the raw bytes of each frame, with its header.

The relay forwards each frame's bytes exactly as they arrived (a malformed-input test must
reach the server unchanged), so it keeps its own copy of the stream and uses the project's
`FrameDecoder` only to find where each frame ends. Once the stream stops being frames (a
fatal decode error) the rest is passed on as opaque bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from prim.generated.wire import Header
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.errors import FrameError


@dataclass(frozen=True, slots=True)
class Piece:
    raw: bytes
    header: Header | None  # None: bytes that are not (or no longer) a frame


class FrameSplitter:
    def __init__(self) -> None:
        self._decoder = FrameDecoder(validate_payloads=False)
        self._pending = bytearray()  # bytes fed and not yet returned in a piece
        self._opaque = False

    def feed(self, data: bytes) -> list[Piece]:
        if self._opaque:
            return [Piece(bytes(data), None)] if data else []
        self._pending += data
        self._decoder.feed(data)
        pieces: list[Piece] = []
        while True:
            before = len(self._pending)
            try:
                frame = self._decoder.next_frame()
            except FrameError as exc:
                if self._decoder.failed is not None:
                    return [*pieces, *self._give_up()]
                header = exc.header  # a whole frame of an unknown type: still a frame
            else:
                if frame is None:
                    return pieces
                header = frame.header
            size = before - self._decoder.buffered
            pieces.append(Piece(bytes(self._pending[:size]), header))
            del self._pending[:size]

    def feed_eof(self) -> list[Piece]:
        """What is left when the stream ends: a truncated frame, passed on as it is."""
        return self._give_up() if self._pending else []

    def _give_up(self) -> list[Piece]:
        self._opaque = True
        rest, self._pending = bytes(self._pending), bytearray()
        return [Piece(rest, None)] if rest else []
