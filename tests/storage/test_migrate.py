"""Migrations: versioned, recorded in schema_version, safe to re-run, atomic on failure."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from prim.runtime.storage import migrate
from prim.runtime.storage.migrate import (
    Migration,
    apply_postgres_migrations,
    apply_sqlite_migrations,
    load_migrations,
    postgres_schema_version,
    sqlite_schema_version,
)
from prim.runtime.storage.models import GROUP_ID_BASE, InboxEntry
from prim.runtime.storage.sqlite.db import SqliteDatabase
from prim.runtime.storage.sqlite.inbox import SqliteInboxStore

pytestmark = pytest.mark.anyio


def test_both_dialects_ship_the_same_versions() -> None:
    sqlite_versions = [m.version for m in load_migrations("sqlite")]
    assert sqlite_versions == [m.version for m in load_migrations("postgres")]
    assert sqlite_versions[0] == 1


def test_sqlite_applies_once(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    assert sqlite_schema_version(conn) == 0
    latest = load_migrations("sqlite")[-1].version
    assert apply_sqlite_migrations(conn)[-1] == latest
    assert apply_sqlite_migrations(conn) == []
    assert sqlite_schema_version(conn) == latest
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "sessions", "friends", "chat_groups", "messages", "schema_version"} <= tables
    conn.close()


def test_sqlite_failed_migration_leaves_no_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    apply_sqlite_migrations(conn)
    before = sqlite_schema_version(conn)
    broken = Migration(before + 1, "broken.sql", "CREATE TABLE half (x INTEGER); SELECT nope();")
    real = migrate.load_migrations
    monkeypatch.setattr(migrate, "load_migrations", lambda d: [*real(d), broken])
    with pytest.raises(sqlite3.OperationalError):
        apply_sqlite_migrations(conn)
    assert sqlite_schema_version(conn) == before
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None
    conn.close()


async def test_postgres_concurrent_migrators(postgres_dsn: str) -> None:
    # A database of our own, so the schema starts empty.
    admin = await asyncpg.connect(postgres_dsn)
    name = "prim_migrate_test"
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {name}")
    dsn = postgres_dsn.rsplit("/", 1)[0] + f"/{name}"
    try:
        conns = [await asyncpg.connect(dsn) for _ in range(3)]
        assert await postgres_schema_version(conns[0]) == 0
        results = await asyncio.gather(*(apply_postgres_migrations(c) for c in conns))
        latest = load_migrations("postgres")[-1].version
        applied = sorted(v for r in results for v in r)
        assert applied == [m.version for m in load_migrations("postgres")]  # each exactly once
        assert await postgres_schema_version(conns[0]) == latest
        for c in conns:
            await c.close()
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


async def test_sqlite_folds_members_group_entries_into_the_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0008 on an inbox written per member: each member still sees the group's
    newest news (once), and the group's news is one row."""
    path = tmp_path / "m.db"
    conn = sqlite3.connect(path, isolation_level=None)
    real = migrate.load_migrations
    monkeypatch.setattr(migrate, "load_migrations",
                        lambda d: [m for m in real(d) if m.version < 8])
    apply_sqlite_migrations(conn)
    monkeypatch.undo()
    group, gone = GROUP_ID_BASE + 1, GROUP_ID_BASE + 2  # `gone` was deleted since
    conn.execute("INSERT INTO chat_groups (group_id, name, owner_id, created_at)"
                 " VALUES (?, 'g', 1, 0)", (group,))
    conn.executemany("INSERT INTO inbox VALUES (?, ?, ?, ?)", [
        (1, group, 7, 700), (2, group, 7, 700), (3, group, 5, 500), (1, 2, 3, 300),
        (1, gone, 4, 400)])
    assert apply_sqlite_migrations(conn) == [8]
    rows = conn.execute("SELECT * FROM inbox WHERE peer_id = ? ORDER BY user_id",
                        (group,)).fetchall()
    assert rows == [(group, group, 7, 700)]
    conn.close()
    db = await SqliteDatabase.open(str(path))
    try:
        inbox = SqliteInboxStore(db)
        for user in (1, 2):
            page = await inbox.get_inbox(user, 0, groups={group: 0})
            expected = [InboxEntry(group, 7, 700)] + ([InboxEntry(2, 3, 300)] if user == 1
                                                      else [])
            assert list(page.items) == expected
    finally:
        await db.close()
