"""The SDK against a real node: chat both ways, notices, idempotent resend across a lost Ack
and a dropped connection, gap filling from history (live jumps and reconnects)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from prim.clients.sdk import (
    ConnectionNotice,
    Edited,
    ErrorNotice,
    FriendNotice,
    GroupNotice,
    Message,
    PrimClient,
    SendRefused,
)
from prim.generated.prim.v1 import (
    ErrorCode,
    FriendEventKind,
    GroupEventKind,
    MsgType,
    RevokeSessionRequest,
)
from prim.runtime.wire.frame import Frame
from tests.clients.conftest import PASSWORD, Events, Server, befriend

pytestmark = pytest.mark.anyio


async def texts(server: Server, client: PrimClient, peer: int) -> list[str]:
    """The conversation's texts in history, once everything Acked so far is stored."""
    await server.settle()
    return [e.text for e in await client.history(peer, limit=200) if isinstance(e, Message)]


async def test_two_clients_chat_both_ways(server: Server) -> None:
    alice, bob = await server.client("alice"), await server.client("bob")
    a_events, b_events = Events(alice), Events(bob)
    try:
        await alice.add_friend(bob.user_id, "let's chat")
        request = await b_events.next(FriendNotice)
        assert isinstance(request, FriendNotice)
        assert (request.kind, request.requester_id, request.message) == (
            FriendEventKind.REQUESTED, alice.user_id, "let's chat")
        assert [r.requester_id for r in await bob.friend_requests()] == [alice.user_id]
        await bob.accept_friend(alice.user_id)
        accepted = await a_events.next(FriendNotice, where=lambda e: e.sender == bob.user_id)
        assert isinstance(accepted, FriendNotice) and accepted.kind == FriendEventKind.ACCEPTED

        sent = await alice.send_text(bob.user_id, "hello bob")
        (got,) = await b_events.messages(1)
        assert (got.sender, got.receiver, got.conversation, got.seqnum, got.text) == (
            alice.user_id, bob.user_id, alice.user_id, sent.seqnum, "hello bob")
        assert got.timestamp == sent.server_timestamp_ms and not got.from_history

        reply = await bob.send_text(alice.user_id, "hi alice")
        assert reply.seqnum == sent.seqnum + 1  # one channel, both directions
        (back,) = await a_events.messages(1)
        assert (back.sender, back.conversation, back.text) == (bob.user_id, bob.user_id,
                                                               "hi alice")

        await alice.edit_text(bob.user_id, sent.seqnum, "hello, bob")
        edited = await b_events.next(Edited)
        assert isinstance(edited, Edited)
        assert (edited.target_seqnum, edited.new_text) == (sent.seqnum, "hello, bob")

        assert await texts(server, alice, bob.user_id) == ["hello, bob", "hi alice"]
        assert [f.user_id for f in await alice.friends()] == [bob.user_id]
        inbox = {e.peer_id: e for e in await bob.inbox(since_ms=1)}
        assert inbox[alice.user_id].last_seqnum >= reply.seqnum
    finally:
        for events in (a_events, b_events):
            await events.stop()
        await alice.close()
        await bob.close()


async def test_a_session_revoked_elsewhere_is_a_clear_offline_notice(server: Server) -> None:
    """BeOffline surfaces as ErrorNotice(offline=True) with the server's reason, the
    disconnect notice carries it too, and the client does not come back on that session."""
    phone = await server.client("phone")
    laptop = await PrimClient.log_in(server.endpoints.http, phone.user_id, PASSWORD)
    events = Events(phone)
    try:
        await laptop.http.accounts.revoke_session(
            RevokeSessionRequest(device_id=phone.session.device_id))
        notice = await events.next(ErrorNotice)
        assert isinstance(notice, ErrorNotice) and notice.offline
        assert notice.code == ErrorCode.UNAUTHENTICATED
        assert "this session was revoked" in notice.message
        dropped = await events.next(ConnectionNotice)
        assert isinstance(dropped, ConnectionNotice) and dropped.state == "disconnected"
        assert "this session was revoked" in dropped.detail
        failed = await events.next(ConnectionNotice)
        assert isinstance(failed, ConnectionNotice) and failed.state == "failed"
    finally:
        await events.stop()
        await phone.close()
        await laptop.close()


