"""The Redis hot window: recent reads are served from Redis, and an incomplete window is
never trusted (it falls back to PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from prim.runtime.storage.postgres.db import PostgresDatabase
from prim.runtime.storage.postgres.messages import PostgresMessageStore
from prim.runtime.storage.redis.hot_window import RedisHotWindowMessageStore

from .test_messages import msg

pytestmark = pytest.mark.anyio


@pytest.fixture
async def window(
    postgres_dsn: str, redis_url: str, redis_key_prefix: str
) -> AsyncIterator[tuple[RedisHotWindowMessageStore, PostgresDatabase, Redis]]:
    db = await PostgresDatabase.open(postgres_dsn, max_size=2)
    await db.pool.execute("TRUNCATE messages")
    client = Redis.from_url(redis_url)
    store = RedisHotWindowMessageStore(
        PostgresMessageStore(db), client, capacity=5, prefix=redis_key_prefix
    )
    yield store, db, client
    await client.aclose()
    await db.close()


async def test_window_keeps_the_last_n_and_serves_reads(
    window: tuple[RedisHotWindowMessageStore, PostgresDatabase, Redis], redis_key_prefix: str
) -> None:
    store, db, client = window
    channel = msg(1).channel
    for s in range(1, 9):
        await store.insert(msg(s))
    zkey = f"{redis_key_prefix}win:{{{channel}}}"
    fkey = f"{redis_key_prefix}winfloor:{{{channel}}}"
    assert [int(s) for _, s in await client.zrange(zkey, 0, -1, withscores=True)] == [4, 5, 6, 7, 8]
    assert int(await client.get(fkey)) == 4
    assert await client.pttl(zkey) > 0

    # Remove rows behind the window's back: reads inside the window still see them,
    # which proves they come from Redis; reads below the floor go to the database.
    await db.pool.execute("DELETE FROM messages WHERE seqnum >= 6")
    assert [m.seqnum for m in await store.read_forward(channel, 5, 10)] == [5, 6, 7, 8]
    assert [m.seqnum for m in await store.read_backward(channel, 9, 3)] == [8, 7, 6]
    assert [m.seqnum for m in await store.read_backward(channel, 9, 7)] == [8, 7, 6, 5, 4, 3, 2]
    assert [m.seqnum for m in await store.read_forward(channel, 2, 10)] == [2, 3, 4, 5]
    assert (await store.get(channel, 7)) == msg(7)

    # Half a window (floor evicted) is not trusted.
    await client.delete(fkey)
    assert [m.seqnum for m in await store.read_forward(channel, 5, 10)] == [5]
    await store.insert(msg(20))  # restarts the window at 20
    assert int(await client.get(fkey)) == 20
    assert await client.zcard(zkey) == 1
    assert [m.seqnum for m in await store.read_backward(channel, 21, 10)] == [20, 5, 4, 3, 2, 1]

    # A late message below the floor is left to the database.
    await store.insert(msg(15))
    assert await client.zcard(zkey) == 1
    assert [m.seqnum for m in await store.read_forward(channel, 14, 10)] == [15, 20]


async def test_duplicates_do_not_touch_the_window(
    window: tuple[RedisHotWindowMessageStore, PostgresDatabase, Redis], redis_key_prefix: str
) -> None:
    store, _, _client = window
    original = msg(1, client_ts=42)
    await store.insert(original)
    await store.edit(original.channel, 1, b"edited", 5)
    # A replay of the original record must not put the old payload back into Redis.
    assert not (await store.insert(original)).inserted
    cached = await store.read_forward(original.channel, 1, 1)
    assert cached[0].payload == b"edited"


class _Broken:
    """A window script that fails (Redis unreachable, out of memory...)."""

    async def __call__(self, *args: object, **kwargs: object) -> None:
        raise ConnectionError("redis went away")


@pytest.mark.parametrize("batch", [False, True])
async def test_a_failed_window_write_drops_the_window_not_the_message(
    window: tuple[RedisHotWindowMessageStore, PostgresDatabase, Redis], redis_key_prefix: str,
    monkeypatch: pytest.MonkeyPatch, batch: bool,
) -> None:
    store, _db, client = window
    channel = msg(1).channel
    for s in (1, 2, 3):
        await store.insert(msg(s))
    monkeypatch.setattr(store, "_add", _Broken())
    # The database has it: the write succeeds, and history does not hide it.
    if batch:
        (result,) = await store.insert_many([msg(4)])
    else:
        result = await store.insert(msg(4))
    assert result.inserted
    assert [m.seqnum for m in await store.read_forward(channel, 1, 10)] == [1, 2, 3, 4]
    assert [m.seqnum for m in await store.read_backward(channel, 10, 10)] == [4, 3, 2, 1]
    assert not await client.exists(f"{redis_key_prefix}win:{{{channel}}}")
    # An edit whose window refresh fails is still an edit.
    monkeypatch.setattr(store, "_replace", _Broken())
    monkeypatch.undo()
    await store.insert(msg(5))  # the window restarts at the next message
    monkeypatch.setattr(store, "_replace", _Broken())
    edited = await store.edit(channel, 5, b"edited", 7)
    assert edited is not None and edited.payload == b"edited"
    got = await store.get(channel, 5)
    assert got is not None and got.payload == b"edited"
