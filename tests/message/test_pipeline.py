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
from prim.runtime.storage.models import GROUP_ID_BASE, InsertResult, Message, channel_key
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


async def count_turns(ticks: list[int]) -> None:
    """Counts the turns of the event loop in ticks[0], until cancelled."""
    while True:
        ticks[0] += 1
        await asyncio.sleep(0)


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


class HeldWriter:
    """A durable writer whose writes complete when the test says so, as a group commit's
    do: several at once, from its own step of the loop."""

    detects_duplicates = True

    def __init__(self) -> None:
        self.held: list[tuple[Message, asyncio.Future[InsertResult]]] = []

    def enqueue(self, message: Message) -> asyncio.Future[InsertResult]:
        future: asyncio.Future[InsertResult] = asyncio.get_running_loop().create_future()
        self.held.append((message, future))
        return future

    def complete_all(self) -> None:
        for message, future in self.held:
            future.set_result(InsertResult(seqnum=message.seqnum, inserted=True))
        self.held.clear()

    async def drain(self) -> None:
        self.complete_all()


@pytest.mark.parametrize("receiver", [BOB, GROUP], ids=["pair", "group"])
async def test_deliveries_follow_the_write_order_whenever_the_senders_tasks_run(
    messages: MessageStore, receiver: int,  # noqa: F811
) -> None:
    # The second message's task has not run yet when both writes complete, while the
    # first one's already waits: a delivery made by the task that resumes first would put
    # 2 before 1 (seen under load with the embedded group commit: 25 delivered before 21).
    router = LocalRouter()
    bob = Recorder(BOB)
    router.add(BOB, bob)
    writer = HeldWriter()
    p = pipeline(messages, router=router, members=[ALICE, BOB], writer=writer)
    first = await p.accept(text("m1", ts=101, receiver=receiver), device="d")
    await asyncio.sleep(0)  # the first message's task waits for its write
    second = await p.accept(text("m2", ts=102, receiver=receiver), device="d")
    writer.complete_all()
    assert [(await first).seqnum, (await second).seqnum] == [1, 2]
    await p.stop()
    assert [f.payload for f in bob.frames] == [b"m1", b"m2"]


class SlowSeqnums:
    """A seqnum service across the network: each answer takes a while; counts how many
    calls are waiting at once."""

    def __init__(self) -> None:
        self.last = 0
        self.waiting = 0
        self.most_waiting = 0

    async def allocate(self, channel: str, count: int = 1) -> int:
        self.last += count  # handed out in call order
        first = self.last - count + 1
        self.waiting += 1
        self.most_waiting = max(self.most_waiting, self.waiting)
        await asyncio.sleep(0.01)
        self.waiting -= 1
        return first


class LogWriter(HeldWriter):
    """An append-only log: it takes every record, so the store is asked about resends."""

    detects_duplicates = False

    def enqueue(self, message: Message) -> asyncio.Future[InsertResult]:
        future = super().enqueue(message)
        asyncio.get_running_loop().call_soon(self.complete_all)
        return future


async def test_overlapping_numbering_keeps_one_senders_order(
    messages: MessageStore,  # noqa: F811
) -> None:
    # A cluster node: one sender's window of frames is numbered concurrently (store
    # lookup, remote seqnum call) instead of one round trip after another, and still
    # gets its numbers, writes and deliveries in the order it sent.
    router = LocalRouter()
    bob = Recorder(BOB)
    router.add(BOB, bob)
    seqnums = SlowSeqnums()
    p = pipeline(messages, router=router, writer=LogWriter(), seqnums=seqnums,
                 overlap_numbering=True)
    futures = [await p.accept(text(f"m{i}", ts=100 + i), device="d") for i in range(20)]
    results = [await f for f in futures]
    await p.stop()
    assert [r.seqnum for r in results] == list(range(1, 21))
    assert [f.payload for f in bob.frames] == [f"m{i}".encode() for i in range(20)]
    assert seqnums.most_waiting > 1  # the numbering overlapped


async def test_a_big_group_is_fanned_out_in_chunks(
    messages: MessageStore,  # noqa: F811
) -> None:
    ticks = [0]
    router = ChunkRouter(ticks)
    members = list(range(20_000, 20_000 + 1000))
    p = pipeline(messages, router=router, members=members, fanout_chunk=256)
    running = asyncio.create_task(count_turns(ticks))
    try:
        await p.submit(text("hello all", ts=13, receiver=GROUP), device="d")
        await p.stop()
    finally:
        running.cancel()
    assert [size for size, _ in router.calls] == [256, 256, 256, 232]
    seen = [tick for _, tick in router.calls]
    assert all(a < b for a, b in itertools.pairwise(seen))  # the loop ran between


async def test_group_messages_queued_together_reach_each_member_together(
    messages: MessageStore,  # noqa: F811
) -> None:
    # A flood into a big group: the messages waiting for the fan-out go out slice by
    # slice of members, each slice getting all of them in order before the loop runs
    # others, so a member's connection writes them at once (a few packets, not one
    # packet and one ACK per message). Every member still gets every message, in order,
    # and a loop turn still carries at most the chunk's worth of deliveries.
    ticks = [0]
    router = ChunkRouter(ticks)
    members = list(range(20_000, 20_000 + 1000))
    turns: dict[int, set[int]] = {m: set() for m in members}

    class TurnRecorder(Recorder):
        def send(self, frame: Frame) -> bool:
            turns[self.user_id].add(ticks[0])
            return super().send(frame)

    recorders = [TurnRecorder(m) for m in members]
    for recorder in recorders:
        router.add(recorder.user_id, recorder)
    p = pipeline(messages, router=router, social=SlowMembers(members), fanout_chunk=256)
    running = asyncio.create_task(count_turns(ticks))
    try:
        pending = [await p.accept(text(f"m{i}", ts=30 + i, receiver=GROUP), device="d")
                   for i in range(16)]
        await asyncio.gather(*pending)
        await p.stop()
    finally:
        running.cancel()
    for recorder in recorders:
        assert [f.seqnum for f in recorder.frames] == list(range(1, 17))
    per_turn: dict[int, int] = {}
    for size, tick in router.calls:
        per_turn[tick] = per_turn.get(tick, 0) + size
    assert max(per_turn.values()) <= 256
    # One loop turn per message would be 16 turns per member; the first message may go
    # out alone, before the others were queued.
    assert max(len(t) for t in turns.values()) <= 3


class CountingInboxes(MemoryInboxStore):
    """Counts the inbox entries written."""

    def __init__(self) -> None:
        super().__init__()
        self.written = 0

    async def record_inbox(self, user_id: int, peer_id: int, seqnum: int, ts: int) -> None:
        self.written += 1
        await super().record_inbox(user_id, peer_id, seqnum, ts)


async def test_a_group_message_writes_one_inbox_entry_whatever_the_groups_size(
    messages: MessageStore,  # noqa: F811
) -> None:
    members = [ALICE, BOB, *range(20_000, 20_500)]
    inbox = CountingInboxes()
    p = pipeline(messages, inbox=inbox, members=members)
    for i in range(3):
        await p.submit(text(f"to all {i}", ts=20 + i, receiver=GROUP), device="d")
    await p.stop()
    # The group's news, at most once per message (messages fanned out together share
    # one): not once per member.
    assert 1 <= inbox.written <= 3
    for member in (BOB, 20_499):
        entries = (await inbox.get_inbox(member, 0, groups={GROUP: 0})).items
        assert [(e.peer_id, e.last_seqnum) for e in entries] == [(GROUP, 3)]
