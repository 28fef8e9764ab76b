"""What the cluster scheduler's tests share outside fixtures (a scheduler process started
by a test imports it too): an injectable clock, fake message nodes that record what they
were asked, and the scheduler's wiring on Redis."""

from __future__ import annotations

from redis.asyncio import Redis

from prim.generated.interfaces import MessageNodeServiceInterface
from prim.generated.prim.v1 import (
    DeliverRequest,
    DeliverResponse,
    DisconnectUserRequest,
    DisconnectUserResponse,
    ErrorCode,
    NodeInfo,
    SubmitRequest,
    SubmitResponse,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.models import Clock
from prim.runtime.storage.ports import OnlineState, SocialStore
from prim.runtime.storage.redis.nodes import RedisNodeRegistry
from prim.runtime.storage.redis.online import RedisOnlineState
from prim.services.scheduler.cluster import ClusterScheduler, MessageNodeClient
from prim.services.scheduler.relay_clock import RedisRelayClock

LEASE_SECONDS = 30


class FakeClock:
    """Milliseconds that move only when a test says so."""

    def __init__(self, start: int = 1_700_000_000_000) -> None:
        self.now = start

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


class FakeMessageNode(MessageNodeServiceInterface):
    """Records every call; ``down`` makes it answer like an unreachable node."""

    def __init__(self, node_id: int = 0, *, closes: int = 1) -> None:
        self.node_id = node_id
        self.closes = closes
        self.down = False
        self.submitted: list[SubmitRequest] = []
        self.deliveries: list[DeliverRequest] = []
        self.disconnects: list[DisconnectUserRequest] = []
        self._seqnum = 0

    def _reachable(self) -> None:
        if self.down:
            raise ApiError(ErrorCode.UNAVAILABLE, f"node {self.node_id} is unreachable")

    async def submit(self, request: SubmitRequest, ctx: CallContext) -> SubmitResponse:
        self._reachable()
        self.submitted.append(request)
        self._seqnum += 1
        assert request.frame is not None and request.frame.header is not None
        return SubmitResponse(seqnum=self._seqnum, timestamp_ms=request.frame.header.timestamp)

    async def deliver(self, request: DeliverRequest, ctx: CallContext) -> DeliverResponse:
        self._reachable()
        self.deliveries.append(request)
        return DeliverResponse(delivered=sum(len(d.user_ids) for d in request.deliveries))

    async def disconnect(self, request: DisconnectUserRequest,
                         ctx: CallContext) -> DisconnectUserResponse:
        self._reachable()
        self.disconnects.append(request)
        return DisconnectUserResponse(connections_closed=self.closes)


class FakeMessageNodes:
    """The cluster's message nodes by node id, made on first use."""

    def __init__(self) -> None:
        self.by_id: dict[int, FakeMessageNode] = {}

    def __getitem__(self, node_id: int) -> FakeMessageNode:
        if node_id not in self.by_id:
            self.by_id[node_id] = FakeMessageNode(node_id)
        return self.by_id[node_id]

    def client(self, node: NodeInfo) -> MessageNodeServiceInterface:
        return self[node.node_id]


def cluster_scheduler(client: Redis, prefix: str, *, social: SocialStore,
                      message_node: MessageNodeClient, clock: Clock,
                      online: OnlineState | None = None) -> ClusterScheduler:
    """One scheduler instance on ``client``: all its state under ``prefix``."""
    return ClusterScheduler(
        registry=RedisNodeRegistry(client, prefix=prefix),
        relay_clock=RedisRelayClock(client, prefix=prefix),
        online=online or RedisOnlineState(client, prefix=prefix),
        social=social,
        message_node=message_node,
        clock=clock,
        lease_seconds=LEASE_SECONDS,
    )
