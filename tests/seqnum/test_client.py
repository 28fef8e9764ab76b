"""SeqnumClient against in-process SeqnumService instances on one PostgreSQL store: batching
(counted calls, never timings), numbers in call order per channel, placement, and fail-over
when an instance refuses a section or cannot be reached."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from prim.generated.interfaces import SeqnumServiceInterface
from prim.generated.prim.v1 import (
    AllocateManyRequest,
    AllocateManyResponse,
    AllocateRequest,
    AllocateResponse,
    ErrorCode,
    NewestRequest,
    NewestResponse,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.postgres.seqnum import PostgresSeqnumStore
from prim.services.seqnum.client import InstanceId, SeqnumClient
from prim.services.seqnum.leased import LeasedSeqnumAllocator
from prim.services.seqnum.placement import instance_for_channel
from prim.services.seqnum.service import SeqnumService

from .test_leased_allocator import SECTIONS

pytestmark = pytest.mark.anyio


class Recording(SeqnumServiceInterface):
    """Records the AllocateMany calls that reach an instance; can hold them at a gate, or
    play an instance that cannot be reached."""

    def __init__(self, inner: SeqnumServiceInterface) -> None:
        self.inner = inner
        self.calls: list[AllocateManyRequest] = []
        self.gate: asyncio.Event | None = None
        self.down = False
        self.newest_calls = 0

    async def allocate(self, request: AllocateRequest, ctx: CallContext) -> AllocateResponse:
        return await self.inner.allocate(request, ctx)

    async def allocate_many(self, request: AllocateManyRequest,
                            ctx: CallContext) -> AllocateManyResponse:
        self.calls.append(request)
        if self.down:
            raise ApiError(ErrorCode.UNAVAILABLE, "SeqnumService.AllocateMany: unreachable")
        if self.gate is not None:
            await self.gate.wait()
        return await self.inner.allocate_many(request, ctx)

    async def newest(self, request: NewestRequest, ctx: CallContext) -> NewestResponse:
        self.newest_calls += 1
        return await self.inner.newest(request, ctx)


def instance(store: PostgresSeqnumStore, owner: str) -> Recording:
    allocator = LeasedSeqnumAllocator(store, owner, sections=SECTIONS, step=1000)
    return Recording(SeqnumService(allocator))


def channels_won_by(owner: str, ids: Sequence[str], count: int) -> list[str]:
    found: list[str] = []
    i = 0
    while len(found) < count:
        channel = f"u{i}-{i + 1}"
        if instance_for_channel(channel, ids, sections=SECTIONS) == owner:
            found.append(channel)
        i += 1
    return found


def client(instances: dict[str, Recording], *, failover_timeout: float = 15.0) -> SeqnumClient:
    listed: list[tuple[InstanceId, SeqnumServiceInterface]] = list(instances.items())
    return SeqnumClient(lambda: listed, sections=SECTIONS, failover_timeout=failover_timeout)


def assert_in_call_order(calls: list[tuple[str, int]]) -> None:
    """Each channel's numbers, taken in call order, strictly increase and never repeat."""
    by_channel: dict[str, list[int]] = {}
    for channel, number in calls:
        by_channel.setdefault(channel, []).append(number)
    for channel, numbers in by_channel.items():
        assert numbers == sorted(set(numbers)), f"{channel}: {numbers}"


async def test_a_moment_of_allocations_is_one_call_per_instance(
        lease_store: PostgresSeqnumStore) -> None:
    instances = {"a": instance(lease_store, "a"), "b": instance(lease_store, "b")}
    channels = channels_won_by("a", ["a", "b"], 5) + channels_won_by("b", ["a", "b"], 5)
    seqnums = client(instances)
    wanted = [channels[i % 10] for i in range(100)]
    got = await asyncio.gather(*(seqnums.allocate(c) for c in wanted))
    assert_in_call_order(list(zip(wanted, got, strict=True)))
    for channel in channels:  # ten requests per channel: its first ten numbers
        assert sorted(n for c, n in zip(wanted, got, strict=True) if c == channel) == list(
            range(1, 11))
    # One AllocateMany per instance, each channel one item of count 10.
    for owner in ("a", "b"):
        (call,) = instances[owner].calls
        assert sorted(i.channel for i in call.items) == sorted(
            channels_won_by(owner, ["a", "b"], 5))
        assert {i.count for i in call.items} == {10}
    await seqnums.close()


async def test_allocations_made_while_a_call_is_in_flight_go_together(
        lease_store: PostgresSeqnumStore) -> None:
    only = instance(lease_store, "a")
    only.gate = asyncio.Event()
    seqnums = client({"a": only})
    first_wave = [asyncio.create_task(seqnums.allocate(c)) for c in ["x", "y", "x"]]
    while not only.calls:
        await asyncio.sleep(0)
    second_wave = [asyncio.create_task(seqnums.allocate(c, count=2))
                   for c in ["x", "z", "y", "x", "z"]]
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(only.calls) == 1  # the later ones wait for the call in flight
    only.gate.set()
    got = await asyncio.gather(*first_wave, *second_wave)
    assert got == [1, 1, 2, 3, 1, 2, 5, 3]
    assert len(only.calls) == 2
    assert sorted((i.channel, i.count) for i in only.calls[1].items) == [
        ("x", 4), ("y", 2), ("z", 4)]
    await seqnums.close()