async def test_strangers_are_refused_with_the_servers_reason(server: Server) -> None:
    alice, carol = await server.client(), await server.client()
    try:
        with pytest.raises(SendRefused) as refused:
            await alice.send_text(carol.user_id, "hi stranger")
        assert refused.value.code == ErrorCode.PERMISSION_DENIED
    finally:
        await alice.close()
        await carol.close()


def drop_acks(client: PrimClient, count: int, *, then_disconnect: bool) -> list[Frame]:
    """Makes the next `count` Acks vanish (the server stored the message, the client never
    hears so), optionally killing the connection as well. Returns the dropped Acks."""
    connection = client.connection
    original = connection._on_frame
    dropped: list[Frame] = []

    def on_frame(frame: Frame) -> None:
        if frame.type == MsgType.ACK and len(dropped) < count:
            dropped.append(frame)
            if then_disconnect:
                asyncio.get_running_loop().create_task(connection.drop())
            return
        original(frame)

    connection._on_frame = on_frame  # type: ignore[method-assign]
    return dropped


async def test_resend_after_the_connection_died_mid_send_stores_one_message(
        server: Server) -> None:
    alice, bob = await server.client(), await server.client()
    await befriend(alice, bob)
    b_events = Events(bob)
    try:
        dropped = drop_acks(alice, 1, then_disconnect=True)
        sent = await alice.send_text(bob.user_id, "only once")
        assert len(dropped) == 1 and dropped[0].seqnum == sent.seqnum
        assert sent.duplicate  # answered on the new connection, as a resend
        assert dropped[0].timestamp == sent.timestamp  # same idempotency key
        (got,) = await b_events.messages(1)
        assert got.text == "only once" and got.seqnum == sent.seqnum
        assert await b_events.quiet()
        assert await texts(server, bob, alice.user_id) == ["only once"]
        # The connection is usable again.
        again = await alice.send_text(bob.user_id, "still here")
        assert again.seqnum == sent.seqnum + 1 and not again.duplicate
    finally:
        await b_events.stop()
        await alice.close()
        await bob.close()


async def test_resend_after_an_ack_timeout_stores_one_message(server: Server) -> None:
    alice, bob = await server.client(ack_timeout=0.3), await server.client()
    await befriend(alice, bob)
    try:
        dropped = drop_acks(alice, 1, then_disconnect=False)
        sent = await alice.send_text(bob.user_id, "are you there?")
        assert len(dropped) == 1 and sent.duplicate and sent.seqnum == dropped[0].seqnum
        assert await texts(server, bob, alice.user_id) == ["are you there?"]
    finally:
        await alice.close()
        await bob.close()


async def test_a_frame_lost_in_delivery_is_fetched_from_history_in_order(
        server: Server) -> None:
    alice, bob = await server.client(), await server.client()
    await befriend(alice, bob)
    original = bob.connection._on_frame
    lost: list[Frame] = []

    def lossy(frame: Frame) -> None:
        if frame.payload in (b"m2", b"m3"):
            lost.append(frame)  # the network ate it
            return
        original(frame)

    bob.connection._on_frame = lossy  # type: ignore[method-assign]
    b_events = Events(bob)
    try:
        sent = [await alice.send_text(bob.user_id, f"m{i}") for i in range(1, 5)]
        got = await b_events.messages(4)
        assert [m.text for m in got] == ["m1", "m2", "m3", "m4"]
        assert [m.seqnum for m in got] == [s.seqnum for s in sent]
        assert [m.from_history for m in got] == [False, True, True, False]
        assert len(lost) == 2
        assert await b_events.quiet()  # exactly once
    finally:
        await b_events.stop()
        await alice.close()
        await bob.close()


