"""The SDK's local store: a restarted client shows its history at once and syncs only what
is new; its outbox survives the restart and is resent with the original idempotency key.
Against a real server on every wiring; the Store's own bookkeeping without one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from prim.clients.sdk import (
    Backoff,
    Edited,
    Message,
    NotConnected,
    PrimClient,
    Store,
    Withdrawn,
)
from prim.clients.sdk.events import decode
from prim.generated.prim.v1 import EditPayload, MsgType, WithdrawPayload
from tests.clients.conftest import Events, Server, befriend
from tests.clients.test_sdk import drop_acks, texts

pytestmark = pytest.mark.anyio


async def test_a_restarted_client_shows_its_history_at_once_and_syncs_only_the_news(
        server: Server, tmp_path: Path) -> None:
    alice = await server.client()
    bob = await server.client(store_dir=tmp_path)
    await befriend(alice, bob)
    b_events = Events(bob)
    try:
        for text in ("one", "two"):
            await alice.send_text(bob.user_id, text)
        assert [m.text for m in await b_events.messages(2)] == ["one", "two"]
        await bob.send_text(alice.user_id, "mine")  # kept on its Ack
    finally:
        await b_events.stop()
        await bob.close()
    missed = [await alice.send_text(bob.user_id, t) for t in ("three", "four")]
    await server.settle()

    again = await PrimClient.log_in(server.endpoints.http, bob.user_id, "correct horse battery",
                                    store_dir=tmp_path)
    try:
        assert again.store is not None
        # Before connecting: what the last run saw, from the store alone.
        stored = [e for e in again.store.history(alice.user_id) if isinstance(e, Message)]
        assert [m.text for m in stored] == ["one", "two", "mine"]
        [conversation] = again.store.conversations()
        assert (conversation.peer_id, conversation.unread) == (alice.user_id, 2)
        await again.connect(ca_file=server.endpoints.ca_cert, gateway=server.endpoints.quic)
        events = Events(again)
        try:
            news = await events.messages(2)
            assert [(m.text, m.seqnum) for m in news] == [("three", missed[0].seqnum),
                                                         ("four", missed[1].seqnum)]
            assert all(m.from_history for m in news)
            assert await events.quiet()  # nothing already stored comes again
        finally:
            await events.stop()
        await again.mark_read(alice.user_id, missed[1].seqnum)
        assert again.store.conversations()[0].unread == 0
        kept = [m.text for m in again.store.history(alice.user_id) if isinstance(m, Message)]
        assert kept == ["one", "two", "mine", "three", "four"]
    finally:
        await again.close()
        await alice.close()


async def test_the_outbox_survives_a_restart_and_is_resent_with_its_original_key(
        server: Server, tmp_path: Path) -> None:
    alice = await server.client(store_dir=tmp_path, ack_timeout=30.0)
    bob = await server.client()
    await befriend(alice, bob)
    b_events = Events(bob)
    try:
        # 1: stored by the server, its Ack lost; 2: never sent (the connection is down).
        dropped = drop_acks(alice, 1, then_disconnect=False)
        first = asyncio.create_task(alice.send_text(bob.user_id, "stored, not acked"))
        async with asyncio.timeout(5):
            while not dropped:
                await asyncio.sleep(0.01)
        alice.connection.backoff = Backoff(initial=60.0)
        await alice.connection.drop()
        second = asyncio.create_task(alice.send_text(bob.user_id, "never sent"))
        await asyncio.sleep(0.1)
        await alice.close()  # the process ends with both un-Acked
        for task in (first, second):
            with pytest.raises(NotConnected):
                await task
        (got,) = await b_events.messages(1)
        assert got.text == "stored, not acked"

        again = PrimClient.resume(tmp_path, server.endpoints.http, alice.user_id)
        await again.connect(ca_file=server.endpoints.ca_cert, gateway=server.endpoints.quic)
        try:
            resent = await again.outbox_sent()
            assert [type(r) for r in resent] == [type(resent[0])] * 2
            one, two = resent
            assert not isinstance(one, BaseException) and not isinstance(two, BaseException)
            assert one.duplicate and one.seqnum == dropped[0].seqnum  # the same key
            assert not two.duplicate and two.seqnum == one.seqnum + 1
            assert again.store is not None and again.store.outbox(again.session.device_id) == []
            (late,) = await b_events.messages(1)
            assert late.text == "never sent"
            assert await b_events.quiet()
            assert await texts(server, bob, alice.user_id) == ["stored, not acked",
                                                               "never sent"]
        finally:
            await again.close()
    finally:
        await b_events.stop()
        await bob.close()


def test_the_store_applies_edits_and_withdrawals_and_counts_unread(tmp_path: Path) -> None:
    me, peer = 10, 20
    store = Store(tmp_path / "s.sqlite3", me)

    def event(type_: MsgType, seqnum: int, payload: bytes, sender: int = peer) -> object:
        receiver = me if sender == peer else peer
        return decode(type_, sender, receiver, seqnum, 1000 + seqnum, payload, me)

    for e in (event(MsgType.TEXT, 1, b"hello"), event(MsgType.TEXT, 2, b"typo"),
              event(MsgType.TEXT, 3, b"mine", sender=me),
              event(MsgType.EDIT, 4, bytes(EditPayload(target_seqnum=2, new_payload=b"fixed"))),
              event(MsgType.WITHDRAW, 5, bytes(WithdrawPayload(target_seqnum=1)))):
        store.add(e)  # type: ignore[arg-type]
        store.add(e)  # type: ignore[arg-type]  # idempotent
    rows = store.history(peer)
    assert [r.seqnum for r in rows] == [1, 2, 3, 4, 5]
    first, second = rows[0], rows[1]
    assert isinstance(first, Message) and first.withdrawn
    assert isinstance(second, Message) and second.text == "fixed" and second.edited_at_ms == 1004
    assert isinstance(rows[3], Edited) and isinstance(rows[4], Withdrawn)
    assert [r.seqnum for r in store.history(peer, limit=2, before=4)] == [2, 3]
    [conversation] = store.conversations()
    assert (conversation.newest, conversation.unread) == (5, 2)  # content, not one's own
    store.set_read(peer, 1)
    store.set_read(peer, 0)  # never moves back
    assert store.conversations()[0].unread == 1
    store.set_synced({peer: 5})
    store.set_read_by(peer, peer, 3)
    store.close()
    reopened = Store(tmp_path / "s.sqlite3", me)
    assert reopened.synced() == {peer: 5} and reopened.read_by(peer) == {peer: 3}
    assert reopened.server_time == 1005
    reopened.close()
