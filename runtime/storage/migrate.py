"""Applies the versioned SQL migrations (migrations/<dialect>/NNNN_name.sql) in order.

Each migration runs in one transaction together with its row in ``schema_version``, so a
failed migration leaves no trace and can be retried. ``prim migrate`` and embedded start-up
call these functions.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

import asyncpg

from .clock import wall_clock_ms

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Arbitrary constant key: concurrent migrators on one PostgreSQL database serialize on it.
_PG_LOCK_KEY = 0x5052494D  # "PRIM"


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(dialect: str) -> list[Migration]:
    """The migrations shipped for ``dialect`` ("sqlite" or "postgres"), by version."""
    folder = resources.files(__package__).joinpath("migrations", dialect)
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions for {dialect}: {versions}")
    return found


def apply_sqlite_migrations(conn: sqlite3.Connection) -> list[int]:
    """Brings a SQLite database (autocommit connection) up to date; returns the versions
    applied now."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version"
        " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
    )
    applied: list[int] = []
    for migration in load_migrations("sqlite"):
        # BEGIN IMMEDIATE takes the write lock first, so two processes cannot both decide
        # that the same version is missing.
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = conn.execute(
                "SELECT 1 FROM schema_version WHERE version = ?", (migration.version,)
            ).fetchone()
            if done is None:
                # executescript() would commit first; run statement by statement instead.
                for statement in _split_sql(migration.sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, wall_clock_ms()),
                )
                applied.append(migration.version)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return applied


def sqlite_schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if row is None:
        return 0
    value = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
    return int(value)


async def apply_postgres_migrations(conn: asyncpg.Connection) -> list[int]:
    """Brings a PostgreSQL database up to date; returns the versions applied now."""
    applied: list[int] = []
    for migration in load_migrations("postgres"):
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _PG_LOCK_KEY)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            )
            done = await conn.fetchval(
                "SELECT 1 FROM schema_version WHERE version = $1", migration.version
            )
            if done is None:
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    wall_clock_ms(),
                )
                applied.append(migration.version)
    return applied


async def postgres_schema_version(conn: asyncpg.Connection) -> int:
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))


def _split_sql(script: str) -> list[str]:
    """Splits a migration into statements; our SQL has no ';' inside literals or triggers."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
