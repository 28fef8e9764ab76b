"""Contract: InboxStore in process memory, on SQLite (embedded) and on Redis (cluster)."""

from __future__ import annotations

import pytest

from prim.runtime.storage.models import GROUP_ID_BASE, InboxEntry
from prim.runtime.storage.ports import InboxStore

from .conftest import open_inbox_store

pytestmark = pytest.mark.anyio
U, V = 10_001, 10_002


async def entries(inbox: InboxStore, user: int, since: int,
                  groups: dict[int, int] | None = None) -> list[InboxEntry]:
    return list((await inbox.get_inbox(user, since, groups=groups)).items)


async def test_inbox(inbox: InboxStore) -> None:
    group = GROUP_ID_BASE + 1
    member = {group: 0}
    assert await entries(inbox, U, 0, member) == []
    await inbox.record_inbox(U, V, seqnum=3, ts=1_000)
    await inbox.record_inbox(group, group, seqnum=10, ts=1_500)  # the group's news
    await inbox.record_inbox(U, V, seqnum=4, ts=2_000)
    await inbox.record_inbox(U, V, seqnum=2, ts=1_200)  # out of order: ignored
    await inbox.record_inbox(V, U, seqnum=4, ts=2_000)
    news = [InboxEntry(V, 4, 2_000), InboxEntry(group, 10, 1_500)]
    assert await entries(inbox, U, 0, member) == news
    assert await entries(inbox, U, 1_500, member) == news
    assert await entries(inbox, U, 1_501, member) == [InboxEntry(V, 4, 2_000)]
    assert await entries(inbox, U, 2_001, member) == []
    assert await entries(inbox, U, 0) == [InboxEntry(V, 4, 2_000)]  # not a member: no news


async def test_inbox_pages(inbox: InboxStore) -> None:
    for peer in range(1, 8):
        await inbox.record_inbox(U, 20_000 + peer, seqnum=peer, ts=1_000 * peer)
    seen: list[int] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        page = await inbox.get_inbox(U, 0, offset=offset, limit=3)
        seen += [e.peer_id for e in page.items]
        offset, pages = page.next_after, pages + 1
    assert pages == 3
    assert seen == [20_000 + p for p in range(7, 0, -1)]  # newest first, each once
    exact = await inbox.get_inbox(U, 0, offset=4, limit=3)
    assert len(exact.items) == 3 and exact.next_after is None


async def test_read_markers(inbox: InboxStore) -> None:
    assert await inbox.get_read_markers(U, ["u1-2", "g9"]) == {"u1-2": 0, "g9": 0}
    assert await inbox.set_read_marker(U, "u1-2", 5) == 5
    assert await inbox.set_read_marker(U, "u1-2", 3) == 5  # never backwards
    assert await inbox.set_read_marker(U, "g9", 7) == 7
    assert await inbox.get_read_markers(U, ["u1-2", "g9", "g10"]) == {
        "u1-2": 5, "g9": 7, "g10": 0,
    }  # fmt: skip
    assert await inbox.get_read_markers(V, ["u1-2"]) == {"u1-2": 0}
    assert await inbox.get_read_markers(U, []) == {}


async def test_forget_user(inbox: InboxStore) -> None:
    await inbox.record_inbox(U, V, seqnum=3, ts=1_000)
    await inbox.record_inbox(V, U, seqnum=3, ts=1_000)
    await inbox.set_read_marker(U, "u1-2", 5)
    await inbox.forget_user(U)
    assert await entries(inbox, U, 0) == []
    assert await inbox.get_read_markers(U, ["u1-2"]) == {"u1-2": 0}
    assert await entries(inbox, V, 0) == [InboxEntry(U, 3, 1_000)]


@pytest.mark.parametrize("inbox_kind", ["sqlite", "redis"], indirect=True)
async def test_survives_reopening(inbox_kind: tuple[str, str, str]) -> None:
    """The durable adapters keep the inbox and markers across a restart (#10)."""
    store, db = await open_inbox_store(*inbox_kind)
    await store.record_inbox(U, V, seqnum=3, ts=1_000)
    await store.set_read_marker(U, "u1-2", 2)
    await store.close()
    if db is not None:
        await db.close()
    store, db = await open_inbox_store(*inbox_kind)
    try:
        assert await entries(store, U, 0) == [InboxEntry(V, 3, 1_000)]
        assert await store.get_read_markers(U, ["u1-2"]) == {"u1-2": 2}
    finally:
        await store.close()
        if db is not None:
            await db.close()


