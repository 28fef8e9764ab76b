"""The node registry in Redis through the cluster scheduler: ids granted (fresh ones unique
across instances), heartbeats, lease expiry on the injected clock, forgetting long-dead
nodes, unregistering, and what any other instance sees of all that."""

from __future__ import annotations

import asyncio

import pytest

from prim.generated.prim.v1 import (
    ErrorCode,
    HeartbeatRequest,
    ListNodesRequest,
    NodeInfo,
    NodeRole,
    RegisterNodeRequest,
    UnregisterNodeRequest,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.factory import redis_client
from prim.runtime.storage.redis.nodes import FORGET_AFTER_LEASES, RedisNodeRegistry
from prim.services.scheduler.cluster import ClusterScheduler
from prim.services.scheduler.relay_clock import RedisRelayClock
from tests.scheduler.conftest import Backends, SchedulerFactory
from tests.scheduler.support import LEASE_SECONDS, FakeClock

pytestmark = pytest.mark.anyio
CTX = CallContext()
LEASE_MS = LEASE_SECONDS * 1000


def message_node(node_id: int = 0, address: str = "") -> RegisterNodeRequest:
    return RegisterNodeRequest(node=NodeInfo(
        node_id=node_id, role=NodeRole.MESSAGE, address=address or f"m{node_id}:443",
        tcp_address="tcp:443", rpc_address="rpc:7000"))


async def listed(sched: ClusterScheduler, role: NodeRole = NodeRole.MESSAGE) -> list[int]:
    answer = await sched.list_nodes(ListNodesRequest(role=role), CTX)
    return [n.node_id for n in answer.nodes]


async def test_fresh_ids_are_unique_across_instances(new_scheduler: SchedulerFactory) -> None:
    one, two = await new_scheduler(), await new_scheduler()
    granted = await asyncio.gather(*(
        sched.register_node(message_node(), CTX) for sched in [one, two] * 10))
    ids = [g.node_id for g in granted]
    assert len(set(ids)) == 20 and min(ids) >= 1
    assert {g.lease_seconds for g in granted} == {LEASE_SECONDS}
    assert await listed(one) == sorted(ids) == await listed(two)


async def test_a_requested_id_is_granted_and_fresh_ids_stay_clear_of_it(
        new_scheduler: SchedulerFactory) -> None:
    one, two = await new_scheduler(), await new_scheduler()
    assert (await one.register_node(message_node(50), CTX)).node_id == 50
    assert (await two.register_node(message_node(), CTX)).node_id == 51
    # Another role's live process may not take the id: heartbeats and unregistering
    # name the id alone, so the two would keep each other alive.
    with pytest.raises(ApiError) as taken:
        await one.register_node(RegisterNodeRequest(node=NodeInfo(
            node_id=50, role=NodeRole.SEQNUM, rpc_address="rpc:7001")), CTX)
    assert (taken.value.code, taken.value.field) == (ErrorCode.ALREADY_EXISTS, "node.node_id")
    assert await listed(two, NodeRole.SEQNUM) == []
    assert await listed(two) == [50, 51]
    stored = (await two.list_nodes(ListNodesRequest(role=NodeRole.MESSAGE), CTX)).nodes[0]
    assert (stored.address, stored.tcp_address, stored.rpc_address) == (
        "m50:443", "tcp:443", "rpc:7000")


async def test_registration_is_refused_without_a_node_a_role_or_with_an_id_too_big(
        new_scheduler: SchedulerFactory) -> None:
    sched = await new_scheduler()
    for request, field in [
        (RegisterNodeRequest(), "node"),
        (RegisterNodeRequest(node=NodeInfo(address="x:1")), "node.role"),
        (RegisterNodeRequest(node=NodeInfo(node_id=1 << 18, role=NodeRole.MESSAGE)),
         "node.node_id"),
    ]:
        with pytest.raises(ApiError) as refused:
            await sched.register_node(request, CTX)
        assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ARGUMENT, field)


async def test_heartbeats_keep_a_node_live_and_its_lease_expires_without_them(
        new_scheduler: SchedulerFactory, clock: FakeClock) -> None:
    one, two = await new_scheduler(), await new_scheduler()
    a = (await one.register_node(message_node(), CTX)).node_id
    b = (await one.register_node(message_node(), CTX)).node_id
    clock.advance(LEASE_MS - 1000)
    await two.heartbeat(HeartbeatRequest(node_id=a, connections=7), CTX)
    clock.advance(2000)  # b is now past its lease, a is not
    assert await listed(one) == [a]
    nodes = (await two.list_nodes(ListNodesRequest(), CTX)).nodes  # role defaults to message
    assert [(n.node_id, n.connections, n.last_heartbeat_at_ms) for n in nodes] == [
        (a, 7, clock.now - 2000)]
    # A late heartbeat (within the grace before it is forgotten) brings b back.
    await one.heartbeat(HeartbeatRequest(node_id=b, connections=1), CTX)
    assert await listed(two) == [a, b]


