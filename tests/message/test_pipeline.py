"""The pipeline after the commit and in group fan-out, on every message store: what follows
a durable write is never reported as a failed send (inbox writes are retried, delivery
errors logged), a group's messages are delivered in seqnum order even when the fan-out
queue is full, and a big group is fanned out in chunks with the loop served in between."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable

import pytest

from prim.runtime.storage.memory.inbox import MemoryInboxStore
from prim.runtime.storage.models import GROUP_ID_BASE, channel_key
from prim.runtime.storage.ports import MessageStore
from prim.runtime.wire.frame import Frame
from prim.services.message.router import LocalRouter
from tests.message.pipeline_rig import ALICE, BOB, Members, Recorder, pipeline, text
from tests.storage.conftest import message_kind, messages  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anyio
GROUP = GROUP_ID_BASE + 42


class FlakyInboxes(MemoryInboxStore):
    """An inbox store whose first `failures` inbox writes fail."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def record_inbox(self, user_id: int, peer_id: int, seqnum: int, ts: int) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("redis went away")
        await super().record_inbox(user_id, peer_id, seqnum, ts)


class SlowMembers(Members):
    """A member lookup that takes a moment, as a database's does."""

    async def list_member_ids(self, group_id: int) -> list[int]:
        await asyncio.sleep(0.001)
        return await super().list_member_ids(group_id)


class BrokenRouter(LocalRouter):
    def deliver(self, user_ids: Iterable[int], frame: Frame, *,
                skip_connection: int = 0) -> int:
        raise RuntimeError("the router broke")


class ChunkRouter(LocalRouter):
    """Records the size of each delivery and how often the loop ran others before it."""

    def __init__(self, ticks: list[int]) -> None:
        super().__init__()
        self.ticks = ticks
        self.calls: list[tuple[int, int]] = []

    def deliver(self, user_ids: Iterable[int], frame: Frame, *,
                skip_connection: int = 0) -> int:
        users = list(user_ids)
        self.calls.append((len(users), self.ticks[0]))
        return super().deliver(users, frame, skip_connection=skip_connection)


async def test_failed_inbox_writes_do_not_fail_the_send(
    messages: MessageStore,  # noqa: F811
) -> None:
    inbox = FlakyInboxes(failures=3)
    p = pipeline(messages, inbox=inbox)
    sent = await p.submit(text("hello", ts=10), device="phone")  # no error: it is stored
    assert (sent.seqnum, sent.duplicate) == (1, False)
    await p.stop()  # waits for the background retries
    for user, peer in ((BOB, ALICE), (ALICE, BOB)):
        entries = (await inbox.get_inbox(user, 0)).items
        assert [(e.peer_id, e.last_seqnum) for e in entries] == [(peer, 1)]


async def test_delivery_errors_are_logged_not_raised(
    messages: MessageStore,  # noqa: F811
) -> None:
    p = pipeline(messages, router=BrokenRouter(), members=[ALICE, BOB])
    assert (await p.submit(text("one to one", ts=11), device="d")).seqnum == 1
    group = await p.submit(text("to the group", ts=12, receiver=GROUP), device="d")
    await p.stop()
    assert group.seqnum == 1
    assert await messages.last_seqnum(channel_key(ALICE, BOB)) == 1
    assert await messages.last_seqnum(channel_key(ALICE, GROUP)) == 1


async def test_a_full_fanout_queue_keeps_a_groups_order(
    messages: MessageStore,  # noqa: F811
) -> None:
    router = LocalRouter()
    bob = Recorder(BOB)
    router.add(BOB, bob)
    p = pipeline(messages, router=router, members=[ALICE, BOB], fanout_queue=1,
                 social=SlowMembers([ALICE, BOB]))

    async def send(i: int) -> int:
        # Staggered, so that commits finish while the worker frees a slot: a message that
        # finds the queue full must keep its place before the next one.
        await asyncio.sleep(i * 0.0003)
        sent = await p.submit(text(f"m{i}", ts=100 + i, receiver=GROUP), device="d")
        return sent.seqnum

    seqnums = await asyncio.gather(*(send(i) for i in range(60)))
    await p.stop()
    assert sorted(seqnums) == list(range(1, 61))
    assert [f.seqnum for f in bob.frames] == sorted(f.seqnum for f in bob.frames)
    assert len(bob.frames) == 60


async def test_a_big_group_is_fanned_out_in_chunks(
    messages: MessageStore,  # noqa: F811
) -> None:
    ticks = [0]

    async def ticker() -> None:
        while True:
            ticks[0] += 1
            await asyncio.sleep(0)

    router = ChunkRouter(ticks)
    members = list(range(20_000, 20_000 + 1000))
    p = pipeline(messages, router=router, members=members, fanout_chunk=256)
    running = asyncio.create_task(ticker())
    try:
        await p.submit(text("hello all", ts=13, receiver=GROUP), device="d")
        await p.stop()
    finally:
        running.cancel()
    assert [size for size, _ in router.calls] == [256, 256, 256, 232]
    seen = [tick for _, tick in router.calls]
    assert all(a < b for a, b in itertools.pairwise(seen))  # the loop ran between


