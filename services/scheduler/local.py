"""SchedulerService for one process (the embedded deployment): the node registry in memory,
placement on the least-loaded live node, group node planning from the online state, and
the relay of api-originated messages into this process's message pipeline.

The production scheduler (cluster.py) keeps the same answers in Redis so several can run;
it implements the same generated interface, and both share requests.py and node_rules.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from prim.generated.interfaces import SchedulerServiceInterface
from prim.generated.prim.v1 import (
    DisconnectUserRequest,
    DisconnectUserResponse,
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
    UnregisterNodeRequest,
    UnregisterNodeResponse,
)
from prim.runtime.context import CallContext
from prim.runtime.storage.clock import StrictlyIncreasing
from prim.runtime.storage.models import Clock
from prim.runtime.storage.ports import OnlineState, SocialStore
from prim.runtime.wire.frame import Frame
from prim.services.message.pipeline import Sequenced
from prim.services.message.wire_frames import frame_from_wire
from prim.services.scheduler.node_rules import (
    DEFAULT_LEASE_SECONDS,
    least_loaded,
    none_running,
    not_registered,
)
from prim.services.scheduler.relay_clock import new_relay_device
from prim.services.scheduler.requests import disconnect_reason, required_node


class RelayTarget(Protocol):
    """Sequences a relayed frame as sent by `device` (the pipeline's submit)."""

    def __call__(self, frame: Frame, *, device: str) -> Awaitable[Sequenced]: ...


# (user id, device id or "" for every device, reason) -> connections closed
DisconnectTarget = Callable[[int, str, str], Awaitable[int]]
# (frame, users) -> connections it was queued to; live delivery only
NotifyTarget = Callable[[Frame, list[int]], int]


class LocalScheduler(SchedulerServiceInterface):
    def __init__(self, *, online: OnlineState, social: SocialStore, relay_target: RelayTarget,
                 disconnect_target: DisconnectTarget, notify_target: NotifyTarget,
                 clock: Clock,
                 lease_seconds: int = DEFAULT_LEASE_SECONDS) -> None:
        self._online = online
        self._social = social
        self._relay_target = relay_target
        self._disconnect_target = disconnect_target
        self._notify_target = notify_target
        self._clock = clock
        self._lease_ms = lease_seconds * 1000
        # Keyed by (node id, role): one process may be a message node and a seqnum node.
        self._nodes: dict[tuple[int, NodeRole], NodeInfo] = {}
        self._in_process: set[tuple[int, NodeRole]] = set()
        # One strictly increasing clock for all relays is unique for every pair too, and
        # keeps no state per pair.
        self._fresh_timestamp = StrictlyIncreasing(clock)
        # With the clock's timestamps, a key no earlier start of this process used.
        self._relay_device = new_relay_device()

    def _live(self, role: NodeRole) -> list[NodeInfo]:
        now = self._clock()
        return [n for key, n in self._nodes.items()
                if n.role == role and (key in self._in_process
                                       or now - n.last_heartbeat_at_ms <= self._lease_ms)]

    def register_in_process(self, node: NodeInfo) -> None:
        """A service of this very process: alive as long as the scheduler is, so it needs
        no heartbeats (and a test clock that jumps days ahead cannot expire it)."""
        key = (node.node_id, node.role)
        self._nodes[key] = node
        self._in_process.add(key)

    async def register_node(self, request: RegisterNodeRequest,
                            ctx: CallContext) -> RegisterNodeResponse:
        node = required_node(request)
        node_id = node.node_id or max((k[0] for k in self._nodes), default=0) + 1
        self._nodes[(node_id, node.role)] = NodeInfo(
            node_id=node_id, role=node.role, address=node.address,
            tcp_address=node.tcp_address, rpc_address=node.rpc_address,
            connections=node.connections, last_heartbeat_at_ms=self._clock(),
            webtransport_url=node.webtransport_url, websocket_url=node.websocket_url,
            webtransport_certificate_hashes=list(node.webtransport_certificate_hashes),
        )
        return RegisterNodeResponse(node_id=node_id, lease_seconds=self._lease_ms // 1000)

    async def unregister_node(self, request: UnregisterNodeRequest,
                              ctx: CallContext) -> UnregisterNodeResponse:
        for key in [k for k in self._nodes if k[0] == request.node_id]:
            del self._nodes[key]
            self._in_process.discard(key)
        return UnregisterNodeResponse()

    async def heartbeat(self, request: HeartbeatRequest, ctx: CallContext) -> HeartbeatResponse:
        nodes = [n for k, n in self._nodes.items() if k[0] == request.node_id]
        if not nodes:
            raise not_registered(request.node_id)
        for node in nodes:
            node.connections = request.connections
            node.last_heartbeat_at_ms = self._clock()
        return HeartbeatResponse()

    async def list_nodes(self, request: ListNodesRequest, ctx: CallContext) -> ListNodesResponse:
        role = request.role or NodeRole.MESSAGE
        return ListNodesResponse(nodes=self._live(role))

    async def place_user(self, request: PlaceUserRequest, ctx: CallContext) -> PlaceUserResponse:
        live = self._live(NodeRole.MESSAGE)
        if not live:
            raise none_running(NodeRole.MESSAGE)
        current = await self._online.get_user_node(request.user_id)
        for node in live:
            if node.node_id == current:
                return PlaceUserResponse(node=node)
        chosen = least_loaded(live)
        await self._online.set_user_node(request.user_id, chosen.node_id)
        return PlaceUserResponse(node=chosen)

    async def get_group_nodes(self, request: GetGroupNodesRequest,
                              ctx: CallContext) -> GetGroupNodesResponse:
        by_node: dict[int, list[int]] = {}
        for member in await self._social.list_member_ids(request.group_id):
            for node_id in set((await self._online.get_connections(member)).values()):
                by_node.setdefault(node_id, []).append(member)
        return GetGroupNodesResponse(nodes=[
            GroupNodeMembers(node_id=n, user_ids=users) for n, users in sorted(by_node.items())
        ])

    async def relay(self, request: RelayRequest, ctx: CallContext) -> RelayResponse:
        # The timestamp is the event's idempotency key: a caller that may retry passes the
        # same one again. Without one, each relay is a new event, so it gets a timestamp no
        # earlier relay has used.
        frame = frame_from_wire(request.frame, fresh_timestamp=self._fresh_timestamp)
        result = await self._relay_target(frame,
                                          device=request.device_id or self._relay_device)
        return RelayResponse(seqnum=result.seqnum, timestamp_ms=result.server_ts)

    async def disconnect_user(self, request: DisconnectUserRequest,
                              ctx: CallContext) -> DisconnectUserResponse:
        closed = await self._disconnect_target(request.user_id, request.device_id,
                                               disconnect_reason(request))
        return DisconnectUserResponse(connections_closed=closed)

    async def notify(self, request: NotifyRequest, ctx: CallContext) -> NotifyResponse:
        frame = frame_from_wire(request.frame, fresh_timestamp=self._clock)
        return NotifyResponse(delivered=self._notify_target(frame, list(request.user_ids)))

    async def select_seqnum_node(self, request: SelectSeqnumNodeRequest,
                                 ctx: CallContext) -> SelectSeqnumNodeResponse:
        live = self._live(NodeRole.SEQNUM)
        if not live:
            raise none_running(NodeRole.SEQNUM)
        # One seqnum node owns all channels until sections are split between nodes.
        return SelectSeqnumNodeResponse(node=min(live, key=lambda n: n.node_id))
