"""SchedulerService for the production cluster: several instances run at once and any of
them answers any call, because all state lives in Redis (the node registry, user placement
and connections, the relay clock). An instance keeps nothing between calls, so losing one
loses nothing; callers reach them through a fail-over target.

Where the embedded LocalScheduler calls its own process's pipeline and gateway, this one
calls the message nodes' MessageNodeService: relays go to the node that holds the
receiver's connections (else the least loaded), disconnects to every node, notifications to
the nodes of the users' connections. Nodes are live while their heartbeat is within the
lease, judged by this instance's clock: scheduler instances need synchronised clocks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence

from prim.generated.interfaces import MessageNodeServiceInterface, SchedulerServiceInterface
from prim.generated.prim.v1 import (
    DeliverRequest,
    Delivery,
    DisconnectUserRequest,
    DisconnectUserResponse,
    ErrorCode,
    GetGroupNodesRequest,
    GetGroupNodesResponse,
    GroupNodeMembers,
    HeartbeatRequest,
    HeartbeatResponse,
    ListNodesRequest,
    ListNodesResponse,
    NodeInfo,
    NodeRole,
    NotifyRequest,
    NotifyResponse,
    PlaceUserRequest,
    PlaceUserResponse,
    RegisterNodeRequest,
    RegisterNodeResponse,
    RelayRequest,
    RelayResponse,
    SelectSeqnumNodeRequest,
    SelectSeqnumNodeResponse,
    SubmitRequest,
    UnregisterNodeRequest,
    UnregisterNodeResponse,
)
from prim.generated.wire import MAX_NODE_ID
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.models import Clock, is_group_id
from prim.runtime.storage.ports import OnlineState, SocialStore
from prim.runtime.storage.redis.nodes import NodeIdsExhausted, RedisNodeRegistry
from prim.services.scheduler.node_rules import (
    DEFAULT_LEASE_SECONDS,
    least_loaded,
    none_running,
    not_registered,
)
from prim.services.scheduler.relay_clock import RedisRelayClock, new_relay_device
from prim.services.scheduler.requests import (
    checked_frame,
    disconnect_reason,
    required_node,
    with_timestamp,
)
from prim.services.seqnum.allocator import section_of
from prim.services.seqnum.placement import rendezvous_order

log = logging.getLogger("prim.scheduler.cluster")

#: How the scheduler reaches a message node (in production a MessageNodeServiceRemote on
#: an AddressTarget of node.rpc_address).
MessageNodeClient = Callable[[NodeInfo], MessageNodeServiceInterface]


class ClusterScheduler(SchedulerServiceInterface):
    def __init__(self, *, registry: RedisNodeRegistry, relay_clock: RedisRelayClock,
                 online: OnlineState, social: SocialStore, message_node: MessageNodeClient,
                 clock: Clock, lease_seconds: int = DEFAULT_LEASE_SECONDS) -> None:
        self._registry = registry
        self._relay_clock = relay_clock
        self._relay_device = new_relay_device()
        self._online = online
        self._social = social
        self._message_node = message_node
        self._clock = clock
        self._lease_seconds = lease_seconds
        self._lease_ms = lease_seconds * 1000

    async def _live(self, role: NodeRole) -> list[NodeInfo]:
        return await self._registry.live_nodes(role, now=self._clock(), lease_ms=self._lease_ms)

    # -- the registry ------------------------------------------------------------------------
    async def register_node(self, request: RegisterNodeRequest,
                            ctx: CallContext) -> RegisterNodeResponse:
        node = required_node(request)
        if node.role == NodeRole.UNSPECIFIED:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, "node.role is required", "node.role")
        if node.node_id > MAX_NODE_ID:
            raise ApiError(ErrorCode.INVALID_ARGUMENT,
                           f"node.node_id must be at most {MAX_NODE_ID}", "node.node_id")
        if node.node_id:
            # Heartbeats and unregistering name the id alone: two live processes of
            # different roles under one id would keep each other alive.
            for role in NodeRole:
                if role in (NodeRole.UNSPECIFIED, node.role):
                    continue
                if any(n.node_id == node.node_id for n in await self._live(role)):
                    raise ApiError(ErrorCode.ALREADY_EXISTS,
                                   f"node id {node.node_id} is in use by a live "
                                   f"{role.name.lower()} node; give every process of the "
                                   "cluster its own node.id", "node.node_id")
        try:
            stored = await self._registry.register(node, now=self._clock())
        except NodeIdsExhausted as exc:
            raise ApiError(ErrorCode.FAILED_PRECONDITION,
                           f"{exc}; register nodes with explicit ids") from None
        return RegisterNodeResponse(node_id=stored.node_id, lease_seconds=self._lease_seconds)

    async def unregister_node(self, request: UnregisterNodeRequest,
                              ctx: CallContext) -> UnregisterNodeResponse:
        await self._registry.unregister(request.node_id)
        return UnregisterNodeResponse()

    async def heartbeat(self, request: HeartbeatRequest, ctx: CallContext) -> HeartbeatResponse:
        if not await self._registry.heartbeat(request.node_id, request.connections,
                                              now=self._clock()):
            raise not_registered(request.node_id)
        return HeartbeatResponse()

    async def list_nodes(self, request: ListNodesRequest, ctx: CallContext) -> ListNodesResponse:
        return ListNodesResponse(nodes=await self._live(request.role or NodeRole.MESSAGE))

    # -- placement -----------------------------------------------------------------------------
    async def place_user(self, request: PlaceUserRequest, ctx: CallContext) -> PlaceUserResponse:
        live = {n.node_id: n for n in await self._live(NodeRole.MESSAGE)}
        if not live:
            raise none_running(NodeRole.MESSAGE)
        current = await self._online.get_user_node(request.user_id)
        if current in live:
            return PlaceUserResponse(node=live[current])
        # Another instance may be placing the same user right now: the claim makes both
        # return the node the first of them chose.
        chosen = await self._registry.claim_placement(
            request.user_id, least_loaded(live.values()).node_id, live.keys(),
            hold_ms=self._lease_ms)
        await self._online.set_user_node(request.user_id, chosen)
        return PlaceUserResponse(node=live[chosen])

    async def get_group_nodes(self, request: GetGroupNodesRequest,
                              ctx: CallContext) -> GetGroupNodesResponse:
        members = await self._social.list_member_ids(request.group_id)
        live_ids = {n.node_id for n in await self._live(NodeRole.MESSAGE)}
        by_node = await self._users_by_node(members, live_ids)
        return GetGroupNodesResponse(nodes=[
            GroupNodeMembers(node_id=n, user_ids=users) for n, users in sorted(by_node.items())
        ])

    async def _users_by_node(self, users: Iterable[int],
                             live_ids: set[int]) -> dict[int, list[int]]:
        """Live node id -> the users (in the order given) with a connection on it."""
        ordered = list(dict.fromkeys(users))
        connections = await self._online.get_connections_many(ordered)
        by_node: dict[int, list[int]] = {}
        for user in ordered:
            for node_id in sorted(set(connections.get(user, {}).values()) & live_ids):
                by_node.setdefault(node_id, []).append(user)
        return by_node

    async def select_seqnum_node(self, request: SelectSeqnumNodeRequest,
                                 ctx: CallContext) -> SelectSeqnumNodeResponse:
        live = {n.node_id: n for n in await self._live(NodeRole.SEQNUM)}
        if not live:
            raise none_running(NodeRole.SEQNUM)
        # The very ranking the message nodes' seqnum clients use, so both pick one instance.
        ranked = rendezvous_order(section_of(request.channel), live.keys())
        return SelectSeqnumNodeResponse(node=live[ranked[0]])

    # -- calls into the message nodes ------------------------------------------------------------
    async def relay(self, request: RelayRequest, ctx: CallContext) -> RelayResponse:
        wire, header = checked_frame(request.frame)
        live = await self._live(NodeRole.MESSAGE)
        if not live:
            raise none_running(NodeRole.MESSAGE)
        # The timestamp is the event's idempotency key: a caller that may retry passes the
        # same one again; without one, the event gets one no relay of any instance used.
        timestamp = header.timestamp or await self._relay_clock.next_timestamp(self._clock())
        submit = SubmitRequest(frame=with_timestamp(wire, header, timestamp),
                               device_id=request.device_id or self._relay_device)
        unreachable: ApiError | None = None
        for node in await self._relay_order(header.receiver, live):
            try:
                answer = await self._message_node(node).submit(submit, ctx)
            except ApiError as exc:
                if exc.code != ErrorCode.UNAVAILABLE:
                    raise
                log.warning("relay: message node %d is unavailable (%s); trying another",
                            node.node_id, exc)
                unreachable = exc
                continue
            return RelayResponse(seqnum=answer.seqnum, timestamp_ms=answer.timestamp_ms)
        assert unreachable is not None
        raise ApiError(ErrorCode.UNAVAILABLE,
                       f"no message node took the relay; try again ({unreachable})")

    async def _relay_order(self, receiver: int, live: list[NodeInfo]) -> list[NodeInfo]:
        """The nodes that hold the receiver's connections first (the message is delivered
        there without a hop), then the rest; each part least loaded first."""
        holding: set[int] = set()
        if not is_group_id(receiver):  # a group's members are everywhere: any node will do
            holding = set((await self._online.get_connections(receiver)).values())
        return sorted(live, key=lambda n: (n.node_id not in holding, n.connections, n.node_id))

    async def disconnect_user(self, request: DisconnectUserRequest,
                              ctx: CallContext) -> DisconnectUserResponse:
        # The online state may lag behind a connection, so every live node is asked.
        order = DisconnectUserRequest(user_id=request.user_id, device_id=request.device_id,
                                      reason=disconnect_reason(request))

        async def disconnect(node: NodeInfo) -> int:
            answer = await self._message_node(node).disconnect(order, ctx)
            return answer.connections_closed

        closed = await _on_each(await self._live(NodeRole.MESSAGE), "disconnect", disconnect)
        return DisconnectUserResponse(connections_closed=sum(closed))

    async def notify(self, request: NotifyRequest, ctx: CallContext) -> NotifyResponse:
        wire, header = checked_frame(request.frame)
        if not header.timestamp:
            wire = with_timestamp(wire, header, self._clock())
        live = {n.node_id: n for n in await self._live(NodeRole.MESSAGE)}
        by_node = await self._users_by_node(request.user_ids, set(live))

        async def deliver(node: NodeInfo) -> int:
            delivery = Delivery(frame=wire, user_ids=by_node[node.node_id])
            answer = await self._message_node(node).deliver(
                DeliverRequest(deliveries=[delivery]), ctx)
            return answer.delivered

        delivered = await _on_each([live[n] for n in sorted(by_node)], "notify", deliver)
        return NotifyResponse(delivered=sum(delivered))


async def _on_each(nodes: Sequence[NodeInfo], what: str,
                   call: Callable[[NodeInfo], Awaitable[int]]) -> list[int]:
    """``call`` on every node at once; a node that is unavailable counts 0 (with a warning),
    any other failure is raised once every call has finished."""
    results = await asyncio.gather(*(call(node) for node in nodes), return_exceptions=True)
    counts: list[int] = []
    for node, result in zip(nodes, results, strict=True):
        if isinstance(result, ApiError) and result.code == ErrorCode.UNAVAILABLE:
            log.warning("%s: message node %d skipped, unavailable (%s)", what, node.node_id,
                        result)
            counts.append(0)
        elif isinstance(result, BaseException):
            raise result
        else:
            counts.append(result)
    return counts
