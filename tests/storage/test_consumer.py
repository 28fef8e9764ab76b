"""The msgprocessor consumer: the log copied into the message store at most once, even when
the log is read twice (Kafka -> PostgreSQL, and the embedded in-process log -> SQLite)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Sequence

import pytest

from prim.runtime.storage.consumer import LogPersister, PersistStats
from prim.runtime.storage.factory import Database, message_store
from prim.runtime.storage.kafka.log import KafkaMessageLog
from prim.runtime.storage.memory.inbox import MemoryInboxStore
from prim.runtime.storage.memory.log import MemoryMessageLog
from prim.runtime.storage.models import Message, channel_key
from prim.runtime.storage.ports import MessageLog, MessageStore
from prim.services.message.inboxes import InboxRecorder

from .conftest import FAST_GROUPS, _open_db

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["kafka->postgres", "memory->sqlite"])
def pipeline_kind(request: pytest.FixtureRequest, tmp_path: object) -> dict[str, str]:
    if request.param == "kafka->postgres":
        return {
            "kafka": request.getfixturevalue("kafka_bootstrap"),
            "topic": request.getfixturevalue("kafka_topic"),
            "postgres": request.getfixturevalue("postgres_dsn"),
        }
    return {"sqlite": f"{tmp_path}/prim.db"}


@pytest.fixture
async def pipeline(
    pipeline_kind: dict[str, str],
) -> AsyncIterator[tuple[MessageLog, MessageStore, Database]]:
    log: MessageLog
    if "kafka" in pipeline_kind:
        log = await KafkaMessageLog.open(
            pipeline_kind["kafka"], topic=pipeline_kind["topic"], partitions=4,
            consumer_options=FAST_GROUPS,
        )  # fmt: skip
        db = await _open_db("postgres", pipeline_kind["postgres"])
    else:
        log = MemoryMessageLog()
        db = await _open_db("sqlite", pipeline_kind["sqlite"])
    yield log, message_store(db), db
    await log.close()
    await db.close()


def make(i: int, peer: int) -> Message:
    return Message(
        channel=channel_key(10_000, peer), seqnum=i, sender=10_000, receiver=peer, type=32,
        server_ts=5_000 + i, client_ts=4_000 + i, payload=f"m{i}".encode(),
    )  # fmt: skip


async def persist_until(persister: LogPersister, fetched: int, timeout: float = 20) -> PersistStats:
    total = PersistStats()
    deadline = time.monotonic() + timeout
    while total.fetched < fetched and time.monotonic() < deadline:
        total.add(await persister.run_once(max_records=50, timeout_ms=200))
    return total


async def count_rows(db: Database) -> int:
    if hasattr(db, "pool"):
        return int(await db.pool.fetchval("SELECT COUNT(*) FROM messages"))
    return int(await db.run(lambda c: c.execute("SELECT COUNT(*) FROM messages").fetchone()[0]))


async def test_replaying_the_log_writes_nothing_twice(
    pipeline: tuple[MessageLog, MessageStore, Database],
) -> None:
    log, store, db = pipeline
    sent = [make(i // 4 + 1, 10_001 + i % 4) for i in range(40)]
    for m in sent:
        await log.append(m)
    # A client resend that the gateway logged a second time under a new seqnum, and a
    # record the producer retried (same record twice): both at-least-once artefacts.
    await log.append(dataclasses.replace(sent[0], seqnum=99))
    await log.append(sent[1])

    persisted: list[Message] = []

    async def on_persisted(batch: list[Message]) -> None:
        persisted.extend(batch)

    first = LogPersister(log, store, group="proc-a", on_persisted=on_persisted)
    stats = await persist_until(first, 42)
    await first.close()
    assert (stats.fetched, stats.inserted, stats.duplicates, stats.conflicts) == (42, 40, 2, 0)
    # The record logged twice reaches the inbox again (harmless: inbox writes only move
    # forward); the resend under seqnum 99 never does (the store holds it as #1).
    assert {(m.channel, m.seqnum) for m in persisted} == {(m.channel, m.seqnum) for m in sent}
    assert await count_rows(db) == 40

    # Read the whole log again (a second group starts from the beginning).
    replay = LogPersister(log, store, group="proc-b")
    again = await persist_until(replay, 42)
    await replay.close()
    assert (again.fetched, again.inserted, again.duplicates) == (42, 0, 42)
    assert await count_rows(db) == 40
    for m in sent:
        assert await store.get(m.channel, m.seqnum) == m
    assert await store.get(sent[0].channel, 99) is None


async def test_uncommitted_batch_is_redelivered_and_deduplicated(
    pipeline: tuple[MessageLog, MessageStore, Database],
) -> None:
    log, store, db = pipeline
    for i in range(1, 6):
        await log.append(make(i, 10_001))
    # A processor that wrote the batch but died before committing:
    consumer = await log.consumer("proc")
    got: list[Message] = []
    deadline = time.monotonic() + 20
    while len(got) < 5 and time.monotonic() < deadline:
        got += [r.message for r in await consumer.fetch(timeout_ms=200)]
    await store.insert_many(got)
    await consumer.close()  # no commit

    successor = LogPersister(log, store, group="proc")
    stats = await persist_until(successor, 5)
    assert (stats.fetched, stats.inserted, stats.duplicates) == (5, 0, 5)
    # Then it carries on with new records.
    await log.append(make(6, 10_001))
    stats = await persist_until(successor, 1)
    await successor.close()
    assert stats.inserted == 1
    assert await count_rows(db) == 6


async def test_conflicting_record_is_skipped_not_blocking(
    pipeline: tuple[MessageLog, MessageStore, Database],
) -> None:
    log, store, _db = pipeline
    await log.append(make(1, 10_001))
    await log.append(dataclasses.replace(make(1, 10_001), client_ts=1, payload=b"impostor"))
    await log.append(make(2, 10_001))
    persister = LogPersister(log, store, group="proc")
    stats = await persist_until(persister, 3)
    await persister.close()
    assert (stats.inserted, stats.conflicts) == (2, 1)
    assert (await store.get(make(1, 10_001).channel, 1)) == make(1, 10_001)


class _FailsOnce:
    """A message store whose first batch write fails (a database restart, say)."""

    def __init__(self, store: MessageStore) -> None:
        self._store = store
        self.failed = False

    async def insert_many(self, messages: list[Message]) -> object:
        if not self.failed:
            self.failed = True
            raise ConnectionError("the database went away")
        return await self._store.insert_many(messages)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


async def test_a_batch_that_failed_to_persist_is_fetched_again(
    pipeline: tuple[MessageLog, MessageStore, Database],
) -> None:
    log, store, db = pipeline
    sent = [make(i, 10_001) for i in range(1, 11)]
    for m in sent[:5]:
        await log.append(m)
    flaky = _FailsOnce(store)
    persister = LogPersister(log, flaky, group="proc-flaky")  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        await persist_until(persister, 1)
    for m in sent[5:]:
        await log.append(m)
    # The next batches must start with the failed one; committing past it would lose it.
    await persist_until(persister, 10)
    await persister.close()
    assert flaky.failed
    for m in sent:
        assert await store.get(m.channel, m.seqnum) == m
    assert await count_rows(db) == 10


class _CountingInbox(MemoryInboxStore):
    """The memory inbox, counting its writes and failing the first when asked to."""

    def __init__(self, *, fail_first: bool = False) -> None:
        super().__init__()
        self.writes = 0
        self.fail_first = fail_first

    async def record_inbox_entries(self, entries: Sequence[tuple[int, int, int, int]]) -> None:
        self.writes += 1
        if self.fail_first:
            self.fail_first = False
            raise ConnectionError("the inbox store went away")
        await super().record_inbox_entries(entries)


async def test_a_batch_reaches_the_inboxes_in_one_write(
    pipeline: tuple[MessageLog, MessageStore, Database],
) -> None:
    log, store, _ = pipeline
    sent = [make(i, 10_001 + i % 3) for i in range(1, 41)]
    for m in sent:
        await log.append(m)
    inbox = _CountingInbox()
    persister = LogPersister(log, store, group="proc-inbox",
                             on_persisted=InboxRecorder(inbox).messages)
    stats = await persist_until(persister, 40)
    await persister.close()
    assert stats.inserted == 40
    assert inbox.writes <= stats.fetched // 20  # batches of up to 50, not one per message
    for peer in (10_001, 10_002, 10_003):
        newest = max(m.seqnum for m in sent if m.receiver == peer)
        page = await inbox.get_inbox(peer, 0)
        assert [(e.peer_id, e.last_seqnum) for e in page.items] == [(10_000, newest)]


async def test_a_failed_inbox_write_is_made_when_the_batch_comes_again(
    pipeline: tuple[MessageLog, MessageStore, Database],
) -> None:
    log, store, _ = pipeline
    sent = [make(i, 10_001) for i in range(1, 6)]
    for m in sent:
        await log.append(m)
    inbox = _CountingInbox(fail_first=True)
    persister = LogPersister(log, store, group="proc-inbox-retry",
                             on_persisted=InboxRecorder(inbox).messages)
    with pytest.raises(ConnectionError):
        await persist_until(persister, 1)
    # Fetched again: the messages are stored already (duplicates), their inbox entries not.
    stats = await persist_until(persister, 5)
    await persister.close()
    assert (stats.inserted, stats.duplicates) == (0, 5)
    page = await inbox.get_inbox(10_001, 0)
    assert [(e.peer_id, e.last_seqnum) for e in page.items] == [(10_000, 5)]
