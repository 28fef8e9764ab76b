"""Group chat over real connections: members only, fan-out to every online member with the
real author, strictly increasing seqnums under concurrent senders, and a large group that
does not stall a small conversation."""

from __future__ import annotations

import asyncio
import time

import pytest

from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.runtime.wire.asyncio.client import Client
from tests.api.conftest import RunningNode
from tests.message.wire_users import (
    befriend,
    dial,
    make_group,
    make_user,
    next_frame,
    nothing_arrives,
    send_and_ack,
    text,
)

pytestmark = pytest.mark.anyio


async def _close_all(clients: list[Client]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


async def test_members_only_and_the_author_is_recoverable(running_node: RunningNode) -> None:
    rn = running_node
    owner = await make_user(rn, "owner")
    member = await make_user(rn, "member")
    outsider = await make_user(rn, "outsider")
    group = await make_group(rn, owner, [member])
    o, m, x = await dial(rn, owner), await dial(rn, member), await dial(rn, outsider)
    try:
        ack, _ = await send_and_ack(m, text(member, group, "hello group"))
        got = await next_frame(o)
        assert (got.sender, got.receiver, got.seqnum, got.payload) == (
            member.user_id, group, ack.seqnum, b"hello group")
        await x.send(text(outsider, group, "let me in"))
        err = await next_frame(x)
        assert err.type == MsgType.ERROR
        assert Error.parse(err.payload).code == ErrorCode.PERMISSION_DENIED
        assert await nothing_arrives(o)
    finally:
        await _close_all([o, m, x])


async def test_seqnums_strictly_increase_under_50_concurrent_senders(
    running_node: RunningNode,
) -> None:
    rn = running_node
    owner = await make_user(rn, "owner")
    senders = [await make_user(rn, f"s{i}") for i in range(50)]
    group = await make_group(rn, owner, senders)
    listener = await dial(rn, owner)
    clients = await asyncio.gather(*(dial(rn, s, "tcp" if i % 2 else "quic")
                                     for i, s in enumerate(senders)))
    try:
        acks = await asyncio.gather(*(
            send_and_ack(c, text(s, group, f"from {s.user_id}"))
            for c, s in zip(clients, senders, strict=True)
        ))
        seqnums = sorted(ack.seqnum for ack, _ in acks)
        assert seqnums == list(range(seqnums[0], seqnums[0] + 50))  # distinct, dense
        received = [(await next_frame(listener, timeout=10)).seqnum for _ in range(50)]
        assert received == sorted(received)  # delivered in seqnum order
        assert set(received) == set(seqnums)
    finally:
        await _close_all([listener, *clients])


async def test_a_200_member_group_reaches_every_online_member(running_node: RunningNode) -> None:
    rn = running_node
    owner = await make_user(rn, "owner")
    members = [await make_user(rn, f"m{i}") for i in range(199)]
    group = await make_group(rn, owner, members)
    everyone = [owner, *members]
    clients: list[Client] = []
    for batch in range(0, 200, 50):  # connect in batches: 200 handshakes on 2 cores
        clients += await asyncio.gather(*(dial(rn, u, "tcp" if i % 3 == 0 else "quic")
                                          for i, u in enumerate(everyone[batch:batch + 50])))
    try:
        ack, _ = await send_and_ack(clients[0], text(owner, group, "all hands"))
        frames = await asyncio.gather(*(next_frame(c, timeout=15) for c in clients[1:]))
        assert all(f.seqnum == ack.seqnum and f.sender == owner.user_id for f in frames)
        assert len(frames) == 199
    finally:
        await _close_all(clients)


async def test_large_group_fanout_does_not_stall_a_small_conversation(
    running_node: RunningNode,
) -> None:
    rn = running_node
    owner = await make_user(rn, "owner")
    members = [await make_user(rn, f"m{i}") for i in range(150)]
    group = await make_group(rn, owner, members)
    alice, bob = await make_user(rn, "alice"), await make_user(rn, "bob")
    await befriend(rn, alice, bob)
    # Members are online but never read: their queues fill, the server must not wait.
    lurkers = await asyncio.gather(*(dial(rn, m, "tcp") for m in members[:60]))
    o, a, b = await dial(rn, owner), await dial(rn, alice), await dial(rn, bob)
    try:
        flood = asyncio.gather(*(send_and_ack(o, text(owner, group, f"spam {i}" * 40))
                                 for i in range(100)))
        started = time.monotonic()
        await send_and_ack(a, text(alice, bob.user_id, "still there?"))
        got = await next_frame(b, timeout=10)
        small_latency = time.monotonic() - started
        assert got.payload == b"still there?"
        await flood
        # Not a timing assertion on speed: only that the small conversation was not queued
        # behind the whole fan-out (which takes far longer on this machine).
        assert small_latency < 10
    finally:
        await _close_all([*lurkers, o, a, b])