async def test_a_long_dead_node_is_forgotten_and_must_register_again(
        new_scheduler: SchedulerFactory, clock: FakeClock) -> None:
    one, two = await new_scheduler(), await new_scheduler()
    a = (await one.register_node(message_node(), CTX)).node_id
    clock.advance(FORGET_AFTER_LEASES * LEASE_MS + 1)
    assert await listed(two) == []  # ...and this listing forgot it
    with pytest.raises(ApiError) as forgotten:
        await one.heartbeat(HeartbeatRequest(node_id=a), CTX)
    assert forgotten.value.code == ErrorCode.NOT_FOUND
    assert (await two.register_node(message_node(a), CTX)).node_id == a
    assert await listed(one) == [a]


async def test_unregister_and_heartbeat_of_an_unknown_node(
        new_scheduler: SchedulerFactory) -> None:
    one, two = await new_scheduler(), await new_scheduler()
    a = (await one.register_node(message_node(), CTX)).node_id
    await two.unregister_node(UnregisterNodeRequest(node_id=a), CTX)
    assert await listed(one) == []
    for node_id in (a, 999):
        with pytest.raises(ApiError) as unknown:
            await one.heartbeat(HeartbeatRequest(node_id=node_id, connections=1), CTX)
        assert (unknown.value.code, unknown.value.field) == (ErrorCode.NOT_FOUND, "node_id")
        assert "register it again" in unknown.value.message
    await two.unregister_node(UnregisterNodeRequest(node_id=999), CTX)  # harmless


async def test_a_heartbeat_racing_a_re_registration_keeps_the_new_record(
        new_scheduler: SchedulerFactory) -> None:
    one, two = await new_scheduler(), await new_scheduler()
    a = (await one.register_node(message_node(address="old:1"), CTX)).node_id
    for round_ in range(20):
        address = f"new{round_}:1"
        await asyncio.gather(
            one.heartbeat(HeartbeatRequest(node_id=a, connections=round_), CTX),
            two.register_node(message_node(a, address), CTX),
        )
        nodes = (await one.list_nodes(ListNodesRequest(), CTX)).nodes
        assert [(n.node_id, n.address) for n in nodes] == [(a, address)]


async def test_state_lives_under_the_url_s_prefix(backends: Backends) -> None:
    client, prefix = redis_client(f"{backends.url}?prefix={backends.prefix}")
    assert prefix == backends.prefix
    registry = RedisNodeRegistry(client, prefix=prefix, owns_client=True)
    relay_clock = RedisRelayClock(client, prefix=prefix)
    node = await registry.register(NodeInfo(role=NodeRole.SEQNUM, rpc_address="s:1"), now=5)
    assert (node.node_id, node.last_heartbeat_at_ms) == (1, 5)
    assert await registry.claim_placement(7, 1, [1], hold_ms=60_000) == 1
    assert await relay_clock.next_timestamp(10) == 10
    keys = sorted(k.decode() for k in await client.keys(f"{prefix}*") if isinstance(k, bytes))
    assert keys == [f"{prefix}{k}" for k in (
        "nodes:next_id", "nodes:seqnum", "placing:{7}", "relay:last_ts")]
    await registry.close()


async def test_the_browser_endpoints_are_kept(new_scheduler: SchedulerFactory) -> None:
    """GetMyNode on another process reads them from the registry."""
    one, two = await new_scheduler(), await new_scheduler()
    request = message_node(60)
    assert request.node is not None
    request.node.websocket_url = "wss://m60:4434/"
    request.node.webtransport_url = "https://m60:4434/wire"
    request.node.webtransport_certificate_hashes = ["ab" * 32]
    await one.register_node(request, CTX)
    [node] = (await two.list_nodes(ListNodesRequest(role=NodeRole.MESSAGE), CTX)).nodes
    assert (node.websocket_url, node.webtransport_url, node.webtransport_certificate_hashes
            ) == ("wss://m60:4434/", "https://m60:4434/wire", ["ab" * 32])
