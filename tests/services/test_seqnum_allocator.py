"""Seqnums per channel: strictly increasing, concurrent-safe, never reused after a restart
(file store; the PostgreSQL store is covered by the storage contract suite)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from prim.runtime.storage.files.seqnum import FileSeqnumStore
from prim.services.seqnum.allocator import SeqnumAllocator, section_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class CountingStore:
    """Wraps a store to count writes (the point of segments is to write rarely)."""

    def __init__(self, inner: FileSeqnumStore) -> None:
        self.inner = inner
        self.saves = 0

    async def load(self) -> dict[int, int]:
        return await self.inner.load()

    async def get(self, section: int) -> int:
        return await self.inner.get(section)

    async def save(self, section: int, ceiling: int) -> int:
        self.saves += 1
        return await self.inner.save(section, ceiling)

    async def close(self) -> None:
        await self.inner.close()


async def test_numbers_start_at_one_and_increase_per_channel(tmp_path: Path) -> None:
    store = CountingStore(await FileSeqnumStore.open(tmp_path / "s.json"))
    alloc = SeqnumAllocator(store, step=100)
    await alloc.start()
    assert [await alloc.allocate("u1-2") for _ in range(5)] == [1, 2, 3, 4, 5]
    assert await alloc.allocate("g68719476736") == 1
    assert await alloc.allocate("u1-2", count=10) == 6
    assert await alloc.allocate("u1-2") == 16
    # 16 numbers in one section with step 100: one write, not sixteen.
    assert store.saves <= 2
    await store.close()


async def test_restart_never_reuses_a_number(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    store = await FileSeqnumStore.open(path)
    alloc = SeqnumAllocator(store, step=50)
    await alloc.start()
    issued = [await alloc.allocate("u3-4") for _ in range(120)]
    await store.close()  # the process "crashes": nothing but the file survives

    store2 = await FileSeqnumStore.open(path)
    alloc2 = SeqnumAllocator(store2, step=50)
    await alloc2.start()
    after = await alloc2.allocate("u3-4")
    assert after > max(issued)
    # A channel in the same section that never allocated also starts above the ceiling
    # (its numbers may have been handed out by the dead process without our knowledge).
    assert await alloc2.allocate("u3-4") == after + 1
    await store2.close()


async def test_concurrent_allocations_are_distinct_and_dense(tmp_path: Path) -> None:
    store = await FileSeqnumStore.open(tmp_path / "s.json")
    alloc = SeqnumAllocator(store, step=7)  # small step: many ceiling raises under contention
    await alloc.start()
    results = await asyncio.gather(*(alloc.allocate("u5-6") for _ in range(500)))
    assert sorted(results) == list(range(1, 501))
    await store.close()


async def test_invalid_arguments_are_refused(tmp_path: Path) -> None:
    store = await FileSeqnumStore.open(tmp_path / "s.json")
    alloc = SeqnumAllocator(store)
    await alloc.start()
    with pytest.raises(ValueError):
        await alloc.allocate("u1-2", count=0)
    with pytest.raises(ValueError):
        SeqnumAllocator(store, step=0)
    await store.close()


def test_sections_are_stable_across_processes() -> None:
    # crc32, not hash(): the same channel maps to the same section in every process.
    assert section_of("u1-2") == section_of("u1-2")
    assert section_of("u1-2", 16) < 16
    # Pinned: a change here would remap every channel to another section.
    assert section_of("g68719476736") == 3782712302 % 65536
