"""The factory: URL forms, and a whole Storage built for embedded and production modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from prim.runtime.storage.factory import (
    StorageConfig,
    UnsupportedUrl,
    open_storage,
    sqlite_path,
)
from prim.runtime.storage.kafka.log import KafkaMessageLog
from prim.runtime.storage.memory.log import MemoryMessageLog
from prim.runtime.storage.models import Message
from prim.runtime.storage.postgres.db import PostgresDatabase
from prim.runtime.storage.redis.hot_window import RedisHotWindowMessageStore
from prim.runtime.storage.redis.online import RedisOnlineState
from prim.runtime.storage.sqlite.db import SqliteDatabase

pytestmark = pytest.mark.anyio


def test_sqlite_urls() -> None:
    assert sqlite_path("sqlite:///prim.db") == "prim.db"
    assert sqlite_path("sqlite:////var/lib/prim.db") == "/var/lib/prim.db"
    assert sqlite_path("sqlite://") == ":memory:"
    assert sqlite_path("sqlite:///:memory:") == ":memory:"
    with pytest.raises(UnsupportedUrl):
        sqlite_path("postgresql://x")


async def test_unknown_schemes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedUrl):
        await open_storage(StorageConfig(database="mysql://x/y"))
    with pytest.raises(UnsupportedUrl):
        await open_storage(
            StorageConfig(database=f"sqlite:///{tmp_path}/a.db", online="memcached://x")
        )


async def _exercise(config: StorageConfig) -> None:
    storage = await open_storage(config)
    try:
        user = await storage.accounts.create_user("zed", "h")
        group = await storage.social.create_group(user.user_id, "g")
        m = Message(f"g{group.group_id}", 1, user.user_id, group.group_id, 32, 1, 1, b"hi")
        assert (await storage.messages.insert(m)).inserted
        await storage.log.append(m)
        await storage.inbox.set_read_marker(user.user_id, m.channel, 1)
        assert await storage.seqnum.save(0, 1_000) == 1_000
        blob = await storage.blobs.put(b"data", "text/plain")
        assert await storage.blobs.get(blob.blob_id) == b"data"
    finally:
        await storage.close()


async def test_embedded_storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = StorageConfig()  # the defaults are the embedded deployment
    storage = await open_storage(config)
    assert isinstance(storage.database, SqliteDatabase)
    assert isinstance(storage.log, MemoryMessageLog)
    await storage.close()
    await _exercise(config)
    assert (tmp_path / "prim-data" / "prim.db").exists()
    assert (tmp_path / "prim-data" / "seqnum.json").exists()
    assert (tmp_path / "prim-data" / "blobs").is_dir()


async def test_production_storage(
    tmp_path: Path,
    postgres_dsn: str,
    redis_url: str,
    redis_key_prefix: str,
    kafka_bootstrap: str,
    kafka_topic: str,
) -> None:
    config = StorageConfig(
        database=postgres_dsn,
        online=f"{redis_url}?prefix={redis_key_prefix}",
        log=f"kafka://{kafka_bootstrap}?topic={kafka_topic}&partitions=2&session_timeout_ms=6000",
        seqnum=postgres_dsn,
        blobs=f"file://{tmp_path}/blobs",
        hot_window=50,
    )
    storage = await open_storage(config)
    assert isinstance(storage.database, PostgresDatabase)
    assert isinstance(storage.online, RedisOnlineState)
    assert isinstance(storage.messages, RedisHotWindowMessageStore)
    assert isinstance(storage.log, KafkaMessageLog) and storage.log.topic == kafka_topic
    await storage.close()
    db = await PostgresDatabase.open(postgres_dsn)
    await db.pool.execute("TRUNCATE users, messages, seqnum_ceilings RESTART IDENTITY CASCADE")
    await db.close()
    await _exercise(config)
