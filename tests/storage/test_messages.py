"""Contract: MessageStore on SQLite, PostgreSQL, and PostgreSQL behind a Redis hot window
(capacity 5 in these tests, so most ranges cross the window's edge)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from prim.runtime.storage.errors import AlreadyExists
from prim.runtime.storage.models import GROUP_ID_BASE, Message, channel_key
from prim.runtime.storage.ports import MessageStore

pytestmark = pytest.mark.anyio
ALICE, BOB, CAROL = 10_001, 10_002, 10_003
GROUP = GROUP_ID_BASE + 7


def msg(seqnum: int, *, sender: int = ALICE, receiver: int = BOB, client_ts: int | None = None,
        payload: bytes | None = None) -> Message:  # fmt: skip
    return Message(
        channel=channel_key(sender, receiver),
        seqnum=seqnum,
        sender=sender,
        receiver=receiver,
        type=32,
        server_ts=1_700_000_000_000 + seqnum,
        client_ts=1_699_999_999_000 + seqnum if client_ts is None else client_ts,
        payload=f"hello {seqnum}".encode() if payload is None else payload,
        extension=b"\x01\x02",
    )


def test_channel_keys() -> None:
    assert channel_key(ALICE, BOB) == channel_key(BOB, ALICE) == f"u{ALICE}-{BOB}"
    assert channel_key(ALICE, GROUP) == channel_key(BOB, GROUP) == f"g{GROUP}"


async def test_insert_and_get_round_trip(messages: MessageStore) -> None:
    m = msg(1, payload=bytes(range(256)))
    assert (await messages.insert(m)).inserted
    assert await messages.get(m.channel, 1) == m
    assert await messages.get(m.channel, 2) is None
    assert await messages.get("u1-2", 1) is None
    group_msg = msg(1, sender=CAROL, receiver=GROUP)
    assert (await messages.insert(group_msg)).inserted
    assert await messages.get(f"g{GROUP}", 1) == group_msg
    assert await messages.last_seqnum(m.channel) == 1
    assert await messages.last_seqnum("u1-2") == 0


async def test_resend_returns_original_seqnum(messages: MessageStore) -> None:
    first = msg(1, client_ts=555)
    assert await messages.insert(first) == (await messages.insert(first)).__class__(1, True)
    # The client resends; the gateway stamped it with a fresh seqnum 2 before noticing.
    resent = dataclasses.replace(first, seqnum=2, server_ts=first.server_ts + 10)
    result = await messages.insert(resent)
    assert (result.seqnum, result.inserted) == (1, False)
    assert await messages.get(first.channel, 2) is None
    found = await messages.find_by_idempotency_key(ALICE, BOB, 555)
    assert found is not None and found.seqnum == 1
    assert await messages.find_by_idempotency_key(BOB, ALICE, 555) is None
    # A log replay of the very same record is also a no-op.
    assert await messages.insert(first) == result


async def test_two_devices_may_send_in_the_same_millisecond(messages: MessageStore) -> None:
    """The device is part of the idempotency key: the second device's message is stored,
    not taken for a resend of the first's."""
    phone = dataclasses.replace(msg(1, client_ts=777), device="phone")
    laptop = dataclasses.replace(msg(2, client_ts=777, payload=b"other"), device="laptop")
    assert (await messages.insert(phone)).inserted
    assert (await messages.insert(laptop)).inserted
    assert await messages.get(phone.channel, 1) == phone
    assert await messages.get(phone.channel, 2) == laptop
    found = await messages.find_by_idempotency_key(ALICE, BOB, 777, "laptop")
    assert found is not None and found.seqnum == 2
    assert await messages.find_by_idempotency_key(ALICE, BOB, 777, "tablet") is None


async def test_many_keys_are_looked_up_at_once_in_their_order(messages: MessageStore) -> None:
    phone = dataclasses.replace(msg(1, client_ts=777), device="phone")
    laptop = dataclasses.replace(msg(2, client_ts=778, payload=b"other"), device="laptop")
    await messages.insert_many([phone, laptop])
    found = await messages.find_by_idempotency_keys([
        (ALICE, BOB, "laptop", 778), (ALICE, BOB, "tablet", 777), (ALICE, BOB, "phone", 777),
        (ALICE, BOB, "laptop", 778)])
    assert [f and f.seqnum for f in found] == [2, None, 1, 2]
    assert await messages.find_by_idempotency_keys([]) == []


