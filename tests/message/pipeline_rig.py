"""A MessagePipeline on a real message store (the storage suite's `messages` fixture: SQLite,
PostgreSQL, PostgreSQL behind a Redis hot window) with in-memory neighbours, and a
connection that records what it is sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.runtime.storage.memory.inbox import MemoryInboxStore
from prim.runtime.storage.ports import InboxStore, MessageStore
from prim.runtime.wire.frame import Frame
from prim.services.message.after_commit import AfterCommit
from prim.services.message.pipeline import MessagePipeline
from prim.services.message.router import LocalRouter

ALICE, BOB = 10_001, 10_002
_ids = count(1)


class Seqnums:
    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    async def allocate(self, channel: str, count: int = 1) -> int:
        self._last[channel] = self._last.get(channel, 0) + count
        return self._last[channel]


class Members:
    """The social store's one call the pipeline makes: a group's member ids."""

    def __init__(self, members: Sequence[int] = ()) -> None:
        self.members = list(members)

    async def list_member_ids(self, group_id: int) -> list[int]:
        return list(self.members)


@dataclass
class Recorder:
    """A connection of the wire runtime's shape that keeps the frames it is sent."""

    user_id: int
    id: int = field(default_factory=lambda: next(_ids))
    frames: list[Frame] = field(default_factory=list)
    transport: str = "tcp"
    remote_address: str = "test:0"
    node_id: int = 1
    closed: bool = False

    def send(self, frame: Frame) -> bool:
        self.frames.append(frame)
        return True

    def send_error(self, code: ErrorCode, message: str, ref: Frame | None = None) -> bool:
        return True

    def close(self, code: ErrorCode | None = None, message: str = "") -> None:
        self.closed = True

    def be_offline(self, code: ErrorCode, message: str) -> None:
        self.closed = True


def text(body: str, *, ts: int, sender: int = ALICE, receiver: int = BOB) -> Frame:
    return Frame(type=MsgType.TEXT, sender=sender, receiver=receiver, timestamp=ts,
                 payload=body.encode())


def pipeline(messages: MessageStore, *, inbox: InboxStore | None = None,
             members: Sequence[int] = (), router: Any = None, **options: Any
             ) -> MessagePipeline:
    social: Any = options.pop("social", None) or Members(members)
    return MessagePipeline(
        seqnums=options.pop("seqnums", None) or Seqnums(), messages=messages, social=social,
        inbox=inbox or MemoryInboxStore(), router=router or LocalRouter(), node_id=1,
        clock=lambda: 1_700_000_000_000,
        after_commit=options.pop("after_commit", AfterCommit(first_delay=0.01)), **options)
