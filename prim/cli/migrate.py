"""`prim migrate`: bring the configured database (storage.database) up to the newest schema,
or with --status only report its version. Embedded mode also migrates at start-up; run this
before starting production processes against a new PostgreSQL database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from prim.cli.config import add_config_option
from prim.runtime.config import ConfigError, load_config


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "migrate", help="apply database migrations", description=__doc__
    )
    add_config_option(p)
    p.add_argument("--database", metavar="URL",
                   help="database URL instead of the configured storage.database")
    p.add_argument("--status", action="store_true",
                   help="print the schema version and the newest known; change nothing")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"prim migrate: invalid configuration: {exc}", file=sys.stderr)
        return 1
    url = args.database or config.storage.database.format(data_dir=config.node.data_dir)
    import sqlite3

    import asyncpg

    try:
        before, after, newest = asyncio.run(_migrate(url, apply=not args.status))
    except (OSError, ValueError, sqlite3.Error, asyncpg.PostgresError) as exc:
        print(f"prim migrate: {url}: {exc}", file=sys.stderr)
        return 1
    if args.status:
        state = "up to date" if before == newest else f"{newest - before} migration(s) pending"
        print(f"{url}: schema version {before}, newest {newest} ({state})")
    elif before == after:
        print(f"{url}: already at schema version {after}")
    else:
        print(f"{url}: migrated from schema version {before} to {after}")
    return 0


async def _migrate(url: str, *, apply: bool) -> tuple[int, int, int]:
    """(version before, version after, newest version shipped)."""
    from prim.runtime.storage import migrate
    from prim.runtime.storage.factory import sqlite_path

    if url.startswith("sqlite:"):
        from prim.runtime.storage.sqlite.db import SqliteDatabase

        db = await SqliteDatabase.open(sqlite_path(url), migrate=False)
        try:
            newest = migrate.load_migrations("sqlite")[-1].version
            before = await db.run(migrate.sqlite_schema_version)
            if apply:
                await db.run(migrate.apply_sqlite_migrations)
            return before, await db.run(migrate.sqlite_schema_version), newest
        finally:
            await db.close()
    if url.startswith(("postgresql:", "postgres:")):
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            newest = migrate.load_migrations("postgres")[-1].version
            before = await migrate.postgres_schema_version(conn)
            if apply:
                await migrate.apply_postgres_migrations(conn)
            return before, await migrate.postgres_schema_version(conn), newest
        finally:
            await conn.close()
    raise ValueError("the database URL must start with sqlite:/// or postgresql://")
