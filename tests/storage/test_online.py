"""Contract: OnlineState in process memory and on Redis."""

from __future__ import annotations

import pytest

from prim.runtime.storage.models import GROUP_ID_BASE, InboxEntry
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


async def test_inbox(online: OnlineState) -> None:
    group = GROUP_ID_BASE + 1
    assert await online.get_inbox(U, 0) == []
    await online.record_inbox(U, V, seqnum=3, ts=1_000)
    await online.record_inbox(U, group, seqnum=10, ts=1_500)
    await online.record_inbox(U, V, seqnum=4, ts=2_000)
    await online.record_inbox(U, V, seqnum=2, ts=1_200)  # out of order: ignored
    await online.record_inbox(V, U, seqnum=4, ts=2_000)
    assert await online.get_inbox(U, 0) == [InboxEntry(V, 4, 2_000), InboxEntry(group, 10, 1_500)]
    assert await online.get_inbox(U, 1_500) == [
        InboxEntry(V, 4, 2_000), InboxEntry(group, 10, 1_500),
    ]  # fmt: skip
    assert await online.get_inbox(U, 1_501) == [InboxEntry(V, 4, 2_000)]
    assert await online.get_inbox(U, 2_001) == []


async def test_read_markers(online: OnlineState) -> None:
    assert await online.get_read_markers(U, ["u1-2", "g9"]) == {"u1-2": 0, "g9": 0}
    assert await online.set_read_marker(U, "u1-2", 5) == 5
    assert await online.set_read_marker(U, "u1-2", 3) == 5  # never backwards
    assert await online.set_read_marker(U, "g9", 7) == 7
    assert await online.get_read_markers(U, ["u1-2", "g9", "g10"]) == {
        "u1-2": 5, "g9": 7, "g10": 0,
    }  # fmt: skip
    assert await online.get_read_markers(V, ["u1-2"]) == {"u1-2": 0}
    assert await online.get_read_markers(U, []) == {}
