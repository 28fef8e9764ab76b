"""Contract: AttemptCounters in process memory and on Redis (the abuse limits' counters)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from prim.runtime.storage.memory.attempts import MemoryAttemptCounters
from prim.runtime.storage.ports import AttemptCounters
from prim.runtime.storage.redis.attempts import RedisAttemptCounters
from tests.storage.conftest import FakeClock

pytestmark = pytest.mark.anyio


@pytest.fixture
async def counters(online_kind: tuple[str, str, str]) -> AsyncIterator[AttemptCounters]:
    kind, url, prefix = online_kind
    store: AttemptCounters
    if kind == "redis":
        store = RedisAttemptCounters(Redis.from_url(url), prefix=prefix, owns_client=True)
    else:
        store = MemoryAttemptCounters()
    yield store
    await store.close()


async def test_add_get_put_delete(counters: AttemptCounters) -> None:
    assert await counters.get("a") == 0
    assert [await counters.add("a", 60_000) for _ in range(3)] == [1, 2, 3]
    assert await counters.get("a") == 3 and await counters.get("b") == 0
    await counters.put("b", 1_700_000_000_000, 60_000)  # timestamps fit
    assert await counters.get("b") == 1_700_000_000_000
    await counters.delete("a", "b", "never-set")
    assert await counters.get("a") == await counters.get("b") == 0
    await counters.delete()


async def test_concurrent_adds_are_not_lost(counters: AttemptCounters) -> None:
    results = await asyncio.gather(*(counters.add("k", 60_000) for _ in range(50)))
    assert sorted(results) == list(range(1, 51))


async def test_counters_expire_after_their_last_write(counters: AttemptCounters) -> None:
    await counters.add("short", 150)
    await counters.put("put", 7, 150)
    await asyncio.sleep(0.1)
    assert await counters.add("short", 150) == 2  # refreshed: lives 150 ms from now
    await asyncio.sleep(0.2)
    assert await counters.get("short") == 0 and await counters.get("put") == 0


async def test_memory_counters_stay_bounded_keeping_the_longest_lived() -> None:
    clock = FakeClock()
    store = MemoryAttemptCounters(clock, max_keys=3)
    await store.add("long", 60_000)
    for i in range(10):
        await store.add(f"flood{i}", 1_000)
    assert await store.get("long") == 1  # a flood of short keys does not push it out
    assert sum([await store.get(f"flood{i}") for i in range(10)]) == 2
    clock.advance(1_000)
    await store.add("new", 1_000)
    assert await store.get("long") == 1 and await store.get("new") == 1