async def test_messages_missed_while_disconnected_arrive_once_after_reconnect(
        server: Server) -> None:
    from prim.clients.sdk import Backoff

    alice = await server.client()
    bob = await server.client(backoff=Backoff(initial=1.0, jitter=0))
    await befriend(alice, bob)
    b_events = Events(bob)
    try:
        await alice.send_text(bob.user_id, "before")
        assert [m.text for m in await b_events.messages(1)] == ["before"]
        await bob.connection.drop()  # down for about a second
        assert not bob.connection.connected
        missed = [await alice.send_text(bob.user_id, t) for t in ("while", "you", "were away")]
        caught_up = await b_events.messages(3)
        assert [m.text for m in caught_up] == ["while", "you", "were away"]
        assert [m.seqnum for m in caught_up] == [s.seqnum for s in missed]
        assert all(m.from_history for m in caught_up)
        assert bob.connection.connected
        await alice.send_text(bob.user_id, "welcome back")
        (live,) = await b_events.messages(1)
        assert live.text == "welcome back" and not live.from_history
        assert await b_events.quiet()
    finally:
        await b_events.stop()
        await alice.close()
        await bob.close()


async def test_group_join_and_group_chat(server: Server) -> None:
    alice, bob = await server.client("alice"), await server.client("bob")
    a_events, b_events = Events(alice), Events(bob)
    try:
        group = await alice.create_group("tea")
        await bob.join_group(group.group_id, "may I?")
        asked = await a_events.next(GroupNotice)
        assert isinstance(asked, GroupNotice)
        assert (asked.kind, asked.group_id, asked.user_id) == (
            GroupEventKind.JOIN_REQUESTED, group.group_id, bob.user_id)
        # In alice's own notification stream, delivered once; she marks it read there.
        assert asked.conversation == alice.user_id and await a_events.quiet((GroupNotice,))
        marker = await alice.mark_read(alice.user_id, asked.seqnum)
        assert marker.seqnum == asked.seqnum
        [entry] = [e for e in await alice.inbox(since_ms=1) if e.peer_id == alice.user_id]
        assert entry.read_seqnum == asked.seqnum
        await alice.approve_join(group.group_id, bob.user_id)
        # The applicant is not shown the admins' notice: the first one bob gets is the answer.
        approved = await b_events.next(GroupNotice)
        assert isinstance(approved, GroupNotice) and approved.group_id == group.group_id
        assert approved.kind == GroupEventKind.JOIN_APPROVED
        assert [g.group_id for g in await bob.my_groups()] == [group.group_id]

        sent = await alice.send_text(group.group_id, "welcome to tea")
        got = await b_events.next(Message)
        assert isinstance(got, Message)
        assert (got.sender, got.receiver, got.conversation, got.seqnum, got.text) == (
            alice.user_id, group.group_id, group.group_id, sent.seqnum, "welcome to tea")
        assert got.in_group
    finally:
        for events in (a_events, b_events):
            await events.stop()
        await alice.close()
        await bob.close()


async def test_a_file_is_uploaded_and_arrives_as_a_media_message(server: Server,
                                                                 tmp_path: Path) -> None:
    alice, bob = await server.client(), await server.client()
    await befriend(alice, bob)
    b_events = Events(bob)
    picture = tmp_path / "tea.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(200)))
    try:
        sent = await alice.send_file(bob.user_id, picture, caption="tea time")
        got = await b_events.next(Message)
        assert isinstance(got, Message) and got.seqnum == sent.seqnum
        assert got.type == MsgType.IMAGE and got.media is not None
        assert (got.media.name, got.media.caption, got.media.size) == ("tea.png", "tea time",
                                                                       208)
        assert got.media.sha256 == hashlib.sha256(picture.read_bytes()).hexdigest()
    finally:
        await b_events.stop()
        await alice.close()
        await bob.close()
