"""A connection's answers (Acks and Errors) in the order of the frames they answer.

The gateway does not wait for one message's durable write before taking the next frame of
the same connection (pipeline.accept): a window of sends shares a commit. Their Acks still
leave in the order the frames came, and an Error for a later frame waits behind the Acks
of earlier ones. At most `window` answers wait per connection; past that, the connection's
next frame waits for room (and, behind it, the server stops reading from it).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.runtime.errors import ApiError
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.handler import Connection
from prim.services.message.metrics import MessageMetrics
from prim.services.message.pipeline import Sequenced
from prim.services.message.wire_frames import ack_payload

log = logging.getLogger("prim.message.gateway")

DEFAULT_WINDOW = 256


@dataclass(slots=True)
class _Answer:
    frame: Frame  # the frame answered
    result: asyncio.Future[Sequenced] | None  # an Ack once it resolves
    error: ApiError | None = None  # else this Error


class OrderedReplies:
    def __init__(self, conn: Connection, *, node_id: int, metrics: MessageMetrics,
                 window: int = DEFAULT_WINDOW) -> None:
        self._conn = conn
        self._node_id = node_id
        self._metrics = metrics
        self._window = window
        self._waiting: deque[_Answer] = deque()
        self._room = asyncio.Event()
        self._room.set()

    async def room(self) -> None:
        """Waits while `window` answers are still to go out."""
        while len(self._waiting) >= self._window:
            self._room.clear()
            await self._room.wait()

    def ack_when_durable(self, frame: Frame, result: asyncio.Future[Sequenced]) -> None:
        self._waiting.append(_Answer(frame, result))
        if result.done():
            self._flush()
        else:
            result.add_done_callback(lambda _: self._flush())

    def refuse(self, frame: Frame, error: ApiError) -> None:
        self._waiting.append(_Answer(frame, None, error))
        self._flush()

    def _flush(self) -> None:
        waiting = self._waiting
        while waiting:
            head = waiting[0]
            if head.result is not None and not head.result.done():
                break
            waiting.popleft()
            self._send(head)
        if len(waiting) < self._window:
            self._room.set()

    def _send(self, answer: _Answer) -> None:
        frame, error = answer.frame, answer.error
        if answer.result is not None:
            if answer.result.cancelled():
                return
            failure = answer.result.exception()
            if failure is None:
                result = answer.result.result()
                self._conn.send(Frame(
                    type=MsgType.ACK, sender=frame.sender, receiver=frame.receiver,
                    timestamp=frame.timestamp, seqnum=result.seqnum, node_id=self._node_id,
                    payload=ack_payload(result.server_ts, result.duplicate)))
                self._metrics.acked(result.duplicate)
                return
            if isinstance(failure, ApiError):
                error = failure
            else:
                log.error("message from %s to %s failed after it was accepted",
                          frame.sender, frame.receiver, exc_info=failure)
                error = ApiError(ErrorCode.INTERNAL, "the server failed to process this frame")
        assert error is not None
        self._metrics.refused(error.code)
        self._conn.send_error(error.code, error.message, ref=frame)
