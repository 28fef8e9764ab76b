"""SqliteDatabase.write_now: the message path's short writes run on the loop's thread when
the worker is idle, and never make the loop wait (for queued work, for another process's
lock, or for a checkpoint)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from prim.runtime.storage.sqlite import db as sqlite_db
from prim.runtime.storage.sqlite.db import SqliteDatabase

pytestmark = pytest.mark.anyio


async def _open(tmp_path: Path) -> SqliteDatabase:
    db = await SqliteDatabase.open(str(tmp_path / "t.db"), migrate=False)
    await db.write(lambda c: c.execute("CREATE TABLE t (n INTEGER, thread TEXT, body BLOB)"))
    return db


def _insert(n: int, body: bytes = b"") -> object:
    def tx(conn: sqlite3.Connection) -> str:
        name = threading.current_thread().name
        conn.execute("INSERT INTO t VALUES (?, ?, ?)", (n, name, body))
        return name

    return tx


async def test_runs_here_when_idle_and_behind_queued_work(tmp_path: Path) -> None:
    db = await _open(tmp_path)
    try:
        assert await db.write_now(_insert(1)) == threading.current_thread().name
        release = threading.Event()
        blocker = asyncio.ensure_future(db.run(lambda c: release.wait(10)))
        await asyncio.sleep(0.05)  # the worker is busy with it
        queued = asyncio.ensure_future(db.write_now(_insert(2)))
        await asyncio.sleep(0.05)
        assert not queued.done()  # waits its turn, in the worker, not on the loop
        release.set()
        await blocker
        assert (await queued).startswith("prim-sqlite")
        rows = await db.run(lambda c: c.execute("SELECT n FROM t ORDER BY rowid").fetchall())
        assert rows == [(1,), (2,)]
    finally:
        await db.close()


async def test_a_failed_write_rolls_back(tmp_path: Path) -> None:
    db = await _open(tmp_path)
    try:
        def fails(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO t VALUES (1, '', x'')")
            raise ValueError("no")

        with pytest.raises(ValueError):
            await db.write_now(fails)
        assert await db.run(lambda c: c.execute("SELECT COUNT(*) FROM t").fetchone()) == (0,)
        timeout = await db.run(lambda c: c.execute("PRAGMA busy_timeout").fetchone())
        assert timeout == (sqlite_db.BUSY_TIMEOUT_MS,)
    finally:
        await db.close()


async def test_another_process_lock_is_waited_for_off_the_loop(tmp_path: Path) -> None:
    db = await _open(tmp_path)
    other = sqlite3.connect(str(tmp_path / "t.db"), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # as `prim migrate` or a backup tool might
        write = asyncio.ensure_future(db.write_now(_insert(1)))
        ticks = 0
        for _ in range(10):  # the loop keeps turning meanwhile
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 10 and not write.done()
        other.execute("COMMIT")
        assert (await write).startswith("prim-sqlite")
    finally:
        other.close()
        await db.close()


async def test_the_wal_is_checkpointed_off_the_loop(tmp_path: Path) -> None:
    db = await _open(tmp_path)
    path = tmp_path / "t.db"
    try:
        before = path.stat().st_size
        for n in range(sqlite_db.CHECKPOINT_EVERY + 1):
            await db.write_now(_insert(n, bytes(1000)))
        # The commits themselves never checkpoint (wal_autocheckpoint=0): only the
        # checkpointer's connection moves the pages into the file.
        for _ in range(500):
            if path.stat().st_size > before + 100_000:
                break
            await asyncio.sleep(0.01)
        assert path.stat().st_size > before + 100_000
    finally:
        await db.close()
