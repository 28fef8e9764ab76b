"""Contract: MessageLog in process memory and on Kafka (a Tansu broker)."""

from __future__ import annotations

import time

import pytest

from prim.runtime.storage.models import LogRecord, Message, channel_key
from prim.runtime.storage.ports import LogConsumer, MessageLog

pytestmark = pytest.mark.anyio


def make(i: int, peer: int) -> Message:
    return Message(
        channel=channel_key(10_000, peer), seqnum=i, sender=10_000, receiver=peer, type=32,
        server_ts=1_000 + i, client_ts=900 + i, payload=f"m{i}".encode(), extension=b"e",
    )  # fmt: skip


async def drain(consumer: LogConsumer, want: int, timeout: float = 15.0) -> list[LogRecord]:
    """Fetches until ``want`` records came (or the deadline); Kafka group joins take a moment."""
    got: list[LogRecord] = []
    deadline = time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        got += await consumer.fetch(max_records=100, timeout_ms=200)
    return got


async def test_append_then_consume_in_channel_order(message_log: MessageLog) -> None:
    sent = [make(i // 3 + 1, 10_001 + i % 3) for i in range(30)]  # 3 channels, seqnums 1..10
    for m in sent:
        await message_log.append(m)
    consumer = await message_log.consumer("g-order")
    records = await drain(consumer, len(sent))
    await consumer.close()
    assert sorted((r.message.channel, r.message.seqnum) for r in records) == sorted(
        (m.channel, m.seqnum) for m in sent
    )
    assert {r.message for r in records} == set(sent)  # every field survives the trip
    for channel in {m.channel for m in sent}:
        ours = [r for r in records if r.message.channel == channel]
        assert [r.message.seqnum for r in ours] == list(range(1, 11))
        assert len({r.partition for r in ours}) == 1  # one channel, one partition


async def test_commit_and_resume(message_log: MessageLog) -> None:
    for i in range(1, 11):
        await message_log.append(make(i, 10_001))
    first = await message_log.consumer("g-resume")
    assert len(await drain(first, 10)) == 10
    await first.commit()
    await first.close()

    for i in range(11, 16):
        await message_log.append(make(i, 10_001))
    second = await message_log.consumer("g-resume")
    resumed = await drain(second, 5)
    assert [r.message.seqnum for r in resumed] == [11, 12, 13, 14, 15]
    # Not committed: a crash now means the next member gets them again (at least once).
    await second.close()
    third = await message_log.consumer("g-resume")
    again = await drain(third, 5)
    assert [r.message.seqnum for r in again] == [11, 12, 13, 14, 15]
    await third.commit()
    await third.close()

    # Each group has its own position: a new group reads from the start.
    other = await message_log.consumer("g-other")
    assert len(await drain(other, 15)) == 15
    await other.close()


async def test_fetch_times_out_empty(message_log: MessageLog) -> None:
    consumer = await message_log.consumer("g-empty")
    start = time.monotonic()
    assert await consumer.fetch(timeout_ms=300) == []
    assert time.monotonic() - start < 10
    await consumer.close()


async def test_append_returns_where_the_record_landed(message_log: MessageLog) -> None:
    sent = [make(i // 3 + 1, 10_001 + i % 3) for i in range(12)]
    positions = [await message_log.append(m) for m in sent[:6]]
    positions += await message_log.append_many(sent[6:])
    assert len(positions) == len(sent)
    assert len(set(positions)) == len(sent)  # each record has its own place
    # One channel stays in one partition, at rising offsets.
    for channel in {m.channel for m in sent}:
        ours = [p for m, p in zip(sent, positions, strict=True) if m.channel == channel]
        assert len({p.partition for p in ours}) == 1
        assert [p.offset for p in ours] == sorted(p.offset for p in ours)

    consumer = await message_log.consumer("g-positions")
    records = await drain(consumer, len(sent))
    await consumer.close()
    landed = {(r.partition, r.offset): r.message for r in records}
    assert {p: landed.get((p.partition, p.offset)) for p in positions} == dict(
        zip(positions, sent, strict=True)
    )
    assert await message_log.append_many([]) == []


async def test_committed_is_the_next_offset_the_group_reads(message_log: MessageLog) -> None:
    assert set((await message_log.committed("g-committed")).values()) <= {0}
    positions = await message_log.append_many([make(i, 10_001 + i % 2) for i in range(1, 9)])
    consumer = await message_log.consumer("g-committed")
    assert len(await drain(consumer, 8)) == 8
    assert set((await message_log.committed("g-committed")).values()) <= {0}  # not yet
    await consumer.commit()
    await consumer.close()

    committed = await message_log.committed("g-committed")
    for p in positions:
        assert p.offset < committed[p.partition]
    for partition in {p.partition for p in positions}:
        assert committed[partition] == 1 + max(
            p.offset for p in positions if p.partition == partition
        )
    # Another group's position is its own.
    assert set((await message_log.committed("g-elsewhere")).values()) <= {0}
