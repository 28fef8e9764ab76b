"""Adapter fixtures for the storage contract suite: each port's fixture is parametrised
over its embedded and production adapters, so every test runs against both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from prim.runtime.storage.factory import Database, message_store
from prim.runtime.storage.files.seqnum import FileSeqnumStore
from prim.runtime.storage.kafka.log import KafkaMessageLog
from prim.runtime.storage.memory.inbox import MemoryInboxStore
from prim.runtime.storage.memory.log import MemoryMessageLog
from prim.runtime.storage.memory.online import MemoryOnlineState
from prim.runtime.storage.ports import (
    AccountStore,
    InboxStore,
    MessageLog,
    MessageStore,
    OnlineState,
    SeqnumStore,
    SocialStore,
)
from prim.runtime.storage.postgres.accounts import PostgresAccountStore
from prim.runtime.storage.postgres.db import PostgresDatabase
from prim.runtime.storage.postgres.seqnum import PostgresSeqnumStore
from prim.runtime.storage.postgres.social import PostgresSocialStore
from prim.runtime.storage.redis.hot_window import RedisHotWindowMessageStore
from prim.runtime.storage.redis.inbox import RedisInboxStore
from prim.runtime.storage.redis.online import RedisOnlineState
from prim.runtime.storage.sqlite.accounts import SqliteAccountStore
from prim.runtime.storage.sqlite.db import SqliteDatabase
from prim.runtime.storage.sqlite.inbox import SqliteInboxStore
from prim.runtime.storage.sqlite.social import SqliteSocialStore

_TABLES = (
    "users, sessions, friends, friend_requests, blocks, chat_groups, group_members,"
    " join_requests, messages, seqnum_ceilings"
)


#: Short sessions so a consumer group rebalances in about a second in tests (a closed member
#: holds its partitions until its session times out on Tansu).
FAST_GROUPS = {"session_timeout_ms": 1000, "heartbeat_interval_ms": 100}


class FakeClock:
    """An injectable clock (ms) that only moves when a test says so."""

    def __init__(self, start: int = 1_700_000_000_000) -> None:
        self.now = start

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# -- the database (SQLite or PostgreSQL) --------------------------------------------------
@pytest.fixture(params=["sqlite", "postgres"])
def db_kind(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(kind, location); a sync fixture so the session backends start outside the loop."""
    if request.param == "postgres":
        return "postgres", request.getfixturevalue("postgres_dsn")
    return "sqlite", str(tmp_path / "prim.db")


async def _open_db(kind: str, where: str) -> Database:
    if kind == "sqlite":
        return await SqliteDatabase.open(where)
    db = await PostgresDatabase.open(where, max_size=4)
    # Every test starts from empty tables (ids restart too) without re-creating the schema.
    await db.pool.execute(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE")
    return db


@pytest.fixture
async def database(db_kind: tuple[str, str]) -> AsyncIterator[Database]:
    db = await _open_db(*db_kind)
    yield db
    await db.close()


@pytest.fixture
def accounts(database: Database, clock: FakeClock) -> AccountStore:
    if isinstance(database, SqliteDatabase):
        return SqliteAccountStore(database, clock=clock)
    return PostgresAccountStore(database, clock=clock)


@pytest.fixture
def social(database: Database, clock: FakeClock) -> SocialStore:
    if isinstance(database, SqliteDatabase):
        return SqliteSocialStore(database, clock=clock)
    return PostgresSocialStore(database, clock=clock)


# -- message store (SQLite, PostgreSQL, PostgreSQL behind a Redis hot window) ----------------
@pytest.fixture(params=["sqlite", "postgres", "postgres+redis"])
def message_kind(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    if request.param == "sqlite":
        return {"kind": "sqlite", "db": str(tmp_path / "prim.db")}
    spec = {"kind": request.param, "db": request.getfixturevalue("postgres_dsn")}
    if request.param == "postgres+redis":
        spec["redis"] = request.getfixturevalue("redis_url")
        spec["prefix"] = request.getfixturevalue("redis_key_prefix")
    return spec


@pytest.fixture
async def messages(message_kind: dict[str, str]) -> AsyncIterator[MessageStore]:
    kind = message_kind["kind"]
    db = await _open_db("sqlite" if kind == "sqlite" else "postgres", message_kind["db"])
    store: Any = message_store(db)
    if kind == "postgres+redis":
        # A small window so tests cross its edge.
        store = RedisHotWindowMessageStore(
            store,
            Redis.from_url(message_kind["redis"]),
            capacity=5,
            prefix=message_kind["prefix"],
            owns_client=True,
        )
    yield store
    if isinstance(store, RedisHotWindowMessageStore):
        await store.close()
    await db.close()


# -- online state ----------------------------------------------------------------------------
@pytest.fixture(params=["memory", "redis"])
def online_kind(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    if request.param == "redis":
        return (
            "redis",
            request.getfixturevalue("redis_url"),
            request.getfixturevalue("redis_key_prefix"),
        )
    return "memory", "", ""


@pytest.fixture
async def online(online_kind: tuple[str, str, str]) -> AsyncIterator[OnlineState]:
    kind, url, prefix = online_kind
    state: OnlineState
    if kind == "redis":
        state = RedisOnlineState(Redis.from_url(url), prefix=prefix, owns_client=True)
    else:
        state = MemoryOnlineState()
    yield state
    await state.close()


# -- inbox and read markers -------------------------------------------------------------------
@pytest.fixture(params=["memory", "sqlite", "redis"])
def inbox_kind(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str, str]:
    if request.param == "redis":
        return (
            "redis",
            request.getfixturevalue("redis_url"),
            request.getfixturevalue("redis_key_prefix"),
        )
    return request.param, str(tmp_path / "prim.db"), ""


async def open_inbox_store(kind: str, where: str, prefix: str
                           ) -> tuple[InboxStore, SqliteDatabase | None]:
    """The store, and the database to close after it (SQLite only)."""
    if kind == "redis":
        return RedisInboxStore(Redis.from_url(where), prefix=prefix, owns_client=True), None
    if kind == "sqlite":
        db = await SqliteDatabase.open(where)
        return SqliteInboxStore(db), db
    return MemoryInboxStore(), None


@pytest.fixture
async def inbox(inbox_kind: tuple[str, str, str]) -> AsyncIterator[InboxStore]:
    store, db = await open_inbox_store(*inbox_kind)
    yield store
    await store.close()
    if db is not None:
        await db.close()


# -- message log -----------------------------------------------------------------------------
@pytest.fixture(params=["memory", "kafka"])
def log_kind(request: pytest.FixtureRequest) -> tuple[str, str, str]:
    if request.param == "kafka":
        return (
            "kafka",
            request.getfixturevalue("kafka_bootstrap"),
            request.getfixturevalue("kafka_topic"),
        )
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


# -- seqnum ceilings -------------------------------------------------------------------------
@pytest.fixture(params=["file", "postgres"])
def seqnum_kind(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "postgres":
        return "postgres", request.getfixturevalue("postgres_dsn")
    return "file", str(tmp_path / "seq" / "seqnum.json")


async def open_seqnum_store(kind: str, where: str) -> SeqnumStore:
    if kind == "file":
        return await FileSeqnumStore.open(where)
    return PostgresSeqnumStore(await PostgresDatabase.open(where, max_size=2), owns_db=True)


@pytest.fixture
async def seqnum(seqnum_kind: tuple[str, str]) -> AsyncIterator[SeqnumStore]:
    kind, where = seqnum_kind
    if kind == "postgres":
        db = await _open_db("postgres", where)
        await db.close()
    store = await open_seqnum_store(kind, where)
    yield store
    await store.close()