async def test_a_different_message_under_a_stored_key_is_a_conflict(
    messages: MessageStore,
) -> None:
    first = dataclasses.replace(msg(1, client_ts=888), device="phone")
    await messages.insert(first)
    other = dataclasses.replace(first, seqnum=2, payload=b"not the same text")
    result = await messages.insert(other)
    assert (result.seqnum, result.inserted, result.conflict) == (1, False, True)
    (batch,) = await messages.insert_many([dataclasses.replace(other, seqnum=3)])
    assert (batch.seqnum, batch.inserted, batch.conflict) == (1, False, True)
    assert await messages.get(first.channel, 2) is None
    # The digest is the original's: an edit of the stored message changes nothing.
    await messages.edit(first.channel, 1, b"edited", 5)
    resent = await messages.insert(dataclasses.replace(first, seqnum=4))
    assert (resent.seqnum, resent.inserted, resent.conflict) == (1, False, False)


async def test_seqnum_taken_by_another_message_is_an_error(messages: MessageStore) -> None:
    await messages.insert(msg(1, client_ts=1))
    with pytest.raises(AlreadyExists):
        await messages.insert(msg(1, client_ts=2))


async def test_two_racing_writers_get_one_row(messages: MessageStore) -> None:
    # 20 keys, each written concurrently by two "nodes" that stamped different seqnums.
    async def race(i: int) -> None:
        a = msg(1000 + 2 * i, client_ts=9_000 + i)
        b = dataclasses.replace(a, seqnum=1001 + 2 * i)
        ra, rb = await asyncio.gather(messages.insert(a), messages.insert(b))
        assert ra.seqnum == rb.seqnum
        assert [ra.inserted, rb.inserted].count(True) == 1

    await asyncio.gather(*(race(i) for i in range(20)))
    stored = await messages.read_forward(channel_key(ALICE, BOB), 0, 1000)
    assert len(stored) == 20
    assert len({m.client_ts for m in stored}) == 20


async def test_insert_many_reports_each(messages: MessageStore) -> None:
    await messages.insert(msg(2))
    results = await messages.insert_many([msg(1), msg(2), msg(3), msg(3)])
    assert [(r.seqnum, r.inserted) for r in results] == [
        (1, True), (2, False), (3, True), (3, False),
    ]  # fmt: skip
    assert await messages.insert_many([]) == []
    assert [m.seqnum for m in await messages.read_forward(msg(1).channel, 0, 10)] == [1, 2, 3]


async def test_insert_many_settles_conflicts_inside_one_batch(messages: MessageStore) -> None:
    """A batch is written in one statement, with the outcomes row-by-row inserts in the
    same order would have had, whichever rows conflict with each other or with the store."""
    await messages.insert(msg(3, client_ts=100))
    resend = msg(5, client_ts=100, payload=b"hello 3")  # the stored key, a fresh seqnum
    takes_its_place = msg(5, client_ts=200)  # the seqnum the resend could not have
    first, again = msg(6, client_ts=300), msg(7, client_ts=300, payload=b"hello 6")
    one, other = msg(8, client_ts=400), msg(9, client_ts=400, payload=b"not the same")
    results = await messages.insert_many([resend, takes_its_place, first, again, one, other])
    assert [(r.seqnum, r.inserted, r.conflict) for r in results] == [
        (3, False, False), (5, True, False), (6, True, False), (6, False, False),
        (8, True, False), (8, False, True),
    ]  # fmt: skip
    stored = await messages.read_forward(msg(1).channel, 0, 10)
    assert [(m.seqnum, m.client_ts) for m in stored] == [(3, 100), (5, 200), (6, 300),
                                                         (8, 400)]


async def test_insert_many_is_all_or_nothing(messages: MessageStore) -> None:
    await messages.insert(msg(1, client_ts=1))
    with pytest.raises(AlreadyExists):  # seqnum 1 holds another message
        await messages.insert_many([msg(2, client_ts=2), msg(1, client_ts=3)])
    assert await messages.get(msg(2).channel, 2) is None


async def test_insert_many_takes_a_batch_larger_than_one_statement(
    messages: MessageStore,
) -> None:
    # 3,000 rows x 13 parameters: past SQLite's default limit of 32,766 per statement.
    batch = [msg(s) for s in range(1, 3001)]
    results = await messages.insert_many([*batch, msg(1)])
    assert [r.inserted for r in results] == [True] * 3000 + [False]
    assert await messages.last_seqnum(batch[0].channel) == 3000
    assert len(await messages.read_forward(batch[0].channel, 0, 5000)) == 3000


