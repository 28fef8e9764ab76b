"""One-to-one chat over real QUIC/TCP connections: Send/Ack, delivery to every device,
copies to the sender's other devices, idempotent resend, offline inbox and the exact
missed range, who may write to whom."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.runtime.storage.models import channel_key
from prim.runtime.wire.client_errors import AuthenticationFailed
from prim.runtime.wire.frame import Frame
from prim.services.node import Node
from tests.api.conftest import Backend, RunningNode, node_config
from tests.message.wire_users import (
    User,
    befriend,
    client_ts,
    dial,
    make_user,
    new_device,
    next_frame,
    nothing_arrives,
    send_and_ack,
    text,
)

pytestmark = pytest.mark.anyio


async def test_two_users_chat_with_acks_and_every_device(running_node: RunningNode) -> None:
    rn = running_node
    alice, bob = await make_user(rn, "alice"), await make_user(rn, "bob")
    await befriend(rn, alice, bob)
    alice_phone = await new_device(rn, alice)
    bob_laptop = await new_device(rn, bob)
    a1, a2 = await dial(rn, alice), await dial(rn, alice_phone, "tcp")
    b1, b2 = await dial(rn, bob), await dial(rn, bob_laptop)
    try:
        sent = text(alice, bob.user_id, "hello bob")
        ack, payload = await send_and_ack(a1, sent)
        assert ack.seqnum == 1 and not payload.duplicate
        assert payload.server_timestamp_ms > 0
        for device in (b1, b2, a2):  # both of Bob's devices, and Alice's other device
            got = await next_frame(device)
            assert (got.type, got.sender, got.receiver, got.seqnum, got.payload) == (
                MsgType.TEXT, alice.user_id, bob.user_id, 1, b"hello bob")
            assert got.timestamp == payload.server_timestamp_ms
        assert await nothing_arrives(a1)  # the sending device gets the Ack only

        ack2, _ = await send_and_ack(b2, text(bob, alice.user_id, "hi alice"))
        assert ack2.seqnum == 2  # one channel, both directions
        assert (await next_frame(a1)).seqnum == 2
    finally:
        for c in (a1, a2, b1, b2):
            await c.close()


async def test_resend_after_lost_ack_gets_the_original_seqnum(running_node: RunningNode) -> None:
    rn = running_node
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    a, b = await dial(rn, alice), await dial(rn, bob)
    try:
        frame = text(alice, bob.user_id, "only once")
        first, _ = await send_and_ack(a, frame)
        assert (await next_frame(b)).seqnum == first.seqnum
        # The client never saw the Ack (say): it resends the very same frame.
        again, payload = await send_and_ack(a, frame)
        assert again.seqnum == first.seqnum and payload.duplicate
        assert await nothing_arrives(b)  # no second copy
        # Resending from another connection after a reconnect: still one message.
        await a.close()
        a = await dial(rn, alice, "tcp")
        third, payload = await send_and_ack(a, frame)
        assert third.seqnum == first.seqnum and payload.duplicate
        storage = rn.node.storage
        assert storage is not None
        stored = await storage.messages.read_forward(channel_key(alice.user_id, bob.user_id),
                                                     1, 10)
        assert [m.payload for m in stored] == [b"only once"]
    finally:
        await a.close()
        await b.close()


async def test_concurrent_resends_store_one_message(running_node: RunningNode) -> None:
    rn = running_node
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    clients = [await dial(rn, alice) for _ in range(4)]
    try:
        frame = text(alice, bob.user_id, "race")
        acks = await asyncio.gather(*(send_and_ack(c, frame) for c in clients))
        assert len({ack.seqnum for ack, _ in acks}) == 1
        assert sum(not p.duplicate for _, p in acks) == 1
    finally:
        for c in clients:
            await c.close()


async def test_offline_user_finds_the_peer_in_the_inbox_and_fetches_the_gap(
    running_node: RunningNode,
) -> None:
    rn = running_node
    storage = rn.node.storage
    assert storage is not None
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    a, b = await dial(rn, alice), await dial(rn, bob)
    await send_and_ack(a, text(alice, bob.user_id, "m1"))
    seen = (await next_frame(b)).seqnum
    await b.close()
    await asyncio.sleep(0.05)
    last_online = await storage.online.get_last_online(bob.user_id)
    assert last_online is not None
    for body in ("m2", "m3", "m4"):
        await send_and_ack(a, text(alice, bob.user_id, body))
    await a.close()
    await rn.settle()
    inbox = (await storage.inbox.get_inbox(bob.user_id, last_online)).items
    entry = next(e for e in inbox if e.peer_id == alice.user_id)
    assert entry.last_seqnum == seen + 3
    missed = await storage.messages.read_forward(
        channel_key(alice.user_id, bob.user_id), seen + 1, entry.last_seqnum - seen)
    assert [m.payload for m in missed] == [b"m2", b"m3", b"m4"]
    assert [m.seqnum for m in missed] == [seen + 1, seen + 2, seen + 3]


async def test_strangers_and_blocked_users_are_refused(running_node: RunningNode) -> None:
    rn = running_node
    storage = rn.node.storage
    assert storage is not None
    alice, bob, carol = await make_user(rn), await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    a, b = await dial(rn, alice), await dial(rn, bob)
    try:
        stranger = text(alice, carol.user_id, "hi stranger")
        await a.send(stranger)
        err = await next_frame(a)
        assert err.type == MsgType.ERROR
        error = Error.parse(err.payload)
        assert error.code == ErrorCode.PERMISSION_DENIED
        assert error.ref_timestamp_ms == stranger.timestamp  # the client can tell which one
        await storage.social.block(bob.user_id, alice.user_id)
        await a.send(text(alice, bob.user_id, "are you there?"))
        assert Error.parse((await next_frame(a)).payload).code == ErrorCode.BLOCKED
        assert await nothing_arrives(b)
        # The connection is still usable after refusals.
        assert await a.ping() >= 0
    finally:
        await a.close()
        await b.close()


async def test_spoofed_sender_and_bad_auth_are_refused(running_node: RunningNode) -> None:
    rn = running_node
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    a = await dial(rn, alice)
    b = await dial(rn, bob)
    try:
        spoof = Frame(type=MsgType.TEXT, sender=bob.user_id, receiver=alice.user_id,
                      timestamp=client_ts(), payload=b"I am bob")
        await a.send(spoof)
        err = await next_frame(a)
        assert err.type == MsgType.ERROR
        assert Error.parse(err.payload).code == ErrorCode.SENDER_MISMATCH
        assert await nothing_arrives(b)
    finally:
        await a.close()
        await b.close()
    with pytest.raises(AuthenticationFailed):
        await dial(rn, User(alice.user_id, "prim_not-a-token"))
    with pytest.raises(AuthenticationFailed):  # Bob's token, claiming to be Alice
        await dial(rn, User(alice.user_id, bob.token))


async def test_resend_after_a_server_restart_gets_the_original_seqnum(
    backend: Backend, tmp_path: Path,
) -> None:
    """The restarted process remembers no recent keys: the store's key check answers."""
    node = Node(node_config(tmp_path, backend))
    rn = RunningNode(node, await node.start(), None, backend.name)  # type: ignore[arg-type]
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    frame = text(alice, bob.user_id, "before the crash")
    a = await dial(rn, alice)
    first, _ = await send_and_ack(a, frame)
    await a.close()
    await node.stop()

    node = Node(node_config(tmp_path, backend))
    rn = RunningNode(node, await node.start(), None, backend.name)  # type: ignore[arg-type]
    try:
        a, b = await dial(rn, alice), await dial(rn, bob)
        again, payload = await send_and_ack(a, frame)
        assert again.seqnum == first.seqnum and payload.duplicate
        assert await nothing_arrives(b)
        # The next new message gets a higher seqnum than anything before the restart.
        later, _ = await send_and_ack(a, text(alice, bob.user_id, "after"))
        assert later.seqnum > first.seqnum
        await a.close()
        await b.close()
    finally:
        await node.stop()
