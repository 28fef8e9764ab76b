"""Placement by the cluster scheduler: users stay on their node while it lives, move when
its lease expires, go to the least-loaded node, and two instances placing one user at once
agree; group node planning and the choice of a channel's seqnum node, the same from every
instance."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from prim.generated.prim.v1 import (
    ErrorCode,
    GetGroupNodesRequest,
    HeartbeatRequest,
    NodeInfo,
    NodeRole,
    PlaceUserRequest,
    RegisterNodeRequest,
    SelectSeqnumNodeRequest,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.ports import AccountStore, SocialStore
from prim.runtime.storage.redis.online import RedisOnlineState
from prim.services.scheduler.cluster import ClusterScheduler
from prim.services.seqnum.allocator import section_of
from prim.services.seqnum.placement import rendezvous_order
from tests.scheduler.conftest import Backends, SchedulerFactory
from tests.scheduler.support import LEASE_SECONDS, FakeClock

pytestmark = pytest.mark.anyio
CTX = CallContext()


async def register(sched: ClusterScheduler, *, connections: int = 0,
                   role: NodeRole = NodeRole.MESSAGE) -> int:
    granted = await sched.register_node(RegisterNodeRequest(node=NodeInfo(
        role=role, address="h:1", rpc_address="h:2", connections=connections)), CTX)
    return granted.node_id


async def placed(sched: ClusterScheduler, user_id: int) -> int:
    answer = await sched.place_user(PlaceUserRequest(user_id=user_id), CTX)
    assert answer.node is not None
    return answer.node.node_id


async def test_no_node_no_placement(new_scheduler: SchedulerFactory) -> None:
    with pytest.raises(ApiError) as none:
        await placed(await new_scheduler(), 5)
    assert none.value.code == ErrorCode.UNAVAILABLE
    assert none.value.message == "no message node is running; try again"


async def test_least_loaded_then_stable_while_live_then_moved_when_dead(
        new_scheduler: SchedulerFactory, online: RedisOnlineState, clock: FakeClock) -> None:
    one, two = await new_scheduler(), await new_scheduler()
    a = await register(one, connections=5)
    b = await register(two, connections=2)
    c = await register(one, connections=2)
    assert await placed(one, 5) == b  # fewest connections, then the lowest id
    assert await online.get_user_node(5) == b
    await one.heartbeat(HeartbeatRequest(node_id=b, connections=100), CTX)
    assert await placed(two, 5) == b  # stable while b lives, however loaded
    # b misses its lease: the user moves to the least loaded of those left.
    clock.advance(LEASE_SECONDS * 1000 + 1)
    for node_id, load in ((a, 1), (c, 3)):
        await two.heartbeat(HeartbeatRequest(node_id=node_id, connections=load), CTX)
    assert await placed(two, 5) == a
    assert await placed(one, 5) == a
    assert await online.get_user_node(5) == a


async def test_the_node_a_user_connected_to_is_kept(new_scheduler: SchedulerFactory,
                                                    online: RedisOnlineState) -> None:
    sched = await new_scheduler()
    await register(sched)
    busy = await register(sched, connections=50)
    await online.set_user_node(9, busy)  # as the gateway records a connection
    assert await placed(sched, 9) == busy


class HeldUserNodeReads(RedisOnlineState):
    """Reads a user's node at once but answers only when ``release`` is set: a scheduler
    that looked just before another one placed the user."""

    def __init__(self, backends: Backends) -> None:
        super().__init__(Redis.from_url(backends.url), prefix=backends.prefix, owns_client=True)
        self.read = asyncio.Event()
        self.release = asyncio.Event()

    async def get_user_node(self, user_id: int) -> int | None:
        value = await super().get_user_node(user_id)
        self.read.set()
        await self.release.wait()
        return value


async def test_two_instances_placing_one_user_at_once_agree(
        new_scheduler: SchedulerFactory, backends: Backends) -> None:
    held = HeldUserNodeReads(backends)
    one, late = await new_scheduler(), await new_scheduler(online=held)
    a = await register(one, connections=0)
    b = await register(one, connections=1)
    racing = asyncio.create_task(placed(late, 7))
    await held.read.wait()  # `late` saw a as the least loaded and the user unplaced...
    await one.heartbeat(HeartbeatRequest(node_id=a, connections=10), CTX)
    assert await placed(one, 7) == b  # ...then a got busy and `one` placed the user on b
    held.release.set()
    assert await racing == b  # `late` still sees a as the least loaded, and agrees anyway
    await held.close()


async def test_many_concurrent_placements_agree(new_scheduler: SchedulerFactory) -> None:
    instances = [await new_scheduler() for _ in range(3)]
    nodes = [await register(instances[0], connections=i % 2) for i in range(4)]

    async def shuffle_loads() -> None:
        for i in range(20):
            for n, node_id in enumerate(nodes):
                await instances[1].heartbeat(
                    HeartbeatRequest(node_id=node_id, connections=(i + n) % 4), CTX)

    users = range(100, 130)
    answers, _ = await asyncio.gather(
        asyncio.gather(*(placed(s, u) for u in users for s in instances)), shuffle_loads())
    for index, _user in enumerate(users):
        assert len(set(answers[index * 3:index * 3 + 3])) == 1


async def test_group_nodes_are_the_live_nodes_of_online_members(
        new_scheduler: SchedulerFactory, online: RedisOnlineState, clock: FakeClock,
        users_and_groups: tuple[AccountStore, SocialStore]) -> None:
    accounts, social = users_and_groups
    u1, u2, u3, u4 = [(await accounts.create_user(f"u{i}", "hash")).user_id for i in range(4)]
    group = await social.create_group(u1, "team")
    for member in (u2, u3):
        await social.add_member(group.group_id, member)
    one, two = await new_scheduler(), await new_scheduler()
    dead = await register(one)
    clock.advance(LEASE_SECONDS * 1000 + 1)
    a, b = await register(one), await register(two)
    await online.add_connection(u1, "phone", a)
    await online.add_connection(u3, "phone", b)
    await online.add_connection(u3, "laptop", a)
    await online.add_connection(u2, "phone", dead)  # a stale entry of a dead node
    await online.add_connection(u4, "phone", a)  # not a member
    for sched in (one, two):
        plan = await sched.get_group_nodes(GetGroupNodesRequest(group_id=group.group_id), CTX)
        assert [(n.node_id, n.user_ids) for n in plan.nodes] == [(a, [u1, u3]), (b, [u3])]
    empty = await one.get_group_nodes(GetGroupNodesRequest(group_id=group.group_id + 1), CTX)
    assert empty.nodes == []


async def test_a_channel_s_seqnum_node_is_its_best_ranked_live_one(
        new_scheduler: SchedulerFactory, clock: FakeClock) -> None:
    one, two = await new_scheduler(), await new_scheduler()
    with pytest.raises(ApiError) as none:
        await one.select_seqnum_node(SelectSeqnumNodeRequest(channel="u1-2"), CTX)
    assert none.value.code == ErrorCode.UNAVAILABLE
    await register(one)  # a message node is never a seqnum node
    ids = [await register(one, role=NodeRole.SEQNUM) for _ in range(3)]
    channels = [f"u{i}-{i + 1}" for i in range(30)] + ["g68719476736"]
    chosen: dict[str, int] = {}
    for channel in channels:
        answers = [await s.select_seqnum_node(SelectSeqnumNodeRequest(channel=channel), CTX)
                   for s in (one, two)]
        picked = {a.node.node_id for a in answers if a.node is not None}
        assert picked == {rendezvous_order(section_of(channel), ids)[0]}
        chosen[channel] = picked.pop()
    assert len(set(chosen.values())) > 1  # the channels are spread over the instances
    # The first instance dies: only its channels move, each to its next-ranked instance.
    clock.advance(LEASE_SECONDS * 1000 + 1)
    for node_id in ids[1:]:
        await two.heartbeat(HeartbeatRequest(node_id=node_id), CTX)
    for channel in channels:
        answer = await one.select_seqnum_node(SelectSeqnumNodeRequest(channel=channel), CTX)
        assert answer.node is not None
        expected = chosen[channel] if chosen[channel] != ids[0] else rendezvous_order(
            section_of(channel), ids[1:])[0]
        assert answer.node.node_id == expected
