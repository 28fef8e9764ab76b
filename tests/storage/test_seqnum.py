"""Contract: SeqnumStore (segment ceilings per channel section) in a file and in PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from prim.runtime.storage.files.seqnum import FileSeqnumStore, SeqnumFileLocked
from prim.runtime.storage.ports import SeqnumStore

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
