"""The idempotency key of a sequenced message (sender, receiver, device, client timestamp)
and the digest of its content, on every message store: two devices in one millisecond both
get through, a different message under a used key is refused, timestamp 0 is refused."""

from __future__ import annotations

import asyncio

import pytest

from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.runtime.errors import ApiError
from prim.runtime.storage.models import channel_key
from prim.runtime.storage.ports import MessageStore
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.frame import Frame
from prim.services.message.group_commit import GroupCommitWriter
from tests.api.conftest import RunningNode
from tests.message.pipeline_rig import ALICE, BOB, pipeline, text
from tests.message.wire_users import (
    befriend,
    client_ts,
    dial,
    make_user,
    new_device,
    next_frame,
    send_and_ack,
)
from tests.message.wire_users import text as wire_text
from tests.storage.conftest import message_kind, messages  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anyio
CHANNEL = channel_key(ALICE, BOB)


class Forgetful(GroupCommitWriter):
    """A writer that cannot tell duplicates (like a node's write-ahead log), so the
    pipeline asks the store."""

    detects_duplicates = False


async def test_two_devices_in_the_same_millisecond_both_get_through(
    messages: MessageStore,  # noqa: F811
) -> None:
    p = pipeline(messages)
    phone = await p.submit(text("from the phone", ts=1000), device="phone")
    laptop = await p.submit(text("from the laptop", ts=1000), device="laptop")
    assert (phone.seqnum, phone.duplicate, laptop.seqnum, laptop.duplicate) == (
        1, False, 2, False)
    stored = await messages.read_forward(CHANNEL, 1, 10)
    assert [(m.payload, m.device) for m in stored] == [
        (b"from the phone", "phone"), (b"from the laptop", "laptop")]
    # A real resend of either is still recognised.
    again = await p.submit(text("from the laptop", ts=1000), device="laptop")
    assert (again.seqnum, again.duplicate) == (2, True)
    await p.stop()


@pytest.mark.parametrize("where", ["in flight", "remembered", "in the store only",
                                   "store write"])
async def test_a_different_message_under_a_used_key_is_refused(
    messages: MessageStore, where: str,  # noqa: F811
) -> None:
    p = pipeline(messages, writer=Forgetful(messages) if where == "in the store only"
                 else None)
    first = text("hello", ts=2000)
    if where == "in flight":
        sending = asyncio.ensure_future(p.submit(first, device="phone"))
        await asyncio.sleep(0)
    else:
        await p.submit(first, device="phone")
        if where != "remembered":
            # A restart: nothing remembered; the store (or its write) knows the key.
            p = pipeline(messages, writer=Forgetful(messages)
                         if where == "in the store only" else None)
    with pytest.raises(ApiError) as refused:
        await p.submit(text("something else", ts=2000), device="phone")
    assert refused.value.code == ErrorCode.IDEMPOTENCY_CONFLICT
    assert "new timestamp" in refused.value.message
    if where == "in flight":
        assert (await sending).seqnum == 1
    stored = await messages.read_forward(CHANNEL, 1, 10)
    assert [m.payload for m in stored] == [b"hello"]
    # The same content is still a plain resend.
    resent = await p.submit(text("hello", ts=2000), device="phone")
    assert (resent.seqnum, resent.duplicate) == (1, True)
    await p.stop()


async def test_timestamp_zero_is_refused(messages: MessageStore) -> None:  # noqa: F811
    p = pipeline(messages)
    with pytest.raises(ApiError) as refused:
        await p.submit(text("no time", ts=0), device="phone")
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ARGUMENT,
                                                         "timestamp")
    assert await messages.last_seqnum(CHANNEL) == 0
    await p.stop()


# -- over the wire, on every wiring -----------------------------------------------------------

async def _refusal(client: Client, frame: Frame) -> Error:
    await client.send(frame)
    while True:
        got = await next_frame(client)
        if got.type == MsgType.ERROR:
            return Error.parse(got.payload)


async def test_wire_refuses_timestamp_zero_and_a_reused_key(running_node: RunningNode) -> None:
    rn = running_node
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    a = await dial(rn, alice)
    try:
        zero = await _refusal(a, wire_text(alice, bob.user_id, "no time", ts=0))
        assert zero.code == ErrorCode.INVALID_ARGUMENT and "timestamp" in zero.message
        ts = client_ts()
        ack, first = await send_and_ack(a, wire_text(alice, bob.user_id, "hello", ts=ts))
        assert not first.duplicate
        conflict = await _refusal(a, wire_text(alice, bob.user_id, "other words", ts=ts))
        assert conflict.code == ErrorCode.IDEMPOTENCY_CONFLICT
        assert conflict.ref_timestamp_ms == ts
        again, resent = await send_and_ack(a, wire_text(alice, bob.user_id, "hello", ts=ts))
        assert resent.duplicate and again.seqnum == ack.seqnum
    finally:
        await a.close()
    await rn.settle()
    storage = rn.node.storage
    if storage is not None:
        stored = await storage.messages.get(channel_key(alice.user_id, bob.user_id), ack.seqnum)
        assert stored is not None and stored.payload == b"hello"


async def test_two_devices_on_the_wire_in_the_same_millisecond_both_get_through(
        running_node: RunningNode) -> None:
    """The gateway passes each connection's device into the key: the same (sender,
    receiver, timestamp) from two devices is two messages, not a duplicate."""
    rn = running_node
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    phone = await new_device(rn, alice)
    a, b = await dial(rn, alice), await dial(rn, phone)
    try:
        ts = client_ts()
        ack_a, first = await send_and_ack(a, wire_text(alice, bob.user_id, "from laptop", ts=ts))
        ack_b, second = await send_and_ack(b, wire_text(phone, bob.user_id, "from phone", ts=ts))
        assert not first.duplicate and not second.duplicate
        assert ack_a.seqnum != ack_b.seqnum
    finally:
        await a.close()
        await b.close()
