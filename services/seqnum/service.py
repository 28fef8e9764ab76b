"""SeqnumService: the spec's RPC face of an allocator, served in the `seqnum` role process.

    RpcServer([SeqnumServiceGrpc(SeqnumService(LeasedSeqnumAllocator(...)))], tls)

The embedded node does not go through it: it calls its in-process SeqnumAllocator directly.
Each item of AllocateMany succeeds or fails on its own, so one section leased to another
instance does not fail the numbers of the others in the batch.
"""

from __future__ import annotations

import asyncio

from prim.generated.interfaces import SeqnumServiceInterface
from prim.generated.prim.v1 import (
    AllocateManyRequest,
    AllocateManyResponse,
    AllocateRequest,
    AllocateResponse,
    AllocateResult,
    ErrorCode,
    NewestRequest,
    NewestResponse,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError

from .ports import SeqnumSource

MAX_COUNT = 10_000  # numbers per item
MAX_ITEMS = 10_000  # items per AllocateMany
MAX_CHANNEL_BYTES = 256


class SeqnumService(SeqnumServiceInterface):
    def __init__(self, allocator: SeqnumSource) -> None:
        self._allocator = allocator

    async def allocate(self, request: AllocateRequest, ctx: CallContext) -> AllocateResponse:
        return await self._allocate(request, "")

    async def allocate_many(self, request: AllocateManyRequest,
                            ctx: CallContext) -> AllocateManyResponse:
        if len(request.items) > MAX_ITEMS:
            raise ApiError(ErrorCode.INVALID_ARGUMENT,
                           f"at most {MAX_ITEMS} items per call, got {len(request.items)}",
                           "items")
        # Concurrently, so sections that need the store wait for it together; tasks start in
        # item order and the allocator keeps a channel's numbers in call order.
        results = await asyncio.gather(
            *(self._one(item, f"items[{i}].") for i, item in enumerate(request.items))
        )
        return AllocateManyResponse(results=list(results))

    async def newest(self, request: NewestRequest, ctx: CallContext) -> NewestResponse:
        if not request.channel:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, "channel must not be empty", "channel")
        return NewestResponse(seqnum=await self._allocator.newest(request.channel))

    async def _one(self, item: AllocateRequest, prefix: str) -> AllocateResult:
        try:
            return AllocateResult(allocated=await self._allocate(item, prefix))
        except ApiError as exc:
            return AllocateResult(error=exc.to_message())

    async def _allocate(self, item: AllocateRequest, prefix: str) -> AllocateResponse:
        """`prefix` locates the item in the request, for the field named by an error."""
        count = _checked_count(item, prefix)
        first = await self._allocator.allocate(item.channel, count)
        return AllocateResponse(first=first, count=count)


def _checked_count(request: AllocateRequest, prefix: str) -> int:
    """The count to take (0 means 1); refuses an empty or oversized channel or count."""
    if not request.channel:
        raise ApiError(ErrorCode.INVALID_ARGUMENT, "channel must not be empty",
                       f"{prefix}channel")
    if len(request.channel.encode()) > MAX_CHANNEL_BYTES:
        raise ApiError(ErrorCode.INVALID_ARGUMENT,
                       f"channel is longer than {MAX_CHANNEL_BYTES} bytes", f"{prefix}channel")
    if request.count > MAX_COUNT:
        raise ApiError(ErrorCode.INVALID_ARGUMENT,
                       f"count must be at most {MAX_COUNT}, got {request.count}",
                       f"{prefix}count")
    return request.count or 1