async def test_a_section_leased_elsewhere_fails_over_and_then_sticks(
        lease_store: PostgresSeqnumStore) -> None:
    instances = {"a": instance(lease_store, "a"), "b": instance(lease_store, "b")}
    channel = channels_won_by("a", ["a", "b"], 1)[0]
    # `b` holds the section that rendezvous gives to `a` (say `a` was down for a while).
    await instances["b"].allocate(AllocateRequest(channel=channel), CallContext())
    seqnums = client(instances)
    assert await seqnums.allocate(channel) == 2
    assert len(instances["a"].calls) == 1  # refused: leased to b
    assert [await seqnums.allocate(channel) for _ in range(3)] == [3, 4, 5]
    assert len(instances["a"].calls) == 1  # the section now goes to b directly
    await seqnums.close()


async def test_newest_comes_from_the_holder_and_takes_no_number(
        lease_store: PostgresSeqnumStore) -> None:
    instances = {"a": instance(lease_store, "a"), "b": instance(lease_store, "b")}
    channel = channels_won_by("a", ["a", "b"], 1)[0]
    for _ in range(3):  # `b` holds the section that rendezvous gives to `a`
        await instances["b"].allocate(AllocateRequest(channel=channel), CallContext())
    seqnums = client(instances)
    assert await seqnums.newest(channel) == 3
    assert instances["a"].newest_calls == 1  # refused: leased to b
    assert await seqnums.newest(channel) == 3  # no number taken; straight to b now
    assert instances["a"].newest_calls == 1
    assert await seqnums.allocate(channel) == 4
    await seqnums.close()


async def test_an_unreachable_instance_is_skipped(lease_store: PostgresSeqnumStore) -> None:
    instances = {"a": instance(lease_store, "a"), "b": instance(lease_store, "b")}
    instances["a"].down = True
    channels = channels_won_by("a", ["a", "b"], 3)
    seqnums = client(instances)
    assert await asyncio.gather(*(seqnums.allocate(c) for c in channels)) == [1, 1, 1]
    assert len(instances["a"].calls) == 1
    other = channels_won_by("a", ["a", "b"], 4)[-1]
    assert await seqnums.allocate(other) == 1
    assert len(instances["a"].calls) == 1  # suspect: tried last, so not tried at all
    await seqnums.close()


async def test_no_instance_for_the_whole_timeout_is_unavailable(
        lease_store: PostgresSeqnumStore) -> None:
    dead = instance(lease_store, "a")
    dead.down = True
    seqnums = client({"a": dead}, failover_timeout=0.5)
    with pytest.raises(ApiError) as refused:
        await seqnums.allocate("u1-2")
    assert refused.value.code == ErrorCode.UNAVAILABLE
    assert "no seqnum instance could allocate numbers of channel u1-2" in refused.value.message
    assert len(dead.calls) > 2  # retried, with backoff, until the deadline
    empty = SeqnumClient(lambda: [], failover_timeout=0.2)
    with pytest.raises(ApiError) as nobody:
        await empty.allocate("u1-2")
    assert "no seqnum instance is listed" in nobody.value.message
    await seqnums.close()
    await empty.close()


async def test_the_instance_list_is_refreshed_on_failure(
        lease_store: PostgresSeqnumStore) -> None:
    dead, alive = instance(lease_store, "a"), instance(lease_store, "b")
    dead.down = True
    listed: list[tuple[InstanceId, SeqnumServiceInterface]] = [("a", dead)]
    refreshes = 0

    async def refresh() -> None:
        nonlocal refreshes, listed
        refreshes += 1
        listed = [("b", alive)]  # the registry noticed: a is gone, b came up

    seqnums = SeqnumClient(lambda: listed, refresh=refresh, sections=SECTIONS,
                           refresh_interval=3600)
    assert await seqnums.allocate("u1-2") == 1
    assert refreshes >= 1 and len(alive.calls) == 1
    await seqnums.close()


async def test_other_errors_reach_only_their_caller(lease_store: PostgresSeqnumStore) -> None:
    seqnums = client({"a": instance(lease_store, "a")})
    ok, bad = await asyncio.gather(seqnums.allocate("u1-2"), seqnums.allocate(""),
                                   return_exceptions=True)
    assert ok == 1
    assert isinstance(bad, ApiError) and bad.code == ErrorCode.INVALID_ARGUMENT
    with pytest.raises(ValueError):
        await seqnums.allocate("u1-2", count=0)
    await seqnums.close()


async def test_close_fails_what_is_pending(lease_store: PostgresSeqnumStore) -> None:
    held = instance(lease_store, "a")
    held.gate = asyncio.Event()
    seqnums = client({"a": held})
    pending = asyncio.create_task(seqnums.allocate("u1-2"))
    while not held.calls:
        await asyncio.sleep(0)
    await seqnums.close()
    with pytest.raises(ApiError) as closed:
        await pending
    assert closed.value.code == ErrorCode.UNAVAILABLE
    with pytest.raises(ApiError):
        await seqnums.allocate("u1-2")
