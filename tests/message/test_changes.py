"""Edit and Withdraw refer to the original seqnum; only the author edits, the author or a
group admin withdraws; receivers learn live and the store reflects it. Read receipts move
the marker and reach the peer; typing is relayed and never stored."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from prim.generated.prim.v1 import (
    EditPayload,
    Error,
    ErrorCode,
    MediaRef,
    MsgType,
    ReadReceiptPayload,
    WithdrawPayload,
)
from prim.generated.wire import MAX_SEQNUM
from prim.runtime.errors import ApiError
from prim.runtime.storage.models import Message, channel_key
from prim.runtime.storage.ports import MessageStore
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.frame import Frame
from prim.services.message.changes import MessageChanges, check_content
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
from tests.storage.conftest import message_kind, messages  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anyio


def edit(user: User, receiver: int, target: int, body: bytes) -> Frame:
    return Frame(type=MsgType.EDIT, sender=user.user_id, receiver=receiver,
                 timestamp=client_ts(),
                 payload=bytes(EditPayload(target_seqnum=target, new_payload=body)))


def withdraw(user: User, receiver: int, target: int) -> Frame:
    return Frame(type=MsgType.WITHDRAW, sender=user.user_id, receiver=receiver,
                 timestamp=client_ts(), payload=bytes(WithdrawPayload(target_seqnum=target)))


async def _error_code(client: Client, frame: Frame) -> ErrorCode:
    """Sends `frame`, expecting an Error about it (deliveries in between are passed over)."""
    await client.send(frame)
    while True:
        err = await next_frame(client)
        if err.seqnum and err.type != MsgType.ACK:
            continue
        assert err.type == MsgType.ERROR, err
        error = Error.parse(err.payload)
        assert error.ref_timestamp_ms == frame.timestamp
        return error.code


async def test_author_edits_and_withdraws_others_are_refused(running_node: RunningNode) -> None:
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
        # Bob may not edit or withdraw Alice's message.
        assert await _error_code(b, edit(bob, alice.user_id, original.seqnum, b"x")) == \
            ErrorCode.PERMISSION_DENIED
        assert await _error_code(b, withdraw(bob, alice.user_id, original.seqnum)) == \
            ErrorCode.PERMISSION_DENIED
        unchanged = await storage.messages.get(channel, original.seqnum)
        assert unchanged is not None and unchanged.payload == b"helo"
        # Alice edits: Bob gets the Edit live, with its own seqnum; the store has the edit.
        ack, _ = await send_and_ack(a, edit(alice, bob.user_id, original.seqnum, b"hello"))
        live = await next_frame(b)
        assert live.type == MsgType.EDIT and live.seqnum == ack.seqnum > original.seqnum
        assert EditPayload.parse(live.payload).target_seqnum == original.seqnum
        stored = await storage.messages.get(channel, original.seqnum)
        assert stored is not None and stored.payload == b"hello" and stored.edited_at
        # Editing a message that does not exist.
        assert await _error_code(a, edit(alice, bob.user_id, 999, b"?")) == ErrorCode.NOT_FOUND
        # Withdraw, then nothing more can be done to it.
        await send_and_ack(a, withdraw(alice, bob.user_id, original.seqnum))
        assert (await next_frame(b)).type == MsgType.WITHDRAW
        stored = await storage.messages.get(channel, original.seqnum)
        assert stored is not None and stored.withdrawn and stored.payload == b""
        assert await _error_code(a, edit(alice, bob.user_id, original.seqnum, b"again")) == \
            ErrorCode.FAILED_PRECONDITION
        # Garbage payloads are refused with a clear error, the connection lives on.
        bad = Frame(type=MsgType.EDIT, sender=alice.user_id, receiver=bob.user_id,
                    timestamp=client_ts(), payload=b"\xff\xff\xff")
        assert await _error_code(a, bad) == ErrorCode.MALFORMED_FRAME
        assert await a.ping() >= 0
    finally:
        await a.close()
        await b.close()


async def test_group_admin_may_withdraw_a_members_message(running_node: RunningNode) -> None:
    rn = running_node
    owner, admin, member = await make_user(rn), await make_user(rn), await make_user(rn)
    other = await make_user(rn)
    group = await make_group(rn, owner, [admin, member, other], admins=[admin])
    ad, me, ot = await dial(rn, admin), await dial(rn, member), await dial(rn, other)
    try:
        msg, _ = await send_and_ack(me, text(member, group, "oops"))
        # Another plain member may not withdraw it, nor edit it.
        assert await _error_code(ot, withdraw(other, group, msg.seqnum)) == \
            ErrorCode.PERMISSION_DENIED
        assert await _error_code(ad, edit(admin, group, msg.seqnum, b"x")) == \
            ErrorCode.PERMISSION_DENIED
        await send_and_ack(ad, withdraw(admin, group, msg.seqnum))
        storage = rn.node.storage
        assert storage is not None
        stored = await storage.messages.get(channel_key(member.user_id, group), msg.seqnum)
        assert stored is not None and stored.withdrawn
    finally:
        for c in (ad, me, ot):
            await c.close()


async def test_read_receipt_and_typing(running_node: RunningNode) -> None:
    rn = running_node
    storage = rn.node.storage
    assert storage is not None
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    a, b = await dial(rn, alice), await dial(rn, bob)
    try:
        for body in ("one", "two"):
            await send_and_ack(a, text(alice, bob.user_id, body))
            await next_frame(b)
        await b.send(Frame(type=MsgType.READ_RECEIPT, sender=bob.user_id,
                           receiver=alice.user_id, timestamp=client_ts(),
                           payload=bytes(ReadReceiptPayload(seqnum=2))))
        receipt = await next_frame(a)
        assert receipt.type == MsgType.READ_RECEIPT and receipt.sender == bob.user_id
        channel = channel_key(alice.user_id, bob.user_id)
        assert (await storage.inbox.get_read_markers(bob.user_id, [channel]))[channel] == 2
        await a.send(Frame(type=MsgType.TYPING, sender=alice.user_id, receiver=bob.user_id,
                           timestamp=client_ts()))
        typing = await next_frame(b, skip=())
        assert typing.type == MsgType.TYPING and typing.seqnum == 0
        assert await nothing_arrives(a)
        # On a cluster the receipt no longer waits for the messages to be stored (it is
        # clamped to the newest seqnum handed out), so wait for them here.
        for _ in range(100):
            if await storage.messages.last_seqnum(channel) >= 2:
                break
            await asyncio.sleep(0.05)
        assert await storage.messages.last_seqnum(channel) == 2  # typing is never stored
    finally:
        await a.close()
        await b.close()


# -- the rule itself (services/message/changes.py) on every message store -----------------

class _Friends:
    """Alice and Bob are friends; nobody is blocked; there are no groups."""

    async def is_blocked(self, user_id: int, peer_id: int) -> bool:
        return False

    async def get_friend(self, user_id: int, peer_id: int) -> object:
        return object()

    async def get_member(self, group_id: int, user_id: int) -> None:
        return None


class _WithdrawnFirst:
    """A store whose target is withdrawn just before the edit reaches it: the Withdraw of
    another device won the race."""

    def __init__(self, store: MessageStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def edit(self, channel: str, seqnum: int, payload: bytes,
                   edited_at: int) -> Message | None:
        await self._store.withdraw(channel, seqnum)
        return await self._store.edit(channel, seqnum, payload, edited_at)


ALICE_ID, BOB_ID = 10_001, 10_002


async def _stored_text(store: MessageStore, body: bytes, type_: int = MsgType.TEXT) -> int:
    await store.insert(Message(channel=channel_key(ALICE_ID, BOB_ID), seqnum=1,
                                  sender=ALICE_ID, receiver=BOB_ID, type=type_,
                                  server_ts=1, client_ts=1, payload=body))
    return 1


def _edit_frame(target: int, body: bytes) -> Frame:
    return Frame(type=MsgType.EDIT, sender=ALICE_ID, receiver=BOB_ID, timestamp=5,
                 payload=bytes(EditPayload(target_seqnum=target, new_payload=body)))


def _changes(store: Any) -> MessageChanges:
    return MessageChanges(messages=store, social=_Friends(),  # type: ignore[arg-type]
                          clock=lambda: 99)


async def test_an_edit_that_loses_to_a_withdraw_is_refused_and_not_sequenced(
    messages: MessageStore,  # noqa: F811
) -> None:
    target = await _stored_text(messages, b"hello")
    sequenced: list[Frame] = []

    async def sequence(frame: Frame) -> None:
        sequenced.append(frame)

    frame = _edit_frame(target, b"edited")
    with pytest.raises(ApiError) as refused:
        await _changes(_WithdrawnFirst(messages)).edit(frame, EditPayload.parse(frame.payload),
                                                       sequence)
    assert (refused.value.code, refused.value.field) == (ErrorCode.FAILED_PRECONDITION,
                                                         "target_seqnum")
    assert sequenced == []
    stored = await messages.get(channel_key(ALICE_ID, BOB_ID), target)
    assert stored is not None and stored.withdrawn and stored.payload == b""


@pytest.mark.parametrize("body", [b"\xff\xfe not utf-8", b""])
async def test_an_edited_text_obeys_the_text_rule(
    messages: MessageStore, body: bytes,  # noqa: F811
) -> None:
    target = await _stored_text(messages, b"hello")
    frame = _edit_frame(target, body)

    async def sequence(frame: Frame) -> None:
        raise AssertionError("a refused edit must not be sequenced")

    with pytest.raises(ApiError) as refused:
        await _changes(messages).edit(frame, EditPayload.parse(frame.payload), sequence)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ARGUMENT,
                                                         "new_payload")
    stored = await messages.get(channel_key(ALICE_ID, BOB_ID), target)
    assert stored is not None and stored.payload == b"hello" and stored.edited_at is None


@pytest.mark.parametrize("target", [2**63, 2**64 - 1, MAX_SEQNUM + 1])
async def test_a_target_past_every_seqnum_is_invalid(
    messages: MessageStore, target: int,  # noqa: F811
) -> None:
    frame = _edit_frame(target, b"x")

    async def sequence(frame: Frame) -> None:
        raise AssertionError("not sequenced")

    for change in (
        _changes(messages).edit(frame, EditPayload.parse(frame.payload), sequence),
        _changes(messages).withdraw(frame, WithdrawPayload(target_seqnum=target), sequence),
    ):
        with pytest.raises(ApiError) as refused:
            await change
        assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ARGUMENT,
                                                             "target_seqnum")


def test_check_content_is_the_rule_of_fresh_messages() -> None:
    check_content(MsgType.TEXT, "héllo".encode())
    for bad in (b"", b"\xc3"):
        with pytest.raises(ApiError):
            check_content(MsgType.TEXT, bad)
    with pytest.raises(ApiError):
        check_content(MsgType.IMAGE, bytes(MediaRef()))
    check_content(MsgType.IMAGE, bytes(MediaRef(file_id="f1")))
