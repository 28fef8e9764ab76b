"""The WAL shipper: what the WAL holds reaches the message log (in process memory and on a
real Kafka broker), in LSN order; after a restart it is shipped again; once the
msgprocessor's group has committed past it the WAL drops it; a broker outage loses
nothing."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import pytest

from prim.runtime.storage.consumer import LogPersister
from prim.runtime.storage.factory import message_store
from prim.runtime.storage.kafka.log import KafkaMessageLog
from prim.runtime.storage.memory.log import MemoryMessageLog
from prim.runtime.storage.models import LogRecord, Message, channel_key
from prim.runtime.storage.ports import LogConsumer, LogPosition, MessageLog
from prim.runtime.storage.sqlite.db import SqliteDatabase
from prim.services.msglogger.shipper import WalShipper
from prim.services.msglogger.wal import WriteAheadLog

pytestmark = pytest.mark.anyio

#: Short group sessions so a Tansu group settles in about a second.
FAST_GROUPS = {"session_timeout_ms": 1000, "heartbeat_interval_ms": 100}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make(i: int) -> Message:
    peer = 10_001 + i % 5  # five channels: several Kafka partitions
    return Message(
        channel=channel_key(10_000, peer), seqnum=i, sender=10_000, receiver=peer, type=32,
        server_ts=1_000 + i, client_ts=900 + i, payload=f"m{i}".encode(),
    )  # fmt: skip


@pytest.fixture(params=["memory", "kafka"])
def log_kind(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    if request.param == "kafka":
        bootstrap = request.getfixturevalue("kafka_bootstrap")
        return "kafka", bootstrap, request.getfixturevalue("kafka_topic")
    return "memory", "", ""


@pytest.fixture
async def message_log(log_kind: tuple[str, str, str]) -> AsyncIterator[MessageLog]:
    kind, bootstrap, topic = log_kind
    log: MessageLog
    if kind == "kafka":
        log = await KafkaMessageLog.open(
            bootstrap, topic=topic, partitions=4, consumer_options=FAST_GROUPS
        )
    else:
        log = MemoryMessageLog()
    yield log
    await log.close()


async def eventually(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def drain_log(consumer: LogConsumer, want: int, timeout: float = 20.0) -> list[LogRecord]:
    got: list[LogRecord] = []
    deadline = time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        got += await consumer.fetch(max_records=100, timeout_ms=200)
    return got


async def append_and_notify(wal: WriteAheadLog, shipper: WalShipper, seqnums: range) -> None:
    """What the message node does: log, then hand over (concurrent senders)."""

    async def one(i: int) -> None:
        m = make(i)
        shipper.notify(await wal.append(m), m)

    await asyncio.gather(*(one(i) for i in seqnums))


def segment_count(folder: Path) -> int:
    return len(list(folder.glob("wal-*.log")))


async def test_appended_records_are_shipped_then_released_once_persisted(
    message_log: MessageLog, tmp_path: Path
) -> None:
    group = f"proc-{tmp_path.name}"
    wal = await WriteAheadLog.open(tmp_path / "wal", segment_bytes=1_000)
    shipper = WalShipper(wal, message_log, group=group, poll_interval=0.1)
    await shipper.start()
    await append_and_notify(wal, shipper, range(1, 61))
    assert await shipper.drain(timeout=20)
    assert (shipper.stats.shipped, shipper.stats.pending, shipper.stats.unreleased) == (60, 0, 60)
    assert segment_count(tmp_path / "wal") > 3
    # Nobody has persisted anything yet: nothing may be released.
    assert await shipper.release_once() == 0
    assert [lsn for lsn, _ in wal.replay()] == list(range(1, 61))

    db = await SqliteDatabase.open(str(tmp_path / "prim.db"))
    store = message_store(db)
    persister = LogPersister(message_log, store, group=group)
    deadline = time.monotonic() + 30
    while persister.stats.fetched < 60 and time.monotonic() < deadline:
        await persister.run_once(max_records=50, timeout_ms=200)
    await persister.close()
    assert persister.stats.inserted == 60
    for i in range(1, 61):
        assert await store.get(make(i).channel, i) == make(i)

    # The release loop sees the group's commits and lets the WAL drop the old segments.
    await eventually(lambda: shipper.stats.released_through == 60)
    assert wal.checkpoint == 60
    assert segment_count(tmp_path / "wal") == 1  # only the active segment is kept
    assert wal.replay() == []
    assert shipper.stats.unreleased == 0
    await shipper.stop()
    await wal.close()
    await db.close()


async def test_restart_reships_what_was_not_released(
    message_log: MessageLog, tmp_path: Path
) -> None:
    # A node logged 25 messages and died before any reached the message log.
    wal = await WriteAheadLog.open(tmp_path)
    for i in range(1, 26):
        await wal.append(make(i))
    await wal.close()

    wal = await WriteAheadLog.open(tmp_path)
    shipper = WalShipper(wal, message_log, poll_interval=0.1)
    await shipper.start()
    await append_and_notify(wal, shipper, range(26, 31))  # and it carries on
    assert await shipper.drain(timeout=20)
    consumer = await message_log.consumer(f"check-{tmp_path.name}")
    records = await drain_log(consumer, 30)
    await consumer.close()
    assert sorted(r.message.seqnum for r in records) == list(range(1, 31))
    for channel in {r.message.channel for r in records}:  # each channel in seqnum order
        ours = [r.message.seqnum for r in records if r.message.channel == channel]
        assert ours == sorted(ours)
    await shipper.stop()
    await wal.close()


async def test_restart_after_a_partial_release_reships_only_the_rest(tmp_path: Path) -> None:
    first_log = MemoryMessageLog()
    wal = await WriteAheadLog.open(tmp_path, segment_bytes=500)
    shipper = WalShipper(wal, first_log, group="proc", poll_interval=60)
    await shipper.start()
    await append_and_notify(wal, shipper, range(1, 21))
    assert await shipper.drain(timeout=10)
    consumer = await first_log.consumer("proc")
    assert len(await consumer.fetch(max_records=12)) == 12
    await consumer.commit()
    assert await shipper.release_once() == 12
    await shipper.stop()
    await wal.close()  # (a crash would leave the same on disk)

    second_log = MemoryMessageLog()
    wal = await WriteAheadLog.open(tmp_path, segment_bytes=500)
    shipper = WalShipper(wal, second_log, group="proc", poll_interval=60)
    await shipper.start()
    assert await shipper.drain(timeout=10)
    consumer = await second_log.consumer("check")
    assert [r.message.seqnum for r in await consumer.fetch()] == list(range(13, 21))
    await shipper.stop()
    await wal.close()


class ScriptedLog:
    """A MessageLog whose broker is down while ``down`` is set; records the batches it took.
    Partitions alternate 0/1 per record, offsets count up per partition."""

    def __init__(self) -> None:
        self.down = False
        self.taken: list[Message] = []
        self.attempts = 0
        self.offsets = {0: 0, 1: 0}
        self.commits: dict[int, int] = {0: 0, 1: 0}

    async def append(self, message: Message) -> LogPosition:
        return (await self.append_many([message]))[0]

    async def append_many(self, messages: Sequence[Message]) -> list[LogPosition]:
        self.attempts += 1
        await asyncio.sleep(0)
        if self.down:
            raise ConnectionError("broker unreachable")
        positions = []
        for m in messages:
            partition = len(self.taken) % 2
            positions.append(LogPosition(partition, self.offsets[partition]))
            self.offsets[partition] += 1
            self.taken.append(m)
        return positions

    async def committed(self, group: str) -> dict[int, int]:
        if self.down:
            raise ConnectionError("broker unreachable")
        return dict(self.commits)

    async def consumer(self, group: str) -> LogConsumer:
        raise NotImplementedError

    async def close(self) -> None:
        return None


async def test_an_outage_loses_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    log = ScriptedLog()
    log.down = True
    wal = await WriteAheadLog.open(tmp_path)
    # A small queue: beyond it the records are read back from the WAL.
    shipper = WalShipper(wal, log, poll_interval=0.05, batch_size=7, max_queued=10)
    await shipper.start()
    with caplog.at_level(logging.WARNING, logger="prim.services.msglogger.shipper"):
        await append_and_notify(wal, shipper, range(1, 41))
        await eventually(lambda: shipper.stats.produce_failures >= 3)
        assert shipper.stats.pending == 40
        assert shipper.stats.shipped == 0
        await append_and_notify(wal, shipper, range(41, 51))  # still taking messages
        log.down = False
        assert await shipper.drain(timeout=20)
    # Everything, once, in LSN order (= the order the node logged them).
    assert [m.seqnum for m in log.taken] == [m.seqnum for _, m in wal.replay()]
    assert sorted(m.seqnum for m in log.taken) == list(range(1, 51))
    unreachable = [
        r for r in caplog.records if r.getMessage().startswith("message log unreachable")
    ]
    assert len(unreachable) == 1  # one warning for the outage, not one per attempt
    await shipper.stop()
    await wal.close()


async def test_release_waits_for_every_partition(tmp_path: Path) -> None:
    log = ScriptedLog()
    wal = await WriteAheadLog.open(tmp_path)
    shipper = WalShipper(wal, log, poll_interval=60)
    await shipper.start()
    await append_and_notify(wal, shipper, range(1, 9))
    assert await shipper.drain(timeout=10)
    # LSN 1,3,5,7 -> partition 0 offsets 0..3; LSN 2,4,6,8 -> partition 1 offsets 0..3.
    log.commits = {0: 3, 1: 1}  # LSNs 1,3,5 and 2 are persisted; 4 is not
    assert await shipper.release_once() == 3
    log.commits = {0: 3, 1: 4}  # now 7 holds it back
    assert await shipper.release_once() == 6
    log.down = True
    with pytest.raises(ConnectionError):
        await shipper.release_once()
    log.down = False
    log.commits = {0: 4, 1: 4}
    assert await shipper.release_once() == 8
    assert wal.checkpoint == 8
    await shipper.stop()
    await wal.close()


async def test_records_never_notified_are_read_back_from_the_wal(tmp_path: Path) -> None:
    log = ScriptedLog()
    wal = await WriteAheadLog.open(tmp_path)
    shipper = WalShipper(wal, log, poll_interval=0.05)
    await shipper.start()
    for i in range(1, 6):
        await wal.append(make(i))  # a node that forgot notify()
    m = make(6)
    shipper.notify(await wal.append(m), m)  # ... except for the last one
    await eventually(lambda: len(log.taken) == 6)
    assert [m.seqnum for m in log.taken] == [1, 2, 3, 4, 5, 6]
    await shipper.stop()
    await wal.close()


async def test_stop_gives_up_on_an_unreachable_broker_and_keeps_the_wal(
    tmp_path: Path,
) -> None:
    log = ScriptedLog()
    log.down = True
    wal = await WriteAheadLog.open(tmp_path)
    shipper = WalShipper(wal, log, poll_interval=0.05)
    await shipper.start()
    await append_and_notify(wal, shipper, range(1, 11))
    started = time.monotonic()
    await shipper.stop(timeout=0.3)
    assert time.monotonic() - started < 10
    assert log.taken == []
    await wal.close()
    wal = await WriteAheadLog.open(tmp_path)
    assert [m.seqnum for _, m in wal.replay()] == list(range(1, 11))
    await wal.close()


async def test_stop_ships_what_is_queued(tmp_path: Path) -> None:
    log = ScriptedLog()
    wal = await WriteAheadLog.open(tmp_path)
    shipper = WalShipper(wal, log, poll_interval=60)
    await shipper.start()
    await append_and_notify(wal, shipper, range(1, 101))
    await shipper.stop(timeout=10)
    assert sorted(m.seqnum for m in log.taken) == list(range(1, 101))
    await wal.close()
