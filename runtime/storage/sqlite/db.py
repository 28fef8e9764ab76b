"""One SQLite connection driven from a single worker thread.

sqlite3 blocks, so calls run in a one-thread executor: that keeps the event loop free and
serializes all access to the connection, which makes transactions trivially correct inside
one process. WAL mode lets readers in other processes (``prim migrate``, backups) proceed
while we write.

The message path's short writes (`write_now`) run on the calling thread instead when the
worker is idle: such a commit costs about 0.1 ms (WAL, synchronous=NORMAL: no fsync), while
the hand-off to the worker and back costs two thread wake-ups and GIL transfers, 0.5 ms
typically and tens of ms on a loaded machine (its switch interval is 5 ms), which made
most of a paced sender's latency tail. What could block the loop for longer is kept off
it: the connection never checkpoints at commit (wal_autocheckpoint=0); a second
connection in a thread of its own checkpoints (PASSIVE: writers carry on) every
`CHECKPOINT_EVERY` writes, and a lock held by another process sends the write to the
worker rather than waiting for it on the loop.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from ..migrate import apply_sqlite_migrations

T = TypeVar("T")
log = logging.getLogger("prim.storage.sqlite")

#: Write transactions between two checkpoints of the WAL (SQLite's own default is every
#: 1,000 pages, a few per message write).
CHECKPOINT_EVERY = 200
BUSY_TIMEOUT_MS = 5000


class SqliteDatabase:
    def __init__(self, path: str) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prim-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._in_worker = 0  # calls handed to the worker and not yet back
        self._wal = False  # the file is in WAL mode: we checkpoint it ourselves
        self._writes_since_checkpoint = 0
        self._checkpointer: ThreadPoolExecutor | None = None
        self._checkpoint: asyncio.Future[None] | None = None

    @classmethod
    async def open(cls, path: str, *, migrate: bool = True) -> SqliteDatabase:
        db = cls(path)
        await db._call(db._connect)
        if migrate:
            await db.run(apply_sqlite_migrations)
        return db

    def _connect(self) -> None:
        if self.path != ":memory:" and not self.path.startswith("file:"):
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (see write()).
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        self._wal = str(mode).lower() == "wal"  # not for :memory: databases
        if self._wal:
            conn.execute("PRAGMA wal_autocheckpoint=0")  # see the module's docstring
        # NORMAL in WAL mode survives a killed process (only power loss can drop the last
        # commits); the message path is made durable by msglogger before the Ack anyway.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self._conn = conn

    async def _call(self, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        self._in_worker += 1
        try:
            return await loop.run_in_executor(self._executor, fn)
        finally:
            self._in_worker -= 1

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("SQLite database is closed")
        return self._conn

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Runs ``fn(conn)`` in the worker thread, outside any explicit transaction."""
        return await self._call(lambda: fn(self._connection()))

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Runs ``fn(conn)`` in one write transaction; an exception rolls it back."""
        result = await self._call(lambda: _transaction(self._connection(), fn, "BEGIN IMMEDIATE"))
        self._wrote()
        return result

    async def write_now(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`write` for short writes on the message path: on this thread when the worker
        has nothing to do (so nothing queued before it is overtaken), else behind the
        worker's queue; also there when another process holds the database's write lock,
        which must not be waited for here."""
        if self._in_worker or self._conn is None:
            return await self.write(fn)
        conn = self._conn
        conn.execute("PRAGMA busy_timeout=0")
        busy = False
        try:
            result = _transaction(conn, fn, "BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
            busy = True
        finally:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if busy:  # another process writes: wait for it in the worker
            return await self.write(fn)
        self._wrote()
        return result

    def _wrote(self) -> None:
        if not self._wal:
            return
        self._writes_since_checkpoint += 1
        if self._writes_since_checkpoint >= CHECKPOINT_EVERY and self._checkpoint is None:
            self._writes_since_checkpoint = 0
            if self._checkpointer is None:
                self._checkpointer = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="prim-sqlite-checkpoint")
            self._checkpoint = asyncio.get_running_loop().run_in_executor(
                self._checkpointer, _checkpoint, self.path)
            self._checkpoint.add_done_callback(self._checkpointed)

    def _checkpointed(self, done: asyncio.Future[None]) -> None:
        self._checkpoint = None
        if not done.cancelled() and done.exception() is not None:
            log.warning("checkpointing %s failed: %s", self.path, done.exception())

    async def close(self) -> None:
        def shut() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        await self._call(shut)
        self._executor.shutdown(wait=True)
        if self._checkpointer is not None:  # SQLite checkpoints as the last one closes
            self._checkpointer.shutdown(wait=True)


def _transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T],
                 begin: str) -> T:
    conn.execute(begin)
    try:
        result = fn(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _checkpoint(path: str) -> None:
    """Copies the WAL's committed pages into the database file, from a connection of its
    own (PASSIVE: what readers still need stays, and writers are not held up)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        conn.close()
