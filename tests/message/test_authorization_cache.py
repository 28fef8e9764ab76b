"""Who may write is read from a cache in the message process (no store round trip per
message), invalidated by every social change: a block, an unfriend or a leave takes effect
on the very next message on one node; in the cluster the change is made by another process
than the message node's and crosses through the Redis change feed, within its delay."""

from __future__ import annotations

import asyncio
import time

import pytest

from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.runtime.storage.ports import SocialStore
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.frame import Frame
from tests.api.conftest import RunningNode
from tests.message.wire_users import (
    User,
    befriend,
    dial,
    make_group,
    make_user,
    next_frame,
    send_and_ack,
    text,
)

pytestmark = pytest.mark.anyio


def _social(rn: RunningNode) -> SocialStore:
    assert rn.node.storage is not None
    return rn.node.storage.social


async def _next_answer(rn: RunningNode, client: Client, sender: User, receiver: int,
                       wanted: MsgType) -> Frame:
    """The answer (`wanted`: ACK or ERROR) to the next message. One node: the very next
    message gets it. A cluster: the change crosses from another process through Redis
    pub/sub, which is not acknowledged, so a message sent within that delay (milliseconds)
    may still get the old answer; it is sent again until the new one comes."""
    deadline = time.monotonic() + (3.0 if rn.backend == "cluster" else 0.0)
    while True:
        await client.send(text(sender, receiver, "still there?"))
        frame = await next_frame(client)
        if frame.type == wanted:
            return frame
        assert frame.type in (MsgType.ACK, MsgType.ERROR) and time.monotonic() < deadline, frame
        await asyncio.sleep(0.02)


async def _refused(rn: RunningNode, client: Client, sender: User, receiver: int) -> ErrorCode:
    frame = await _next_answer(rn, client, sender, receiver, MsgType.ERROR)
    return Error.parse(frame.payload).code


async def test_a_block_refuses_the_next_message(running_node: RunningNode) -> None:
    rn = running_node
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    a = await dial(rn, alice)
    try:
        await send_and_ack(a, text(alice, bob.user_id, "hi"))  # allowed, and remembered
        await _social(rn).block(bob.user_id, alice.user_id)
        assert await _refused(rn, a, alice, bob.user_id) == ErrorCode.BLOCKED
        await _social(rn).unblock(bob.user_id, alice.user_id)
        await _next_answer(rn, a, alice, bob.user_id, MsgType.ACK)  # and back again
    finally:
        await a.close()


async def test_an_unfriend_refuses_the_next_message(running_node: RunningNode) -> None:
    rn = running_node
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    a = await dial(rn, alice)
    try:
        await send_and_ack(a, text(alice, bob.user_id, "hi"))
        await _social(rn).remove_friend(bob.user_id, alice.user_id)
        assert await _refused(rn, a, alice, bob.user_id) == ErrorCode.PERMISSION_DENIED
        await befriend(rn, bob, alice)
        await _next_answer(rn, a, alice, bob.user_id, MsgType.ACK)  # friends again
    finally:
        await a.close()


async def test_leaving_a_group_refuses_the_next_message(running_node: RunningNode) -> None:
    rn = running_node
    owner, member = await make_user(rn), await make_user(rn)
    group = await make_group(rn, owner, [member])
    m = await dial(rn, member)
    try:
        await send_and_ack(m, text(member, group, "hello all"))
        await _social(rn).remove_member(group, member.user_id)
        assert await _refused(rn, m, member, group) == ErrorCode.PERMISSION_DENIED
    finally:
        await m.close()
