"""What the cluster scheduler asks of the message nodes (fakes that record the calls):
relays go to a node holding the receiver's connections, else the least loaded, and fail
over when a node is down; relay timestamps are unique across instances; disconnects reach
every live node; notifications reach the nodes of the users' connections."""

from __future__ import annotations

import asyncio

import pytest

from prim.generated.interfaces import MessageNodeServiceInterface
from prim.generated.prim.v1 import (
    DisconnectUserRequest,
    ErrorCode,
    Header,
    HeartbeatRequest,
    MsgType,
    NodeInfo,
    NodeRole,
    NotifyRequest,
    RegisterNodeRequest,
    RelayRequest,
    SubmitRequest,
    SubmitResponse,
    WireFrame,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.models import GROUP_ID_BASE
from prim.runtime.storage.redis.online import RedisOnlineState
from prim.services.scheduler.cluster import ClusterScheduler
from tests.scheduler.conftest import SchedulerFactory
from tests.scheduler.support import LEASE_SECONDS, FakeClock, FakeMessageNode, FakeMessageNodes

pytestmark = pytest.mark.anyio
CTX = CallContext()


async def register(sched: ClusterScheduler, connections: int = 0) -> int:
    granted = await sched.register_node(RegisterNodeRequest(node=NodeInfo(
        role=NodeRole.MESSAGE, address="h:1", rpc_address="h:2", connections=connections)),
        CTX)
    return granted.node_id


def frame(sender: int = 1, receiver: int = 2, timestamp: int = 0,
          type_: MsgType = MsgType.ADD_FRIEND) -> WireFrame:
    return WireFrame(header=Header(sender=sender, receiver=receiver, type=type_,
                                   timestamp=timestamp), payload=b"hi", extension=b"x")


def submitted_to(nodes: FakeMessageNodes) -> dict[int, int]:
    return {n: len(node.submitted) for n, node in nodes.by_id.items() if node.submitted}


async def test_a_relay_goes_to_a_node_holding_the_receiver_s_connections(
        new_scheduler: SchedulerFactory, message_nodes: FakeMessageNodes,
        online: RedisOnlineState, clock: FakeClock) -> None:
    sched = await new_scheduler()
    await register(sched, connections=0)
    holder = await register(sched, connections=40)
    await online.add_connection(2, "phone", holder)
    answer = await sched.relay(RelayRequest(frame=frame(receiver=2)), CTX)
    assert submitted_to(message_nodes) == {holder: 1}
    sent = message_nodes[holder].submitted[0].frame
    assert sent is not None and sent.header is not None
    assert (sent.header.sender, sent.header.receiver, sent.header.type) == (
        1, 2, MsgType.ADD_FRIEND)
    assert (sent.payload, sent.extension) == (b"hi", b"x")
    assert sent.header.timestamp >= clock.now  # minted here: the frame had none
    assert (answer.seqnum, answer.timestamp_ms) == (1, sent.header.timestamp)


async def test_without_connections_or_for_a_group_the_least_loaded_node_takes_it(
        new_scheduler: SchedulerFactory, message_nodes: FakeMessageNodes) -> None:
    sched = await new_scheduler()
    await register(sched, connections=9)
    light = await register(sched, connections=1)
    await sched.relay(RelayRequest(frame=frame(receiver=3)), CTX)
    await sched.relay(RelayRequest(frame=frame(receiver=GROUP_ID_BASE + 5)), CTX)
    assert submitted_to(message_nodes) == {light: 2}


async def test_a_relay_keeps_the_timestamp_it_was_given(
        new_scheduler: SchedulerFactory, message_nodes: FakeMessageNodes) -> None:
    sched = await new_scheduler()
    node_id = await register(sched)
    answer = await sched.relay(RelayRequest(frame=frame(timestamp=1234)), CTX)
    sent = message_nodes[node_id].submitted[0].frame
    assert sent is not None and sent.header is not None
    assert sent.header.timestamp == 1234 == answer.timestamp_ms


async def test_a_relay_is_sent_from_the_instance_s_per_start_device(
        new_scheduler: SchedulerFactory, message_nodes: FakeMessageNodes) -> None:
    """The device is part of the idempotency key: a relay of a restarted (or another)
    instance never meets a key stored before, whatever the clocks did; a caller's own
    device id is passed through."""
    first, restarted = await new_scheduler(), await new_scheduler()
    node_id = await register(first)
    await first.relay(RelayRequest(frame=frame(timestamp=1234)), CTX)
    await restarted.relay(RelayRequest(frame=frame(timestamp=1234)), CTX)
    await first.relay(RelayRequest(frame=frame(timestamp=1234), device_id="relay:api-1"), CTX)
    devices = [r.device_id for r in message_nodes[node_id].submitted]
    assert devices[0].startswith("relay:") and devices[1].startswith("relay:")
    assert devices[0] != devices[1] and devices[2] == "relay:api-1"


async def test_a_relay_fails_over_from_a_node_that_is_down(
        new_scheduler: SchedulerFactory, message_nodes: FakeMessageNodes,
        online: RedisOnlineState) -> None:
    sched = await new_scheduler()
    other = await register(sched, connections=5)
    holder = await register(sched)
    await online.add_connection(2, "phone", holder)
    message_nodes[holder].down = True
    await sched.relay(RelayRequest(frame=frame(receiver=2)), CTX)
    assert submitted_to(message_nodes) == {other: 1}
    message_nodes[other].down = True
    with pytest.raises(ApiError) as all_down:
        await sched.relay(RelayRequest(frame=frame(receiver=2)), CTX)
    assert all_down.value.code == ErrorCode.UNAVAILABLE


class Refusing(FakeMessageNode):
    async def submit(self, request: SubmitRequest, ctx: CallContext) -> SubmitResponse:
        raise ApiError(ErrorCode.PERMISSION_DENIED, "not a member", "frame")


async def test_an_answer_other_than_unavailable_is_final(
        new_scheduler: SchedulerFactory, message_nodes: FakeMessageNodes) -> None:
    refusing: dict[int, Refusing] = {}

    def client(node: NodeInfo) -> MessageNodeServiceInterface:
        return refusing.setdefault(node.node_id, Refusing(node.node_id))

    sched = await new_scheduler(message_node=client)
    await register(sched)
    await register(sched)
    with pytest.raises(ApiError) as refused:
        await sched.relay(RelayRequest(frame=frame()), CTX)
    assert (refused.value.code, refused.value.field) == (ErrorCode.PERMISSION_DENIED, "frame")


async def test_relays_are_refused_without_a_header_or_a_node(
        new_scheduler: SchedulerFactory) -> None:
    sched = await new_scheduler()
    for request in (RelayRequest(), RelayRequest(frame=WireFrame(payload=b"x"))):
        with pytest.raises(ApiError) as bad:
            await sched.relay(request, CTX)
        assert (bad.value.code, bad.value.field) == (ErrorCode.INVALID_ARGUMENT, "frame")
    with pytest.raises(ApiError) as none:
        await sched.relay(RelayRequest(frame=frame()), CTX)
    assert none.value.code == ErrorCode.UNAVAILABLE


async def test_relay_timestamps_are_unique_across_instances(
        new_scheduler: SchedulerFactory, message_nodes: FakeMessageNodes,
        clock: FakeClock) -> None:
    # Two instances hammering at once, one with a clock 5 s behind: every relay without a
    # timestamp still gets its own, increasing from the first instance's now.
    behind = FakeClock(clock.now - 5000)
    instances = [await new_scheduler(), await new_scheduler(scheduler_clock=behind)]
    node_id = await register(instances[0])
    stamps: list[int] = []
    for _wave in range(4):  # 45 at once per instance: within a Redis client's default pool
        answers = await asyncio.gather(*(
            sched.relay(RelayRequest(frame=frame(sender=1, receiver=2)), CTX)
            for _ in range(45) for sched in instances))
        stamps += [a.timestamp_ms for a in answers]
    assert len(set(stamps)) == len(stamps) == 360
    assert min(stamps) >= clock.now
    sent = [r.frame.header.timestamp for r in message_nodes[node_id].submitted
            if r.frame is not None and r.frame.header is not None]
    assert sorted(sent) == sorted(stamps)


async def test_disconnect_asks_every_live_node_and_skips_one_that_is_down(
        new_scheduler: SchedulerFactory, message_nodes: FakeMessageNodes,
        clock: FakeClock) -> None:
    one, two = await new_scheduler(), await new_scheduler()
    dead = await register(one)
    clock.advance(LEASE_SECONDS * 1000 + 1)
    a, b, down = await register(one), await register(two), await register(one)
    message_nodes[a].closes, message_nodes[b].closes = 2, 1
    message_nodes[down].down = True
    answer = await two.disconnect_user(DisconnectUserRequest(user_id=5, device_id="phone"), CTX)
    assert answer.connections_closed == 3
    for node_id in (a, b):
        assert [(r.user_id, r.device_id, r.reason) for r in message_nodes[node_id].disconnects
                ] == [(5, "phone", "the session has ended")]
    assert message_nodes[dead].disconnects == []  # its lease ran out: not asked
    await one.disconnect_user(DisconnectUserRequest(user_id=5, reason="deleted"), CTX)
    assert message_nodes[a].disconnects[-1].reason == "deleted"


async def test_notify_delivers_to_the_nodes_of_the_users_connections(
        new_scheduler: SchedulerFactory, message_nodes: FakeMessageNodes,
        online: RedisOnlineState, clock: FakeClock) -> None:
    sched = await new_scheduler()
    dead = await register(sched)
    clock.advance(LEASE_SECONDS * 1000 + 1)
    a, b, down = await register(sched), await register(sched), await register(sched)
    await sched.heartbeat(HeartbeatRequest(node_id=a), CTX)
    await online.add_connection(1, "phone", a)
    await online.add_connection(1, "laptop", b)
    await online.add_connection(2, "phone", a)
    await online.add_connection(3, "phone", dead)
    await online.add_connection(4, "phone", down)
    message_nodes[down].down = True
    receipt = frame(type_=MsgType.READ_RECEIPT)
    answer = await sched.notify(NotifyRequest(frame=receipt, user_ids=[2, 1, 3, 4, 5, 1]), CTX)
    assert answer.delivered == 3  # a: users 2 and 1, b: user 1; the rest not reachable
    assert message_nodes[dead].deliveries == []
    for node_id, users in ((a, [2, 1]), (b, [1])):
        [request] = message_nodes[node_id].deliveries
        [delivery] = request.deliveries
        assert delivery.user_ids == users
        assert delivery.frame is not None and delivery.frame.header is not None
        assert delivery.frame.header.type == MsgType.READ_RECEIPT
        assert delivery.frame.header.timestamp == clock.now  # stamped: it had none
        assert delivery.frame.payload == b"hi"
    with pytest.raises(ApiError):
        await sched.notify(NotifyRequest(user_ids=[1]), CTX)
