"""Contract: SeqnumStore (segment ceilings per channel section) in a file and in PostgreSQL,
and the section leases that only the PostgreSQL store has (several seqnum instances)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from prim.runtime.storage.files.seqnum import FileSeqnumStore, SeqnumFileLocked
from prim.runtime.storage.ports import SeqnumStore
from prim.runtime.storage.postgres.db import PostgresDatabase
from prim.runtime.storage.postgres.seqnum import PostgresSeqnumStore

from .conftest import open_seqnum_store

pytestmark = pytest.mark.anyio


async def test_ceilings_only_rise_and_survive_reopen(
    seqnum: SeqnumStore, seqnum_kind: tuple[str, str]
) -> None:
    assert await seqnum.load() == {}
    assert await seqnum.get(3) == 0
    assert await seqnum.save(3, 10_000) == 10_000
    assert await seqnum.save(3, 5_000) == 10_000  # never backwards
    assert await seqnum.save(7, 20_000) == 20_000
    assert await seqnum.save(3, 30_000) == 30_000
    assert await seqnum.get(3) == 30_000
    assert await seqnum.load() == {3: 30_000, 7: 20_000}

    # "Crash" and restart: a fresh store sees what was saved.
    await seqnum.close()
    reopened = await open_seqnum_store(*seqnum_kind)
    try:
        assert await reopened.load() == {3: 30_000, 7: 20_000}
        assert await reopened.save(7, 1) == 20_000
    finally:
        await reopened.close()


async def test_concurrent_saves_keep_the_maximum(seqnum: SeqnumStore) -> None:
    values = list(range(1_000, 21_000, 1_000))
    await asyncio.gather(*(seqnum.save(1, v) for v in reversed(values)))
    assert await seqnum.get(1) == max(values)


async def test_file_store_is_exclusive_and_atomic(tmp_path: Path) -> None:
    path = tmp_path / "seqnum.json"
    store = await FileSeqnumStore.open(path)
    await store.save(2**40, 123)
    with pytest.raises(SeqnumFileLocked):
        await FileSeqnumStore.open(path)
    doc = json.loads(path.read_text())
    assert doc == {"version": 1, "ceilings": {str(2**40): 123}}
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
    await store.close()
    folder_store = await FileSeqnumStore.open(tmp_path)  # a folder gets seqnum.json
    assert await folder_store.load() == {2**40: 123}
    await folder_store.close()


# -- leases (PostgreSQL) ---------------------------------------------------------------------
@pytest.fixture
async def leases(postgres_dsn: str) -> AsyncIterator[tuple[PostgresSeqnumStore,
                                                           PostgresDatabase]]:
    db = await PostgresDatabase.open(postgres_dsn, max_size=4)
    await db.pool.execute("TRUNCATE seqnum_ceilings")
    yield PostgresSeqnumStore(db), db
    await db.close()


async def test_a_lease_has_one_holder_until_it_expires(
        leases: tuple[PostgresSeqnumStore, PostgresDatabase]) -> None:
    store, db = leases
    granted = await store.acquire(5, "a", 60_000)
    assert (granted.granted, granted.ceiling, granted.holder) == (True, 0, "a")
    assert await store.save_leased(5, 1_000, "a", 60_000) == 1_000
    assert await store.save_leased(5, 10, "a", 60_000) == 1_000  # never lowered
    refused = await store.acquire(5, "b", 60_000)
    assert (refused.granted, refused.ceiling, refused.holder) == (False, 1_000, "a")
    assert 0 < refused.expires_in_ms <= 60_000
    assert await store.save_leased(5, 2_000, "b", 60_000) is None  # fenced
    assert (await store.acquire(5, "a", 60_000)).granted  # renewing one's own
    # Expired on the database's clock: anyone may take it, at the ceiling left behind.
    await db.pool.execute("UPDATE seqnum_ceilings SET lease_until = lease_until - 120000")
    taken = await store.acquire(5, "b", 60_000)
    assert (taken.granted, taken.ceiling, taken.holder) == (True, 1_000, "b")
    assert await store.save_leased(5, 5_000, "a", 60_000) is None  # the old holder is out
    assert await store.get(5) == 1_000


async def test_renew_and_release(leases: tuple[PostgresSeqnumStore, PostgresDatabase]) -> None:
    store, db = leases
    for section in (1, 2, 3):
        assert (await store.acquire(section, "a", 60_000)).granted
    assert (await store.acquire(4, "b", 60_000)).granted
    await db.pool.execute("UPDATE seqnum_ceilings SET lease_until = 0 WHERE section = 3")
    # One statement for all: only a's unexpired leases among those asked for.
    assert await store.renew("a", [1, 2, 3, 4, 99], 60_000) == {1, 2}
    assert await store.renew("a", [], 60_000) == set()
    await store.release("a")
    assert (await store.acquire(1, "b", 60_000)).granted  # at once, no expiry to wait for
    assert not (await store.acquire(4, "a", 60_000)).granted  # b's own lease is untouched


async def test_racing_instances_get_a_free_section_once(
        leases: tuple[PostgresSeqnumStore, PostgresDatabase]) -> None:
    store, _ = leases
    results = await asyncio.gather(*(store.acquire(8, f"i{n}", 60_000) for n in range(8)))
    winners = [r.holder for r in results if r.granted]
    assert len(winners) == 1
    assert all(r.holder == winners[0] for r in results)
