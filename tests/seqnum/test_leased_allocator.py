"""LeasedSeqnumAllocator on PostgreSQL: two instances never hand out the same number of a
channel, a successor (after a crash, a clean release, or a lost lease) continues above
everything its predecessor handed out, and the common path does no I/O."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable

import pytest

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.errors import ApiError
from prim.runtime.storage.postgres.db import PostgresDatabase
from prim.runtime.storage.postgres.seqnum import PostgresSeqnumStore, SectionLease
from prim.services.seqnum.allocator import section_of
from prim.services.seqnum.leased import LeasedSeqnumAllocator

pytestmark = pytest.mark.anyio

SECTIONS = 16  # few sections, so tests can pick channels that share one or do not


def channels_in_distinct_sections(count: int, *, skip: Iterable[int] = ()) -> list[str]:
    seen = set(skip)
    found: list[str] = []
    i = 0
    while len(found) < count:
        channel = f"u{i}-{i + 1}"
        section = section_of(channel, SECTIONS)
        if section not in seen:
            seen.add(section)
            found.append(channel)
        i += 1
    return found


def another_channel_in_section_of(channel: str) -> str:
    section = section_of(channel, SECTIONS)
    i = 0
    while True:
        candidate = f"g{i}"
        if section_of(candidate, SECTIONS) == section and candidate != channel:
            return candidate
        i += 1


def allocator(store: PostgresSeqnumStore, owner: str, *, ttl_ms: int = 30_000,
              step: int = 10) -> LeasedSeqnumAllocator:
    return LeasedSeqnumAllocator(store, owner, ttl_ms=ttl_ms, step=step, sections=SECTIONS)


async def allocate_when_free(alloc: LeasedSeqnumAllocator, channel: str,
                             limit: float = 10.0) -> tuple[int, int]:
    """(number, refusals before it): retries while another instance holds the section."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + limit
    refusals = 0
    while True:
        try:
            return await alloc.allocate(channel), refusals
        except ApiError as exc:
            assert exc.code == ErrorCode.UNAVAILABLE
            refusals += 1
            if loop.time() > give_up:
                raise
            await asyncio.sleep(0.05)


async def test_two_instances_share_channels_without_duplicates(
        lease_store: PostgresSeqnumStore) -> None:
    a, b = allocator(lease_store, "a", step=7), allocator(lease_store, "b", step=7)
    channels = channels_in_distinct_sections(8)
    # Each takes the sections of its half first, then both hammer every channel.
    for channel in channels[:4]:
        await a.allocate(channel)
    for channel in channels[4:]:
        await b.allocate(channel)

    handed: dict[str, dict[str, list[int]]] = {"a": defaultdict(list), "b": defaultdict(list)}
    refusals: dict[str, list[str]] = {"a": [], "b": []}

    async def hammer(alloc: LeasedSeqnumAllocator, channel: str) -> None:
        for _ in range(40):
            try:
                handed[alloc.owner][channel].append(await alloc.allocate(channel))
            except ApiError as exc:
                assert exc.code == ErrorCode.UNAVAILABLE
                refusals[alloc.owner].append(exc.message)
            await asyncio.sleep(0)

    await asyncio.gather(*(hammer(x, c) for c in channels for x in (a, b)))

    for channel in channels:
        numbers = handed["a"][channel] + handed["b"][channel]
        assert len(numbers) == len(set(numbers)), f"duplicate numbers in {channel}"
        for owner in ("a", "b"):
            mine = handed[owner][channel]
            assert mine == sorted(mine) and len(set(mine)) == len(mine)
    # Each instance served exactly its own half and was refused the other, by name.
    served = {owner: {c for c, numbers in by.items() if numbers} for owner, by in handed.items()}
    assert served == {"a": set(channels[:4]), "b": set(channels[4:])}
    assert len(refusals["a"]) == len(refusals["b"]) == 4 * 40
    section = section_of(channels[4], SECTIONS)
    assert (f"section {section} of channel {channels[4]} is leased to seqnum instance b; "
            "try another instance") in refusals["a"]
    assert all("leased to seqnum instance a" in m for m in refusals["b"])


async def test_a_crashed_instance_is_succeeded_after_its_ttl(
        lease_store: PostgresSeqnumStore) -> None:
    a = allocator(lease_store, "a", ttl_ms=1_000)
    await a.start()
    channel = channels_in_distinct_sections(1)[0]
    handed = [await a.allocate(channel) for _ in range(25)]
    await a.close(release=False)  # a crash: no release, the lease runs out on its own

    b = allocator(lease_store, "b", ttl_ms=1_000)
    with pytest.raises(ApiError) as refused:
        await b.allocate(channel)
    assert refused.value.code == ErrorCode.UNAVAILABLE
    assert "leased to seqnum instance a" in refused.value.message
    first, refusals = await allocate_when_free(b, channel)
    assert refusals >= 1
    assert first > max(handed)
    # A channel of the same section that only `a` could have used resumes above too.
    assert await b.allocate(another_channel_in_section_of(channel)) > max(handed)
    await b.close()


async def test_a_clean_release_lets_the_successor_in_at_once(
        lease_store: PostgresSeqnumStore) -> None:
    a = allocator(lease_store, "a")
    channel = channels_in_distinct_sections(1)[0]
    handed = [await a.allocate(channel) for _ in range(15)]
    await a.close()
    with pytest.raises(ApiError):
        await a.allocate(channel)  # a closed instance hands out nothing
    b = allocator(lease_store, "b")
    assert await b.allocate(channel) > max(handed)  # no wait for the 30 s ttl
    await b.close()


