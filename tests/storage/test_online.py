"""Contract: OnlineState in process memory and on Redis."""

from __future__ import annotations

import pytest

from prim.runtime.storage.ports import OnlineState

pytestmark = pytest.mark.anyio
U, V = 10_001, 10_002


async def test_connections_per_device(online: OnlineState) -> None:
    assert await online.get_connections(U) == {}
    await online.add_connection(U, "phone", 1)
    await online.add_connection(U, "laptop", 2)
    await online.add_connection(V, "phone", 1)
    assert await online.get_connections(U) == {"phone": 1, "laptop": 2}
    # The phone reconnects to node 3; node 1's late cleanup must not drop it.
    await online.add_connection(U, "phone", 3)
    assert not await online.remove_connection(U, "phone", node_id=1)
    assert await online.get_connections(U) == {"phone": 3, "laptop": 2}
    assert await online.remove_connection(U, "phone", node_id=3)
    assert await online.remove_connection(U, "laptop")
    assert not await online.remove_connection(U, "laptop")
    assert await online.get_connections(U) == {}
    assert await online.get_connections(V) == {"phone": 1}


async def test_user_node_placement(online: OnlineState) -> None:
    assert await online.get_user_node(U) is None
    await online.set_user_node(U, 4)
    assert await online.get_user_node(U) == 4
    assert not await online.clear_user_node(U, node_id=5)
    assert await online.get_user_node(U) == 4
    assert await online.clear_user_node(U, node_id=4)
    assert not await online.clear_user_node(U)
    await online.set_user_node(U, 6)
    assert await online.clear_user_node(U)
    assert await online.get_user_node(U) is None


async def test_last_online_only_moves_forward(online: OnlineState) -> None:
    assert await online.get_last_online(U) is None
    await online.set_last_online(U, 2_000)
    await online.set_last_online(U, 1_000)  # a late write from a slower node
    assert await online.get_last_online(U) == 2_000
    await online.set_last_online(U, 3_000)
    assert await online.get_last_online(U) == 3_000


async def test_forget_user(online: OnlineState) -> None:
    await online.add_connection(U, "phone", 1)
    await online.set_user_node(U, 1)
    await online.set_last_online(U, 1_000)
    await online.add_connection(V, "phone", 1)
    await online.forget_user(U)
    assert await online.get_connections(U) == {}
    assert await online.get_user_node(U) is None
    assert await online.get_last_online(U) is None
    assert await online.get_connections(V) == {"phone": 1}
