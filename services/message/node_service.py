"""MessageNodeService: what a message node does for the rest of the cluster (the spec's
message_node.proto). The scheduler submits api-originated messages and reaches a user's
connections through it; other message nodes deliver forwarded frames through it."""

from __future__ import annotations

from collections.abc import Callable

from prim.generated.interfaces import MessageNodeServiceInterface
from prim.generated.prim.v1 import (
    DeliverRequest,
    DeliverResponse,
    DisconnectUserRequest,
    DisconnectUserResponse,
    SubmitRequest,
    SubmitResponse,
)
from prim.runtime.context import CallContext
from prim.services.message.cluster_router import ClusterRouter
from prim.services.message.gateway import MessageGateway
from prim.services.message.pipeline import MessagePipeline
from prim.services.message.wire_frames import frame_from_wire


class MessageNodeService(MessageNodeServiceInterface):
    def __init__(self, *, pipeline: MessagePipeline, router: ClusterRouter,
                 gateway: MessageGateway, fresh_timestamp: Callable[[], int]) -> None:
        self._pipeline = pipeline
        self._router = router
        self._gateway = gateway
        self._fresh_timestamp = fresh_timestamp

    async def submit(self, request: SubmitRequest, ctx: CallContext) -> SubmitResponse:
        frame = frame_from_wire(request.frame, fresh_timestamp=self._fresh_timestamp)
        result = await self._pipeline.submit(frame, device=request.device_id)
        return SubmitResponse(seqnum=result.seqnum, timestamp_ms=result.server_ts,
                              duplicate=result.duplicate)

    async def deliver(self, request: DeliverRequest, ctx: CallContext) -> DeliverResponse:
        delivered = 0
        for delivery in request.deliveries:
            frame = frame_from_wire(delivery.frame, keep_sequence=True)
            delivered += self._router.deliver_here(delivery.user_ids, frame)
        return DeliverResponse(delivered=delivered)

    async def disconnect(self, request: DisconnectUserRequest,
                         ctx: CallContext) -> DisconnectUserResponse:
        closed = await self._gateway.disconnect(request.user_id, request.device_id,
                                                request.reason or "the session has ended")
        return DisconnectUserResponse(connections_closed=closed)
