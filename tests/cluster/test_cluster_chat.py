"""Chat on a real cluster: users whose devices sit on different message nodes, a group that
spans both nodes, business messages from the HTTP side, idempotent resends across nodes,
and history/inbox persisted by the msgprocessor from Kafka exactly once."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from prim.generated.prim.v1 import (
    AckPayload,
    FriendEvent,
    FriendEventKind,
    MsgType,
    ReadReceiptPayload,
    SetReadMarkerRequest,
)
from prim.runtime.wire.client_errors import ConnectionClosedError
from tests.cluster.harness import ClusterThread
from tests.cluster.people import (
    Person,
    eventually,
    friends,
    history_texts,
    next_of,
    person,
    send_acked,
    text,
)

pytestmark = pytest.mark.anyio


async def test_every_process_is_healthy_and_serves_metrics(cluster: ClusterThread) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        for name, member in cluster.cluster.members.items():
            health = await http.get(str(member.ready["health"]))
            assert (health.status_code, health.json()) == (200, {"status": "ok"}), name
            metrics = await http.get(str(member.ready["metrics"]))
            assert metrics.status_code == 200, name
        node = str(cluster.ready("message-1")["metrics"])
        assert "prim_cluster_wal_fsyncs_total" in (await http.get(node)).text


async def test_users_on_two_nodes_chat_with_every_device(cluster: ClusterThread) -> None:
    alice, bob = await person(cluster, "alice"), await person(cluster, "bob")
    await friends(alice, bob)
    alice_phone, bob_laptop = await alice.device(), await bob.device()
    a1, a2 = await alice.dial("message-1"), await alice_phone.dial("message-2", "tcp")
    b1, b2 = await bob.dial("message-2"), await bob_laptop.dial("message-1")
    try:
        sent = text(alice, bob.user_id, "hello bob")
        ack = await send_acked(a1, sent)
        assert not AckPayload.parse(ack.payload).duplicate
        for device in (b1, b2, a2):  # both of Bob's devices (both nodes), Alice's other one
            got = await next_of(device, MsgType.TEXT)
            assert (got.sender, got.receiver, got.seqnum, got.payload) == (
                alice.user_id, bob.user_id, ack.seqnum, b"hello bob")
        reply = await send_acked(b1, text(bob, alice.user_id, "hi alice"))
        assert reply.seqnum > ack.seqnum  # one channel, both directions, across nodes
        assert (await next_of(a1, MsgType.TEXT)).seqnum == reply.seqnum
        assert (await next_of(a2, MsgType.TEXT)).seqnum == reply.seqnum

        async def persisted() -> list[tuple[int, str]] | None:
            texts = await history_texts(alice, bob.user_id)
            return texts if len(texts) == 2 else None

        assert await eventually(persisted, what="both messages in history") == [
            (ack.seqnum, "hello bob"), (reply.seqnum, "hi alice")]

        async def inbox_names_alice() -> bool:
            return any(e.peer_id == alice.user_id for e in await bob.sdk.inbox(since_ms=1))

        await eventually(inbox_names_alice, what="Bob's inbox naming Alice")
    finally:
        for c in (a1, a2, b1, b2):
            await c.close()
        for p in (alice, bob, alice_phone, bob_laptop):
            await p.sdk.close()


async def test_a_resend_to_another_node_gets_the_original_seqnum(
        cluster: ClusterThread) -> None:
    alice, bob = await person(cluster), await person(cluster)
    await friends(alice, bob)
    a1 = await alice.dial("message-1")
    try:
        frame = text(alice, bob.user_id, "once only")
        first = await send_acked(a1, frame)
        assert await eventually(lambda: _has(alice, bob.user_id, "once only"),
                                what="the message in history")
        await a1.close()
        # The Ack was lost, say, and the client now talks to the other node.
        a2 = await alice.dial("message-2")
        again = await send_acked(a2, frame)
        assert again.seqnum == first.seqnum
        assert AckPayload.parse(again.payload).duplicate
        await asyncio.sleep(1.0)
        assert [t for _, t in await history_texts(alice, bob.user_id)] == ["once only"]
        await a2.close()
    finally:
        await alice.sdk.close()
        await bob.sdk.close()


async def _has(p: Person, peer: int, body: str) -> bool:
    return any(t == body for _, t in await history_texts(p, peer))


async def test_a_group_spans_both_nodes(cluster: ClusterThread) -> None:
    owner = await person(cluster, "owner")
    members = [await person(cluster, f"m{i}") for i in range(4)]
    group = await owner.sdk.create_group("book club")
    for m in members:
        await m.sdk.join_group(group.group_id, "let me in")
        await owner.sdk.approve_join(group.group_id, m.user_id)
    nodes = ["message-1", "message-2"]
    conns = [await m.dial(nodes[i % 2]) for i, m in enumerate(members)]
    o = await owner.dial("message-1")
    try:
        acks = [await send_acked(o, text(owner, group.group_id, f"post {i}")) for i in range(5)]
        for conn in conns:
            got = [await next_of(conn, MsgType.TEXT) for _ in range(5)]
            # In order, from the real author, on either node.
            assert [f.seqnum for f in got] == [a.seqnum for a in acks]
            assert {f.sender for f in got} == {owner.user_id}
            assert [f.payload for f in got] == [f"post {i}".encode() for i in range(5)]
        reply = await send_acked(conns[1], text(members[1], group.group_id, "thanks"))
        got = await next_of(o, MsgType.TEXT)
        assert (got.sender, got.seqnum) == (members[1].user_id, reply.seqnum)

        async def all_persisted() -> bool:
            return len(await history_texts(members[0], group.group_id)) == 6

        await eventually(all_persisted, what="the group's history")
    finally:
        for c in (*conns, o):
            await c.close()
        for p in (owner, *members):
            await p.sdk.close()


async def test_http_events_reach_users_on_any_node(cluster: ClusterThread) -> None:
    alice, bob = await person(cluster), await person(cluster)
    b = await bob.dial("message-2")
    a = await alice.dial("message-1")
    try:
        await alice.sdk.add_friend(bob.user_id, "hello from the api")
        notice = await next_of(b, MsgType.ADD_FRIEND)
        event = FriendEvent.parse(notice.payload)
        assert (event.kind, event.requester_id, event.message) == (
            FriendEventKind.REQUESTED, alice.user_id, "hello from the api")
        await bob.sdk.accept_friend(alice.user_id)
        # Alice's devices got a copy of her own request first.
        mine = FriendEvent.parse((await next_of(a, MsgType.ADD_FRIEND)).payload)
        assert mine.kind == FriendEventKind.REQUESTED
        accepted = FriendEvent.parse((await next_of(a, MsgType.ADD_FRIEND)).payload)
        assert accepted.kind == FriendEventKind.ACCEPTED

        # A read marker set over HTTP reaches the peer's node live (Notify).
        sent = await send_acked(a, text(alice, bob.user_id, "read me"))
        await next_of(b, MsgType.TEXT)
        await eventually(lambda: _has(bob, alice.user_id, "read me"), what="persisted")
        await bob.sdk.http.messages.set_read_marker(SetReadMarkerRequest(
            peer_id=alice.user_id, seqnum=sent.seqnum))
        receipt = await next_of(a, MsgType.READ_RECEIPT)
        assert ReadReceiptPayload.parse(receipt.payload).seqnum == sent.seqnum
    finally:
        await a.close()
        await b.close()
        await alice.sdk.close()
        await bob.sdk.close()


async def test_logout_closes_the_session_on_whichever_node(cluster: ClusterThread) -> None:
    alice = await person(cluster)
    phone = await alice.device()
    conn = await phone.dial("message-2")
    other = await alice.dial("message-1")
    try:
        await phone.sdk.log_out()
        with pytest.raises(ConnectionClosedError):
            async with asyncio.timeout(10):
                while True:
                    await conn.receive()
        # Only that session: the other device still sends.
        bob = await person(cluster)
        await friends(alice, bob)
        await send_acked(other, text(alice, bob.user_id, "still here"))
        await bob.sdk.close()
    finally:
        await conn.close()
        await other.close()
        await alice.sdk.close()
