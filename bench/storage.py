"""Storage benchmark: message appends/s and history range reads/s per message-store adapter.

Run: ``python -m prim.bench.storage [--messages N] [--reads N]`` (or ``prim bench storage``).
Adapters: SQLite (embedded), PostgreSQL, PostgreSQL behind the Redis hot window. The
baseline column is the backend's bare round trip (``SELECT 1`` / ``PING``) measured in the
same run, i.e. the ceiling any adapter on that backend could reach one request at a time.
PostgreSQL: ``PRIM_BENCH_POSTGRES_DSN`` (default the local cluster; a throwaway database is
created and dropped). Redis: ``PRIM_BENCH_REDIS_URL`` (default redis://127.0.0.1:6379/15).
Unreachable backends are reported and skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped, unused-ignore]
from redis.asyncio import Redis

from prim.runtime.storage.models import Message, channel_key
from prim.runtime.storage.ports import MessageStore
from prim.runtime.storage.postgres.db import PostgresDatabase
from prim.runtime.storage.postgres.messages import PostgresMessageStore
from prim.runtime.storage.redis.hot_window import RedisHotWindowMessageStore
from prim.runtime.storage.sqlite.db import SqliteDatabase
from prim.runtime.storage.sqlite.messages import SqliteMessageStore

CHANNELS = 20
PAGE = 50


@dataclass
class Row:
    adapter: str
    appends: float
    recent_reads: float
    old_reads: float
    baseline: float
    note: str = ""


def _messages(n: int) -> list[Message]:
    out = []
    for i in range(n):
        a, b = 10_000, 10_001 + i % CHANNELS
        out.append(
            Message(
                channel=channel_key(a, b), seqnum=i // CHANNELS + 1, sender=a, receiver=b,
                type=32, server_ts=1_700_000_000_000 + i, client_ts=1_699_000_000_000 + i,
                payload=b"x" * 120, extension=b"",
            )
        )  # fmt: skip
    return out


async def _rate(n: int, op: Callable[[int], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    for i in range(n):
        await op(i)
    return n / (time.perf_counter() - start)


async def _measure(
    name: str, store: MessageStore, msgs: list[Message], reads: int, baseline: float
) -> Row:
    appends = await _rate(len(msgs), lambda i: store.insert(msgs[i]))
    per_channel = len(msgs) // CHANNELS
    rng = random.Random(1)
    channels = [channel_key(10_000, 10_001 + c) for c in range(CHANNELS)]

    async def recent(_: int) -> None:
        await store.read_backward(rng.choice(channels), per_channel + 1, PAGE)

    async def old(_: int) -> None:
        await store.read_forward(rng.choice(channels), rng.randint(1, per_channel // 2), PAGE)

    return Row(name, appends, await _rate(reads, recent), await _rate(reads, old), baseline)


async def bench_sqlite(msgs: list[Message], reads: int) -> Row:
    with tempfile.TemporaryDirectory() as tmp:
        db = await SqliteDatabase.open(str(Path(tmp) / "bench.db"))
        try:
            base = await _rate(reads, lambda _: db.run(lambda c: c.execute("SELECT 1").fetchone()))
            return await _measure(
                "sqlite (WAL, 1 thread)", SqliteMessageStore(db), msgs, reads, base
            )
        finally:
            await db.close()


async def bench_postgres(msgs: list[Message], reads: int, redis_url: str | None) -> list[Row]:
    admin_dsn = os.environ.get(
        "PRIM_BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1/postgres"
    )
    name = f"prim_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_dsn, timeout=5)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = urlunsplit(urlsplit(admin_dsn)._replace(path=f"/{name}"))
    rows: list[Row] = []
    try:
        db = await PostgresDatabase.open(dsn)
        try:
            base = await _rate(reads, lambda _: db.pool.fetchval("SELECT 1"))
            store = PostgresMessageStore(db)
            rows.append(await _measure("postgresql", store, msgs, reads, base))
            if redis_url is not None:
                await db.pool.execute("TRUNCATE messages")
                client = Redis.from_url(redis_url)
                prefix = f"prim-bench-{secrets.token_hex(4)}:"
                try:
                    rbase = await _rate(reads, lambda _: client.ping())  # type: ignore[arg-type, return-value, unused-ignore]
                    hot = RedisHotWindowMessageStore(store, client, capacity=200, prefix=prefix)
                    row = await _measure("postgresql + redis window", hot, msgs, reads, rbase)
                    row.note = "baseline = redis PING"
                    rows.append(row)
                finally:
                    async for key in client.scan_iter(match=f"{prefix}*"):
                        await client.delete(key)
                    await client.aclose()
        finally:
            await db.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return rows


async def _redis_reachable(url: str) -> bool:
    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
        return True
    except Exception:
        return False
    finally:
        await client.aclose()


async def run(messages: int, reads: int) -> list[Row]:
    msgs = _messages(messages)
    rows = [await bench_sqlite(msgs, reads)]
    redis_url = os.environ.get("PRIM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    if not await _redis_reachable(redis_url):
        print(f"(redis at {redis_url} unreachable: hot window skipped)")
        redis_url_or_none: str | None = None
    else:
        redis_url_or_none = redis_url
    try:
        rows += await bench_postgres(msgs, reads, redis_url_or_none)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"(postgresql unreachable: skipped; {exc!r})")
    return rows


def _table(rows: list[Row], messages: int, reads: int) -> str:
    head = (
        f"{'adapter':<28}{'appends/s':>12}{'recent reads/s':>16}{'old reads/s':>14}"
        f"{'baseline rt/s':>15}"
    )
    lines = [
        f"{messages} single-message appends over {CHANNELS} channels; {reads} reads of {PAGE}"
        " messages (recent = newest page, old = a random older page); one request at a time",
        head,
        "-" * len(head),
    ]
    for r in rows:
        lines.append(
            f"{r.adapter:<28}{r.appends:>12,.0f}{r.recent_reads:>16,.0f}{r.old_reads:>14,.0f}"
            f"{r.baseline:>15,.0f}" + (f"  ({r.note})" if r.note else "")
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="prim bench storage", description=__doc__)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--reads", type=int, default=2000)
    args = parser.parse_args(argv)
    rows = asyncio.run(run(args.messages, args.reads))
    print(_table(rows, args.messages, args.reads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