async def test_range_reads_at_the_edges(messages: MessageStore) -> None:
    channel = channel_key(ALICE, BOB)
    assert await messages.read_forward(channel, 0, 10) == []
    assert await messages.read_backward(channel, 100, 10) == []
    # Seqnums 1..12 with a gap at 7 (a crash made the allocator jump).
    seqnums = [s for s in range(1, 13) if s != 7]
    for s in seqnums:
        sender, receiver = (ALICE, BOB) if s % 2 else (BOB, ALICE)
        await messages.insert(msg(s, sender=sender, receiver=receiver))
    await messages.insert(msg(1, sender=CAROL, receiver=BOB))  # another channel

    def nums(ms: list[Message]) -> list[int]:
        return [m.seqnum for m in ms]

    assert nums(await messages.read_forward(channel, 1, 11)) == seqnums  # exactly one page
    assert nums(await messages.read_forward(channel, 0, 100)) == seqnums
    assert nums(await messages.read_forward(channel, 5, 3)) == [5, 6, 8]
    assert nums(await messages.read_forward(channel, 11, 5)) == [11, 12]  # last page
    assert await messages.read_forward(channel, 13, 5) == []
    assert await messages.read_forward(channel, 1, 0) == []
    assert nums(await messages.read_backward(channel, 13, 3)) == [12, 11, 10]
    assert nums(await messages.read_backward(channel, 13, 11)) == seqnums[::-1]
    assert nums(await messages.read_backward(channel, 9, 3)) == [8, 6, 5]
    assert nums(await messages.read_backward(channel, 4, 10)) == [3, 2, 1]  # last page
    assert await messages.read_backward(channel, 1, 10) == []
    assert await messages.read_backward(channel, 13, 0) == []
    # Walking backwards page by page visits every message once.
    seen: list[int] = []
    before = 10**12
    while page := await messages.read_backward(channel, before, 4):
        seen += nums(page)
        before = page[-1].seqnum
    assert seen == seqnums[::-1]
    assert await messages.last_seqnum(channel) == 12


async def test_edit_and_withdraw(messages: MessageStore) -> None:
    channel = channel_key(ALICE, BOB)
    for s in range(1, 9):
        await messages.insert(msg(s))
    edited = await messages.edit(channel, 8, b"fixed typo", 1_800_000_000_000)
    assert edited is not None
    assert (edited.payload, edited.edited_at, edited.withdrawn) == (
        b"fixed typo", 1_800_000_000_000, False,
    )  # fmt: skip
    assert await messages.get(channel, 8) == edited
    assert (await messages.read_backward(channel, 9, 1))[0] == edited
    old = await messages.edit(channel, 1, b"old one", 1_800_000_000_001)  # outside the window
    assert old is not None and (await messages.read_forward(channel, 1, 1))[0] == old

    gone = await messages.withdraw(channel, 8)
    assert gone is not None and gone.withdrawn and gone.payload == b"" and gone.extension == b""
    assert await messages.get(channel, 8) == gone
    assert (await messages.read_forward(channel, 8, 1))[0].withdrawn
    assert await messages.edit(channel, 8, b"resurrect", 1_800_000_000_002) is None
    assert await messages.edit(channel, 99, b"x", 1) is None
    assert await messages.withdraw(channel, 99) is None


async def test_count_after_counts_messages_not_seqnum_distance(messages: MessageStore) -> None:
    """Unread counts (#16): seqnums jump (a restart skips to a new segment), so the store
    counts rows: content types only, not the reader's own, not withdrawn, up to a cap."""
    channel = channel_key(ALICE, BOB)
    content = {32, 33}
    await messages.insert(msg(1))
    await messages.insert(msg(2, sender=BOB, receiver=ALICE))  # the reader's own
    await messages.insert(msg(10_002))  # after a restart's jump
    await messages.insert(dataclasses.replace(msg(10_003), type=64))  # an Edit: not content
    await messages.insert(msg(10_004))
    await messages.withdraw(channel, 10_004)
    await messages.insert(msg(10_005))
    assert await messages.count_after(channel, 0, 1000, types=content, not_from=BOB) == 3
    assert await messages.count_after(channel, 1, 1000, types=content, not_from=BOB) == 2
    assert await messages.count_after(channel, 0, 2, types=content, not_from=BOB) == 2  # capped
    assert await messages.count_after(channel, 10_005, 1000, types=content, not_from=BOB) == 0
    assert await messages.count_after(channel, 0, 1000, types=content) == 4
    assert await messages.count_after(channel, 0, 1000, types=(), not_from=BOB) == 0
