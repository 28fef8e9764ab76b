"""ReadReceipt and Typing frames follow the write rules (#10): nobody pushes them at a
stranger or at someone who blocked them; a receipt is stored and relayed only when it moves
the marker, with a payload the server made (never the client's bytes or extension); Typing
is throttled per sender and conversation."""

from __future__ import annotations

import pytest

from prim.generated.prim.v1 import Error, ErrorCode, MsgType, ReadReceiptPayload
from prim.runtime.storage.models import channel_key
from prim.runtime.wire.frame import Frame
from tests.api.conftest import RunningNode
from tests.message.wire_users import (
    User,
    befriend,
    client_ts,
    dial,
    make_group,
    make_user,
    next_frame,
    nothing_arrives,
    send_and_ack,
    text,
)

pytestmark = pytest.mark.anyio


def receipt(reader: User, peer: int, seqnum: int, extension: bytes = b"") -> Frame:
    return Frame(type=MsgType.READ_RECEIPT, sender=reader.user_id, receiver=peer,
                 timestamp=client_ts(), payload=bytes(ReadReceiptPayload(seqnum=seqnum)),
                 extension=extension)


def typing(sender: User, receiver: int) -> Frame:
    return Frame(type=MsgType.TYPING, sender=sender.user_id, receiver=receiver,
                 timestamp=client_ts())


async def test_receipts_need_the_right_to_write(running_node: RunningNode) -> None:
    rn = running_node
    storage = rn.node.storage
    assert storage is not None
    alice, bob, mallory = await make_user(rn), await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    group = await make_group(rn, alice, [bob])
    a, m = await dial(rn, alice), await dial(rn, mallory)
    try:
        # A stranger, and a non-member of a group, are refused and store nothing.
        await m.send(receipt(mallory, alice.user_id, 1))
        assert Error.parse((await next_frame(m)).payload).code == ErrorCode.PERMISSION_DENIED
        await m.send(receipt(mallory, group, 1))
        assert Error.parse((await next_frame(m)).payload).code == ErrorCode.PERMISSION_DENIED
        assert await nothing_arrives(a)
        markers = await storage.inbox.get_read_markers(
            mallory.user_id, [channel_key(mallory.user_id, alice.user_id), f"g{group}"])
        assert set(markers.values()) == {0}
        # Blocked by alice: bob's receipts no longer reach her.
        await send_and_ack(a, text(alice, bob.user_id, "hi"))
        await storage.social.block(alice.user_id, bob.user_id)
        b = await dial(rn, bob)
        try:
            await b.send(receipt(bob, alice.user_id, 1))
            assert Error.parse((await next_frame(b)).payload).code == ErrorCode.BLOCKED
            assert await nothing_arrives(a)
        finally:
            await b.close()
    finally:
        await a.close()
        await m.close()


async def test_receipt_relayed_once_with_a_server_made_payload(running_node: RunningNode
                                                               ) -> None:
    rn = running_node
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    a, b = await dial(rn, alice), await dial(rn, bob)
    try:
        ack, _ = await send_and_ack(a, text(alice, bob.user_id, "one"))
        await next_frame(b)
        # Beyond the newest message: clamped; the client's extension is not passed on.
        await b.send(receipt(bob, alice.user_id, ack.seqnum + 50, extension=b"x" * 60))
        relayed = await next_frame(a)
        assert relayed.type == MsgType.READ_RECEIPT and relayed.sender == bob.user_id
        assert ReadReceiptPayload.parse(relayed.payload).seqnum == ack.seqnum
        assert relayed.extension == b""
        # The same marker again (or an older one) moves nothing: nothing is relayed.
        await b.send(receipt(bob, alice.user_id, ack.seqnum))
        await b.send(receipt(bob, alice.user_id, 1))
        assert await nothing_arrives(a)
    finally:
        await a.close()
        await b.close()


async def test_typing_is_throttled_per_sender_and_conversation(running_node: RunningNode
                                                               ) -> None:
    rn = running_node
    alice, bob, carol = await make_user(rn), await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    group = await make_group(rn, alice, [bob, carol])
    a, b = await dial(rn, alice), await dial(rn, bob)
    try:
        for _ in range(5):  # a burst of keystrokes within the interval (1 s by default)
            await a.send(typing(alice, group))
        await a.send(typing(alice, bob.user_id))  # another conversation: its own budget
        first = await next_frame(b, skip=())
        second = await next_frame(b, skip=())
        assert {(f.type, f.receiver) for f in (first, second)} == {
            (MsgType.TYPING, group), (MsgType.TYPING, bob.user_id)}
        assert await nothing_arrives(b)
    finally:
        await a.close()
        await b.close()
