"""Edit, Withdraw and ReadReceipt payloads that are not a valid encoding of their message
(bytes betterproto2 alone would have parsed) get MALFORMED_FRAME on a live node (PROTOCOL.md
section 2), change nothing and reach no one; the connection stays open."""

from __future__ import annotations

import pytest

from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.runtime.storage.models import channel_key
from prim.runtime.wire.frame import Frame
from tests.api.conftest import RunningNode
from tests.message.wire_users import (
    befriend,
    client_ts,
    dial,
    make_user,
    next_frame,
    nothing_arrives,
    send_and_ack,
    text,
)

pytestmark = pytest.mark.anyio


def _malformed(seqnum: int) -> list[bytes]:
    """Field 1 (the target, or the read seqnum) encoded wrongly, each way."""
    assert seqnum < 0x80
    return [
        b"\x0a\x01" + bytes([seqnum]),  # length-delimited in a uint64: betterproto2 made a list
        b"\x0a\x05" + bytes([seqnum]),  # and a length past the end
        b"\x08" + bytes([seqnum | 0x80]),  # a varint cut short
        b"\x08" + bytes([seqnum]) + b"\x13",  # then a group
    ]


async def test_malformed_change_payloads_are_refused_and_change_nothing(
    running_node: RunningNode,
) -> None:
    rn = running_node
    storage = rn.node.storage
    assert storage is not None
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    a, b = await dial(rn, alice), await dial(rn, bob)
    channel = channel_key(alice.user_id, bob.user_id)
    try:
        original, _ = await send_and_ack(a, text(alice, bob.user_id, "helo"))
        await next_frame(b)
        for sender, client, receiver, type_ in (
            (alice, a, bob.user_id, MsgType.EDIT),
            (alice, a, bob.user_id, MsgType.WITHDRAW),
            (bob, b, alice.user_id, MsgType.READ_RECEIPT),
        ):
            for payload in _malformed(original.seqnum):
                frame = Frame(type=type_, sender=sender.user_id, receiver=receiver,
                              timestamp=client_ts(), payload=payload)
                await client.send(frame)
                answer = await next_frame(client)
                assert answer.type == MsgType.ERROR, (type_, payload, answer)
                error = Error.parse(answer.payload)
                assert (error.code, error.ref_timestamp_ms) == (ErrorCode.MALFORMED_FRAME,
                                                             frame.timestamp), (type_, payload)
        assert await nothing_arrives(a) and await nothing_arrives(b)
        stored = await storage.messages.get(channel, original.seqnum)
        assert stored is not None and stored.payload == b"helo"
        assert not stored.withdrawn and stored.edited_at is None
        markers = await storage.inbox.get_read_markers(bob.user_id, [channel])
        assert markers.get(channel, 0) == 0
        assert await a.ping() >= 0 and await b.ping() >= 0
    finally:
        await a.close()
        await b.close()
