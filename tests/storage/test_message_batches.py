"""A batch of messages reaches SQLite and PostgreSQL as one INSERT statement (the group
commit's batches and the log consumer's), counted by each driver's own statement hook."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from prim.runtime.storage.factory import message_store
from prim.runtime.storage.postgres.db import PostgresDatabase
from prim.runtime.storage.sqlite.db import SqliteDatabase

from .test_messages import msg

pytestmark = pytest.mark.anyio


def _inserts(statements: list[str]) -> int:
    return sum(s.lstrip().upper().startswith("INSERT INTO MESSAGES") for s in statements)


async def test_sqlite_writes_a_batch_in_one_statement(tmp_path: Path) -> None:
    db = await SqliteDatabase.open(str(tmp_path / "prim.db"))
    statements: list[str] = []

    def trace(conn: sqlite3.Connection) -> None:
        conn.set_trace_callback(statements.append)

    await db.run(trace)
    try:
        store = message_store(db)
        await store.insert(msg(1))
        results = await store.insert_many([msg(s) for s in range(1, 201)])
        assert [r.inserted for r in results] == [False] + [True] * 199
        assert _inserts(statements) == 2  # the single insert, then the batch
    finally:
        await db.close()


async def test_postgres_writes_a_batch_in_one_statement(postgres_dsn: str) -> None:
    db = await PostgresDatabase.open(postgres_dsn, min_size=1, max_size=1)
    statements: list[str] = []
    try:
        await db.pool.execute("TRUNCATE messages")
        async with db.pool.acquire() as conn:  # the pool's one connection, used below too
            conn.add_query_logger(lambda record: statements.append(record.query))
        store = message_store(db)
        await store.insert(msg(1))
        results = await store.insert_many([msg(s) for s in range(1, 201)])
        assert [r.inserted for r in results] == [False] + [True] * 199
        assert _inserts(statements) == 2
    finally:
        await db.close()
