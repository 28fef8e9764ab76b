"""Connection-level behaviour of the message service: heartbeat, idle timeout with the
last-online time recorded, business messages relayed from the api delivered live and
stored, and the Prometheus metrics."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from prim.generated.prim.v1 import (
    Error,
    ErrorCode,
    FriendEvent,
    FriendEventKind,
    Header,
    MsgType,
    RelayRequest,
    WireFrame,
)
from prim.runtime.context import CallContext
from prim.runtime.storage.models import channel_key
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.asyncio.connect import connect
from prim.runtime.wire.settings import ClientSettings
from prim.services.node import Node
from tests.api.conftest import Backend, RunningNode, node_config
from tests.message.wire_users import (
    befriend,
    dial,
    make_user,
    next_frame,
    send_and_ack,
    text,
)

pytestmark = pytest.mark.anyio


async def test_ping_is_answered(running_node: RunningNode) -> None:
    user = await make_user(running_node)
    client = await dial(running_node, user)
    try:
        assert 0 <= await client.ping() < 5
        echoed = await client.echo(b"are you there", b"ext")
        assert (echoed.payload, echoed.extension) == (b"are you there", b"ext")
    finally:
        await client.close()


async def test_idle_connection_is_closed_and_last_online_recorded(
    backend: Backend, tmp_path: Path,
) -> None:
    node = Node(node_config(tmp_path, backend, **{"gateway.idle_timeout": 0.5}))
    endpoints = await node.start()
    try:
        rn = RunningNode(node, endpoints, None, backend.name)  # type: ignore[arg-type]
        user = await make_user(rn)
        host, port = endpoints.quic.rsplit(":", 1)
        client = await connect(host, int(port), token=user.token, user_id=user.user_id,
                               trust=Trust(ca_file=Path(endpoints.ca_cert)),
                               server_name="localhost",
                               settings=ClientSettings(ping_interval=None))
        before = node.clock()
        for _ in range(50):
            if client.closed is not None:
                break
            await asyncio.sleep(0.1)
        assert client.closed is not None
        assert client.closed.code == ErrorCode.IDLE_TIMEOUT
        assert node.storage is not None
        for _ in range(20):  # on_close runs right after the close
            last = await node.storage.online.get_last_online(user.user_id)
            if last is not None:
                break
            await asyncio.sleep(0.05)
        assert last is not None and last >= before
        assert await node.storage.online.get_connections(user.user_id) == {}
        await client.close()
    finally:
        await node.stop()


async def test_business_message_from_the_api_is_live_and_stored(
    running_node: RunningNode,
) -> None:
    rn = running_node
    storage = rn.node.storage
    assert storage is not None
    alice, bob = await make_user(rn), await make_user(rn)
    b = await dial(rn, bob)
    try:
        event = FriendEvent(kind=FriendEventKind.REQUESTED, requester_id=alice.user_id,
                            target_id=bob.user_id, message="let's be friends")
        answer = await rn.node.scheduler.relay(RelayRequest(frame=WireFrame(
            header=Header(version=1, sender=alice.user_id, receiver=bob.user_id,
                          type=MsgType.ADD_FRIEND),
            payload=bytes(event))), CallContext())
        live = await next_frame(b)
        assert live.type == MsgType.ADD_FRIEND and live.seqnum == answer.seqnum
        assert FriendEvent.parse(live.payload).message == "let's be friends"
        # Stored in the channel, and in the inbox for Bob's devices that were offline.
        await rn.settle()
        stored = await storage.messages.get(channel_key(alice.user_id, bob.user_id),
                                            answer.seqnum)
        assert stored is not None and stored.type == MsgType.ADD_FRIEND
        inbox = (await storage.inbox.get_inbox(bob.user_id, 0)).items
        assert any(e.peer_id == alice.user_id and e.last_seqnum == answer.seqnum
                   for e in inbox)
    finally:
        await b.close()


# The embedded node serves the message metrics beside the API; on a cluster each message
# node serves its own /metrics (tests/cluster).
@pytest.mark.single_node
async def test_metrics_are_exported_in_prometheus_text(running_node: RunningNode) -> None:
    rn = running_node
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    a, b = await dial(rn, alice), await dial(rn, bob)
    try:
        await send_and_ack(a, text(alice, bob.user_id, "count me"))
        await next_frame(b)
        answer = await rn.http.get("/metrics")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
        body = answer.text
        assert "prim_connections 2" in body
        assert 'prim_frames_in_total{type="TEXT"} 1' in body
        assert 'prim_acks_total{duplicate="false"} 1' in body
        assert 'prim_frames_out_total{type="TEXT"} 1' in body
        assert "prim_delivery_seconds_count 1" in body
    finally:
        await a.close()
        await b.close()


async def test_frames_past_the_rate_limit_are_refused_not_fatal(
    backend: Backend, tmp_path: Path,
) -> None:
    node = Node(node_config(tmp_path, backend, **{"limits.frames_per_second": 5}))
    rn = RunningNode(node, await node.start(), None, backend.name)  # type: ignore[arg-type]
    try:
        alice, bob = await make_user(rn), await make_user(rn)
        await befriend(rn, alice, bob)
        a = await dial(rn, alice)
        for i in range(12):
            await a.send(text(alice, bob.user_id, f"burst {i}"))
        answers = [await next_frame(a) for _ in range(12)]
        acked = [f for f in answers if f.type == MsgType.ACK]
        limited = [Error.parse(f.payload) for f in answers if f.type == MsgType.ERROR]
        assert len(acked) == 5 and len(limited) == 7  # the burst allowance is one second's
        assert all(e.code == ErrorCode.RATE_LIMITED for e in limited)
        await asyncio.sleep(0.5)  # tokens come back: the connection was never closed
        ack, _ = await send_and_ack(a, text(alice, bob.user_id, "later"))
        assert ack.seqnum == 6
        await a.close()
    finally:
        await node.stop()