async def test_a_groups_news_is_one_entry_for_all_its_members(inbox: InboxStore) -> None:
    group = GROUP_ID_BASE + 2
    await inbox.record_inbox_entries([(group, group, 5, 2_000)])
    await inbox.record_inbox(group, group, seqnum=4, ts=1_900)  # never backwards
    await inbox.record_inbox(U, V, seqnum=3, ts=1_000)
    member = {group: 0}
    assert await entries(inbox, U, 0, member) == [InboxEntry(group, 5, 2_000),
                                                  InboxEntry(V, 3, 1_000)]
    assert await entries(inbox, V, 0, member) == [InboxEntry(group, 5, 2_000)]
    assert await entries(inbox, V, 0, {GROUP_ID_BASE + 3: 0}) == []  # no news there
    # Joined after the group's last news: not theirs (only the one-to-one entry is).
    assert await entries(inbox, U, 0, {group: 2_001}) == [InboxEntry(V, 3, 1_000)]
    assert await entries(inbox, U, 0, {group: 2_000}) == [InboxEntry(group, 5, 2_000),
                                                          InboxEntry(V, 3, 1_000)]


async def test_pages_merge_groups_with_peers(inbox: InboxStore) -> None:
    groups = {GROUP_ID_BASE + n: 0 for n in range(1, 4)}
    for n, group in enumerate(groups):
        await inbox.record_inbox(group, group, seqnum=n + 1, ts=1_000 * (2 * n + 1) + 500)
    for peer in range(1, 8):
        await inbox.record_inbox(U, 20_000 + peer, seqnum=peer, ts=1_000 * peer)
    seen: list[int] = []
    offset: int | None = 0
    while offset is not None:
        page = await inbox.get_inbox(U, 0, groups=groups, offset=offset, limit=3)
        seen += [e.peer_id for e in page.items]
        offset = page.next_after
    g1, g2, g3 = groups
    assert seen == [20_007, 20_006, g3, 20_005, 20_004, g2, 20_003, 20_002, g1, 20_001]


async def test_a_groups_entries_under_a_member_are_not_listed_twice(
    inbox: InboxStore,
) -> None:
    """Before a group's news was kept once, each member had an entry for it (SQLite folds
    those rows in its migration, Redis when it reads them); one is listed, never two."""
    group = GROUP_ID_BASE + 4
    await inbox.record_inbox(U, group, seqnum=9, ts=3_000)  # the old way
    await inbox.record_inbox(group, group, seqnum=10, ts=3_500)
    listed = await entries(inbox, U, 0, {group: 0})
    assert [e.peer_id for e in listed] == [group]
    assert await entries(inbox, U, 0) == []  # left the group: not listed


async def test_record_entries_in_one_write(inbox: InboxStore) -> None:
    await inbox.record_inbox(V, U, seqnum=9, ts=3_000)
    await inbox.record_inbox_entries([(U, V, 4, 1_000), (V, U, 4, 1_000), (U, V, 5, 1_500)])
    await inbox.record_inbox_entries([])
    assert await entries(inbox, U, 0) == [InboxEntry(V, 5, 1_500)]
    assert await entries(inbox, V, 0) == [InboxEntry(U, 9, 3_000)]  # never backwards


async def test_bounds_beyond_any_stored_value(inbox: InboxStore) -> None:
    """since and offset come from clients as uint64 (GetInbox's since, its page token)."""
    await inbox.record_inbox(U, V, seqnum=3, ts=1_000)
    assert await entries(inbox, U, (1 << 64) - 1) == []
    page = await inbox.get_inbox(U, 0, offset=(1 << 64) - 1, limit=10)
    assert list(page.items) == [] and page.next_after is None


async def test_redis_folds_a_members_old_entries_into_the_groups(
    redis_url: str, redis_key_prefix: str,
) -> None:
    """A Redis inbox written per member (before a group's news was kept once) still shows
    the group to its members, once: the first read moves it to the group's own entry."""
    store, _ = await open_inbox_store("redis", redis_url, redis_key_prefix)
    group = GROUP_ID_BASE + 5
    try:
        await store.record_inbox(U, group, seqnum=9, ts=3_000)
        await store.record_inbox(V, group, seqnum=9, ts=3_000)
        await store.record_inbox(U, V, seqnum=2, ts=1_000)
        member = {group: 0}
        folded = [InboxEntry(group, 9, 3_000), InboxEntry(V, 2, 1_000)]
        assert await entries(store, U, 0, member) == folded
        assert await entries(store, U, 0, member) == folded  # moved, not lost
        assert await entries(store, U, 0) == [InboxEntry(V, 2, 1_000)]
        assert await entries(store, 10_003, 0, member) == [InboxEntry(group, 9, 3_000)]
    finally:
        await store.close()
