"""The in-process scheduler: registration with leases, placement on the least-loaded live
node (sticky while it lives), group node planning, and relay into the pipeline."""

from __future__ import annotations

import pytest

from prim.generated.prim.v1 import (
    DisconnectUserRequest,
    GetGroupNodesRequest,
    Header,
    HeartbeatRequest,
    ListNodesRequest,
    MsgType,
    NodeInfo,
    NodeRole,
    NotifyRequest,
    PlaceUserRequest,
    RegisterNodeRequest,
    RelayRequest,
    UnregisterNodeRequest,
    WireFrame,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.memory.online import MemoryOnlineState
from prim.runtime.wire.frame import Frame
from prim.services.message.pipeline import Sequenced
from prim.services.scheduler.local import LocalScheduler

pytestmark = pytest.mark.anyio
CTX = CallContext()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000

    def __call__(self) -> int:
        return self.now


class Members:
    """Just enough of SocialStore for group planning."""

    async def list_member_ids(self, group_id: int) -> list[int]:
        return [1, 2, 3]


async def test_lease_placement_and_stickiness() -> None:
    clock, online = Clock(), MemoryOnlineState()
    relayed: list[Frame] = []
    devices: list[str] = []

    async def relay(frame: Frame, *, device: str) -> Sequenced:
        relayed.append(frame)
        devices.append(device)
        return Sequenced(7, clock(), False)

    disconnected: list[tuple[int, str, str]] = []

    async def disconnect(user_id: int, device_id: str, reason: str) -> int:
        disconnected.append((user_id, device_id, reason))
        return 2

    sched = LocalScheduler(online=online, social=Members(),  # type: ignore[arg-type]
                           relay_target=relay, disconnect_target=disconnect,
                           notify_target=lambda frame, users: len(users), clock=clock,
                           lease_seconds=30)
    with pytest.raises(ApiError):  # nothing registered yet
        await sched.place_user(PlaceUserRequest(user_id=5), CTX)
    a = await sched.register_node(RegisterNodeRequest(node=NodeInfo(
        role=NodeRole.MESSAGE, address="a:1")), CTX)
    b = await sched.register_node(RegisterNodeRequest(node=NodeInfo(
        role=NodeRole.MESSAGE, address="b:1")), CTX)
    assert (a.node_id, b.node_id, a.lease_seconds) == (1, 2, 30)
    await sched.heartbeat(HeartbeatRequest(node_id=1, connections=10), CTX)
    placed = await sched.place_user(PlaceUserRequest(user_id=5), CTX)
    assert placed.node is not None and placed.node.node_id == 2  # the least loaded
    await sched.heartbeat(HeartbeatRequest(node_id=2, connections=50), CTX)
    again = await sched.place_user(PlaceUserRequest(user_id=5), CTX)
    assert again.node is not None and again.node.node_id == 2  # sticky while alive
    clock.now += 31_000
    await sched.heartbeat(HeartbeatRequest(node_id=1, connections=0), CTX)
    moved = await sched.place_user(PlaceUserRequest(user_id=5), CTX)
    assert moved.node is not None and moved.node.node_id == 1  # node 2 missed its lease
    listed = await sched.list_nodes(ListNodesRequest(role=NodeRole.MESSAGE), CTX)
    assert [n.node_id for n in listed.nodes] == [1]
    await sched.unregister_node(UnregisterNodeRequest(node_id=1), CTX)
    with pytest.raises(ApiError):
        await sched.heartbeat(HeartbeatRequest(node_id=1), CTX)

    # In-process nodes never expire.
    sched.register_in_process(NodeInfo(node_id=9, role=NodeRole.MESSAGE, address="local"))
    clock.now += 10**9
    local = await sched.place_user(PlaceUserRequest(user_id=6), CTX)
    assert local.node is not None and local.node.node_id == 9

    # Group planning: members grouped by the nodes their devices are on.
    await online.add_connection(1, "d1", 9)
    await online.add_connection(3, "d3", 9)
    await online.add_connection(3, "d4", 4)
    plan = await sched.get_group_nodes(GetGroupNodesRequest(group_id=1 << 36), CTX)
    assert [(n.node_id, sorted(n.user_ids)) for n in plan.nodes] == [(4, [3]), (9, [1, 3])]

    # Relay: without a timestamp each event gets a fresh, distinct one.
    for _ in range(2):
        await sched.relay(RelayRequest(frame=WireFrame(header=Header(
            sender=1, receiver=2, type=MsgType.ADD_FRIEND))), CTX)
    assert len({f.timestamp for f in relayed}) == 2
    # ... sent from this start's relay device (a key no earlier start used), unless the
    # caller names one.
    assert devices[0] == devices[1] and devices[0].startswith("relay:")
    await sched.relay(RelayRequest(frame=WireFrame(header=Header(
        sender=1, receiver=2, type=MsgType.ADD_FRIEND)), device_id="relay:api"), CTX)
    assert devices[2] == "relay:api"
    restarted = LocalScheduler(online=online, social=Members(),  # type: ignore[arg-type]
                           relay_target=relay, disconnect_target=disconnect,
                           notify_target=lambda frame, users: len(users), clock=clock)
    await restarted.relay(RelayRequest(frame=WireFrame(header=Header(
        sender=1, receiver=2, type=MsgType.ADD_FRIEND))), CTX)
    assert devices[3].startswith("relay:") and devices[3] != devices[0]  # a restart
    with pytest.raises(ApiError):
        await sched.relay(RelayRequest(), CTX)

    # Disconnect goes to this process's gateway, with a default reason.
    answer = await sched.disconnect_user(DisconnectUserRequest(user_id=5, device_id="d"), CTX)
    assert answer.connections_closed == 2
    assert disconnected == [(5, "d", "the session has ended")]

    # Notify hands the frame to the live-delivery target.
    told = await sched.notify(NotifyRequest(frame=WireFrame(header=Header(
        sender=1, receiver=2, type=MsgType.READ_RECEIPT)), user_ids=[1, 2]), CTX)
    assert told.delivered == 2
