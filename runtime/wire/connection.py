"""The sans-IO connection core shared by the server and the client side.

Design
------
Like h11 and aioquic, a connection is a plain object with no I/O and no clock of its own:
the driver hands it the bytes it read (`receive_data`), the end of the stream
(`receive_eof`) and the time (`handle_timer(now)` at `get_timer()`), and takes from it the
bytes to write (`data_to_send`) and the events for the application (`events()`). The
protocol rules of spec/PROTOCOL.md section 3 (Auth first, Ping/Pong, Echo, idle timeout,
sender check, Error-then-close) therefore live in one place, tested without sockets, and
the asyncio and trio drivers of both transports (QUIC, TLS over TCP) stay thin.

Outgoing frames wait in a bounded queue until the driver pulls them, and drivers pull only
as much as their transport can take without buffering without bound (aioquic buffers
everything it is given). A peer that does not read therefore fills this queue, at which
point sends are refused and a `SendQueueFull` event tells the driver, which closes the
connection rather than hold unbounded memory for it.

`ServerConnection` (server_connection.py) and `ClientConnection` (client_connection.py)
add each side's state machine on top of this class.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.generated.wire import PROTOCOL_VERSION
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.errors import FrameError
from prim.runtime.wire.events import ConnectionClosed, Event, SendQueueFull
from prim.runtime.wire.frame import Frame, encode_frame


class FrameConnection:
    """Framing, the bounded send queue, events and closing; subclasses add the rules."""

    def __init__(
        self,
        max_payload_length: int,
        max_send_queue_frames: int,
        max_send_queue_bytes: int,
        version: int = PROTOCOL_VERSION,
    ) -> None:
        self._decoder = FrameDecoder(max_payload_length)
        # The protocol version every frame this side sends carries (see _enqueue).
        self._version = version
        self._max_queue_frames = max_send_queue_frames
        self._max_queue_bytes = max_send_queue_bytes
        self._events: list[Event] = []
        self._queue: deque[bytes] = deque()
        self._queued_bytes = 0
        self._head_offset = 0  # bytes of _queue[0] already handed out
        self._closed: ConnectionClosed | None = None

    # -- driver interface -------------------------------------------------------------

    def receive_data(self, data: bytes, now: float) -> None:
        """Bytes read from the transport, in order."""
        if self._closed is not None or not data:
            return
        self._on_bytes(now)
        self._decoder.feed(data)
        self._drain_decoder(now)

    def mark_activity(self, now: float) -> None:
        """Bytes arrived that the driver holds back for now (they still count as activity)."""
        if self._closed is None:
            self._on_bytes(now)

    def receive_eof(self, now: float) -> None:
        """The peer ended its direction of the stream."""
        if self._closed is not None:
            return
        try:
            self._decoder.feed_eof()
        except FrameError as exc:
            # A frame cut short: say so (on QUIC the other direction is still open).
            self._handle_frame_error(exc, now)
        self._close(self._peer_close_code(),
                    self._peer_close_reason("peer closed the connection"), by_peer=True)

    def connection_lost(self, reason: str) -> None:
        """The transport failed or was closed underneath the core."""
        if self._closed is None:
            self._close(self._peer_close_code(), self._peer_close_reason(reason), by_peer=True)

    def events(self) -> list[Event]:
        """The events since the last call, oldest first."""
        out, self._events = self._events, []
        return out

    def data_to_send(self, limit: int | None = None) -> bytes:
        """Up to `limit` bytes (all when None) of queued frames, removed from the queue."""
        if not self._queue:
            return b""
        chunks: list[bytes] = []
        budget = self._queued_bytes if limit is None else min(limit, self._queued_bytes)
        taken = 0
        while self._queue and taken < budget:
            head = self._queue[0]
            start = self._head_offset
            rest = len(head) - start
            if rest <= budget - taken:
                chunks.append(head[start:] if start else head)
                self._queue.popleft()
                self._head_offset = 0
                taken += rest
            else:
                stop = start + budget - taken
                chunks.append(head[start:stop])
                self._head_offset = stop
                taken = budget
        self._queued_bytes -= taken
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def get_timer(self) -> float | None:
        """When `handle_timer` must next be called (the driver's clock), or None."""
        return None

    def handle_timer(self, now: float) -> None:
        """Run whatever is due at `now`."""

    @property
    def queued_frames(self) -> int:
        return len(self._queue)

    @property
    def queued_bytes(self) -> int:
        return self._queued_bytes

    @property
    def closed(self) -> bool:
        return self._closed is not None

    @property
    def close_event(self) -> ConnectionClosed | None:
        return self._closed

    @property
    def finished(self) -> bool:
        """Closed and every queued byte handed to the driver: the transport may close."""
        return self._closed is not None and not self._queue

    # -- for subclasses ---------------------------------------------------------------

    def _on_bytes(self, now: float) -> None:
        """Bytes arrived (before they are decoded)."""

    def _handle_frame(self, frame: Frame, now: float) -> None:
        raise NotImplementedError

    def _handle_frame_error(self, error: FrameError, now: float) -> None:
        raise NotImplementedError

    def _peer_close_code(self) -> ErrorCode | None:
        return None

    def _peer_close_reason(self, reason: str) -> str:
        return reason

    def _drain_decoder(self, now: float) -> None:
        while self._closed is None:
            try:
                frame = self._decoder.next_frame()
            except FrameError as exc:
                self._handle_frame_error(exc, now)
                if exc.fatal:
                    return
                continue
            if frame is None:
                return
            self._handle_frame(frame, now)

    def _enqueue(self, frame: Frame, force: bool = False) -> bool:
        """Queue `frame`; False (and SendQueueFull) when the queue is at its limits.

        `force` skips the limits, for the one Error frame sent while closing."""
        # One version per connection, whoever made the frame (the server answers in the
        # client's version, PRIM's 0 included).
        if frame.version != self._version:
            frame = replace(frame, version=self._version)
        # Outgoing frames are held to the field widths only; max_payload_length is what
        # this side accepts.
        data = _LAST_ENCODED.bytes_of(frame)
        if not force and (
            len(self._queue) >= self._max_queue_frames
            or self._queued_bytes + len(data) > self._max_queue_bytes
        ):
            self._events.append(SendQueueFull(len(self._queue), self._queued_bytes))
            return False
        self._queue.append(data)
        self._queued_bytes += len(data)
        return True

    def _error_frame(
        self,
        code: ErrorCode,
        message: str,
        *,
        receiver: int = 0,
        node_id: int = 0,
        timestamp: int = 0,
        ref: Frame | None = None,
        frame_type: int = MsgType.ERROR,
    ) -> Frame:
        error = Error(
            code=code,
            message=message,
            ref_timestamp_ms=ref.timestamp if ref is not None else 0,
            ref_seqnum=ref.seqnum if ref is not None else 0,
        )
        return Frame(
            type=frame_type,
            receiver=receiver,
            node_id=node_id,
            timestamp=timestamp,
            payload=bytes(error),
        )

    def _close(self, code: ErrorCode | None, reason: str, by_peer: bool) -> None:
        if self._closed is not None:
            return
        self._closed = ConnectionClosed(code=code, reason=reason, by_peer=by_peer)
        self._events.append(self._closed)

    def _discard_queue(self) -> None:
        self._queue.clear()
        self._queued_bytes = 0
        self._head_offset = 0


class _LastEncoded:
    """A frame fanned out to many connections (a group message to its members, one delivery
    to a user's devices) is encoded once: the last frame encoded is kept with its bytes.
    Frames are immutable, so the same object always has the same bytes."""

    __slots__ = ("_bytes", "_frame")

    def __init__(self) -> None:
        self._frame: Frame | None = None
        self._bytes = b""

    def bytes_of(self, frame: Frame) -> bytes:
        if frame is not self._frame:
            self._bytes = encode_frame(frame)
            self._frame = frame
        return self._bytes


_LAST_ENCODED = _LastEncoded()