async def test_a_lost_lease_refuses_instead_of_duplicating(
        lease_store: PostgresSeqnumStore, seqnum_db: PostgresDatabase) -> None:
    a = allocator(lease_store, "a", step=10)
    b = allocator(lease_store, "b", step=10)
    channel = channels_in_distinct_sections(1)[0]
    before = [await a.allocate(channel) for _ in range(3)]
    # The lease runs out in the store while `a` still believes it holds it (a clock that
    # jumped, a process paused longer than the safety margin).
    await seqnum_db.pool.execute("UPDATE seqnum_ceilings SET lease_until = 0")
    taken_over = await b.allocate(channel)
    after: list[int] = []
    with pytest.raises(ApiError) as refused:
        for _ in range(100):  # runs into its ceiling, which it may no longer raise
            after.append(await a.allocate(channel))
    assert refused.value.code == ErrorCode.UNAVAILABLE
    assert "lost the lease" in refused.value.message
    # What `a` still handed out lay under its persisted ceiling, below where `b` resumed.
    assert max(before + after) < taken_over
    more = [await b.allocate(channel) for _ in range(30)]
    assert not set(before + after) & {taken_over, *more}
    with pytest.raises(ApiError) as now_refused:
        await a.allocate(channel)
    assert "leased to seqnum instance b" in now_refused.value.message


async def test_a_lease_lost_at_renewal_stops_the_fast_path(
        lease_store: PostgresSeqnumStore, seqnum_db: PostgresDatabase) -> None:
    a = allocator(lease_store, "a", step=1_000)
    b = allocator(lease_store, "b", step=1_000)
    channel = channels_in_distinct_sections(1)[0]
    handed = [await a.allocate(channel)]
    await seqnum_db.pool.execute("UPDATE seqnum_ceilings SET lease_until = 0")
    taken_over = await b.allocate(channel)
    # Far under its ceiling `a` makes no store call, so it has not noticed yet (the window
    # the safety margin exists for; still no duplicate: `b` resumed above a's ceiling)...
    handed.append(await a.allocate(channel))
    # ...but its next renewal round finds the lease gone, and from then on it refuses.
    await a.renew_leases()
    with pytest.raises(ApiError) as refused:
        await a.allocate(channel)
    assert "leased to seqnum instance b" in refused.value.message
    assert max(handed) < taken_over
    await a.close()
    await b.close()


async def test_a_restart_with_the_same_owner_resumes_above(
        lease_store: PostgresSeqnumStore) -> None:
    channel = channels_in_distinct_sections(1)[0]
    first = allocator(lease_store, "seq-1")
    handed = [await first.allocate(channel) for _ in range(25)]
    await first.close(release=False)  # crashed; its lease still runs
    restarted = allocator(lease_store, "seq-1")
    again = await restarted.allocate(channel)  # its own lease: no wait
    assert again > max(handed)
    await restarted.close()


async def test_used_sections_are_renewed_and_idle_ones_lapse(
        lease_store: PostgresSeqnumStore) -> None:
    a = allocator(lease_store, "a", ttl_ms=600)
    b = allocator(lease_store, "b", ttl_ms=600)
    await a.start()
    busy, idle = channels_in_distinct_sections(2)
    await a.allocate(idle)
    # `a` keeps using `busy` for several ttls: its lease is renewed, `b` never gets in.
    loop = asyncio.get_running_loop()
    until = loop.time() + 2.0
    while loop.time() < until:
        await a.allocate(busy)
        with pytest.raises(ApiError):
            await b.allocate(busy)
        await asyncio.sleep(0.05)
    # `idle` was let go meanwhile, although `a` is still running.
    assert section_of(idle, SECTIONS) not in a.held_sections()
    number, _ = await allocate_when_free(b, idle)
    assert number > 1
    with pytest.raises(ApiError) as refused:
        await a.allocate(idle)
    assert "leased to seqnum instance b" in refused.value.message
    await a.close()
    await b.close()


class CountingLeaseStore:
    """Counts the store calls, to show the common path makes none."""

    def __init__(self, inner: PostgresSeqnumStore) -> None:
        self.inner = inner
        self.calls = 0

    async def acquire(self, section: int, owner: str, ttl_ms: int) -> SectionLease:
        self.calls += 1
        return await self.inner.acquire(section, owner, ttl_ms)

    async def save_leased(self, section: int, ceiling: int, owner: str,
                          ttl_ms: int) -> int | None:
        self.calls += 1
        return await self.inner.save_leased(section, ceiling, owner, ttl_ms)

    async def renew(self, owner: str, sections: Iterable[int], ttl_ms: int) -> set[int]:
        self.calls += 1
        return await self.inner.renew(owner, sections, ttl_ms)

    async def release(self, owner: str) -> None:
        await self.inner.release(owner)


async def test_concurrent_allocations_need_no_io_under_the_ceiling(
        lease_store: PostgresSeqnumStore) -> None:
    store = CountingLeaseStore(lease_store)
    alloc = LeasedSeqnumAllocator(store, "a", step=10_000, sections=SECTIONS)
    channel = channels_in_distinct_sections(1)[0]
    got = await asyncio.gather(*(alloc.allocate(channel) for _ in range(2_000)))
    assert sorted(got) == list(range(1, 2_001))
    assert list(got) == sorted(got)  # in call order
    assert store.calls == 2  # one acquire, one ceiling raise
    await alloc.close()


async def test_invalid_arguments_are_refused(lease_store: PostgresSeqnumStore) -> None:
    alloc = allocator(lease_store, "a")
    with pytest.raises(ValueError):
        await alloc.allocate("u1-2", count=0)
    with pytest.raises(ValueError):
        LeasedSeqnumAllocator(lease_store, "", sections=SECTIONS)
    with pytest.raises(ValueError):
        LeasedSeqnumAllocator(lease_store, "a", ttl_ms=100, safety_margin_ms=100)
