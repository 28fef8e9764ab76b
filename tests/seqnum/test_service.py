"""SeqnumService in process: Allocate and AllocateMany over a leased allocator, each batch
item succeeding or failing on its own, and bad input refused naming the field."""

from __future__ import annotations

import pytest

from prim.generated.prim.v1 import (
    AllocateManyRequest,
    AllocateRequest,
    ErrorCode,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.postgres.seqnum import PostgresSeqnumStore
from prim.services.seqnum.leased import LeasedSeqnumAllocator
from prim.services.seqnum.service import MAX_COUNT, MAX_ITEMS, SeqnumService

from .test_leased_allocator import SECTIONS, channels_in_distinct_sections

pytestmark = pytest.mark.anyio

CTX = CallContext()


def service(store: PostgresSeqnumStore, owner: str) -> SeqnumService:
    return SeqnumService(LeasedSeqnumAllocator(store, owner, sections=SECTIONS, step=100))


async def test_allocate_takes_count_numbers(lease_store: PostgresSeqnumStore) -> None:
    svc = service(lease_store, "a")
    got = await svc.allocate(AllocateRequest(channel="u1-2", count=5), CTX)
    assert (got.first, got.count) == (1, 5)
    got = await svc.allocate(AllocateRequest(channel="u1-2"), CTX)  # 0 means 1
    assert (got.first, got.count) == (6, 1)


async def test_allocate_refuses_bad_input(lease_store: PostgresSeqnumStore) -> None:
    svc = service(lease_store, "a")
    with pytest.raises(ApiError) as empty:
        await svc.allocate(AllocateRequest(channel=""), CTX)
    assert (empty.value.code, empty.value.field) == (ErrorCode.INVALID_ARGUMENT, "channel")
    with pytest.raises(ApiError) as too_many:
        await svc.allocate(AllocateRequest(channel="u1-2", count=MAX_COUNT + 1), CTX)
    assert (too_many.value.code, too_many.value.field) == (ErrorCode.INVALID_ARGUMENT, "count")
    with pytest.raises(ApiError) as long_channel:
        await svc.allocate(AllocateRequest(channel="u" * 1000), CTX)
    assert long_channel.value.field == "channel"


async def test_allocate_many_items_fail_on_their_own(lease_store: PostgresSeqnumStore) -> None:
    mine, theirs = channels_in_distinct_sections(2)
    other = service(lease_store, "other")
    await other.allocate(AllocateRequest(channel=theirs), CTX)  # `other` holds that section
    svc = service(lease_store, "a")
    answer = await svc.allocate_many(AllocateManyRequest(items=[
        AllocateRequest(channel=mine, count=3),
        AllocateRequest(channel=theirs),
        AllocateRequest(channel=""),
        AllocateRequest(channel=mine, count=MAX_COUNT + 1),
        AllocateRequest(channel=mine),
    ]), CTX)
    ok, leased, empty, oversized, again = answer.results
    assert ok.error is None and ok.allocated is not None
    assert (ok.allocated.first, ok.allocated.count) == (1, 3)
    assert leased.allocated is None and leased.error is not None
    assert leased.error.code == ErrorCode.UNAVAILABLE
    assert "leased to seqnum instance other" in leased.error.message
    assert empty.error is not None
    assert (empty.error.code, empty.error.field) == (ErrorCode.INVALID_ARGUMENT,
                                                     "items[2].channel")
    assert oversized.error is not None and oversized.error.field == "items[3].count"
    # Items of one channel are served in item order.
    assert again.allocated is not None and again.allocated.first == 4


async def test_allocate_many_refuses_too_many_items(lease_store: PostgresSeqnumStore) -> None:
    svc = service(lease_store, "a")
    items = [AllocateRequest(channel="u1-2")] * (MAX_ITEMS + 1)
    with pytest.raises(ApiError) as refused:
        await svc.allocate_many(AllocateManyRequest(items=items), CTX)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ARGUMENT, "items")
    assert (await svc.allocate_many(AllocateManyRequest(), CTX)).results == []
