"""HTTP API benchmark: logins/s, history pages/s and sign-ups/s from concurrent clients over
real HTTP, against an embedded node (SQLite) and a PostgreSQL node, each a `prim serve`
child process (so client and server do not share one interpreter).

Run: ``python -m prim.bench.api [--clients N] [--seconds S] [--scrypt-log-n N]`` (or
``prim bench api``). Each operation runs for a fixed time with N clients on keep-alive
connections; the baseline column is GET /healthz/s measured the same way in the same run:
the binding's and the server's ceiling with no service work. Login and sign-up are bound
by scrypt (``--scrypt-log-n``, default 14 as configured for production). History pages are
GET /v1/conversations/{peer}/messages (ListHistory, 50 messages a page, a friend pair with
500 messages sent over the wire); when the node does not serve ListHistory the row measures
GET /v1/users/me instead and says so.

PostgreSQL: ``PRIM_TEST_POSTGRES_DSN`` (default postgresql://postgres@127.0.0.1:5432/postgres);
a throwaway database is created and dropped. Redis (online state of the PostgreSQL node):
``PRIM_BENCH_REDIS_URL`` (default redis://127.0.0.1:6379/15), memory:// if unreachable.
Unreachable backends are reported and skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped, unused-ignore]
import httpx
from redis.asyncio import Redis

from prim.generated.prim.v1 import MsgType
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.asyncio.connect import connect
from prim.runtime.wire.frame import Frame

PASSWORD = "bench password"
HISTORY_MESSAGES = 500
PAGE = 50


@dataclass
class Row:
    backend: str
    logins: float
    history: float
    signups: float
    baseline: float
    note: str = ""


@dataclass
class Served:
    http: str
    quic: str
    ca_cert: str


@contextlib.asynccontextmanager
async def serve(env: dict[str, str]) -> AsyncIterator[Served]:
    """A `prim serve` child process; yields its endpoints from the ready line."""
    with tempfile.TemporaryDirectory() as data_dir:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "prim.cli.main", "serve", "--data-dir", data_dir,
            "--http-port", "0", "--gateway-port", "0",
            env={**os.environ, "PRIM_LOG__LEVEL": "warning", **env},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            assert proc.stdout is not None
            line = await asyncio.wait_for(proc.stdout.readline(), 30)
            if not line:
                raise RuntimeError("prim serve exited before it was ready")
            ready = json.loads(line)
            yield Served(ready["http"], ready["quic"], ready["ca_cert"])
        finally:
            if proc.returncode is None:
                proc.terminate()
                try:
                    await asyncio.wait_for(proc.wait(), 10)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()


async def rate(clients: list[httpx.AsyncClient], seconds: float,
               op: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]) -> float:
    """Completed operations per second, each client looping for ``seconds``."""
    deadline = time.perf_counter() + seconds
    counts = [0] * len(clients)

    async def loop(index: int, client: httpx.AsyncClient) -> None:
        i = 0
        while time.perf_counter() < deadline:
            response = await op(client, index * 1_000_000 + i)
            if response.status_code != 200:
                raise RuntimeError(f"{response.request.method} {response.request.url.path}: "
                                   f"{response.status_code} {response.text}")
            i += 1
        counts[index] = i

    start = time.perf_counter()
    await asyncio.gather(*(loop(i, c) for i, c in enumerate(clients)))
    return sum(counts) / (time.perf_counter() - start)


async def _signup(http: httpx.AsyncClient, nickname: str) -> int:
    response = await http.post("/v1/users", json={"password": PASSWORD,
                                                     "nickname": nickname})
    response.raise_for_status()
    return int(response.json()["userId"])


async def _login(http: httpx.AsyncClient, user_id: int) -> str:
    response = await http.post("/v1/sessions", json={"userId": str(user_id),
                                                     "password": PASSWORD})
    response.raise_for_status()
    return str(response.json()["accessToken"])


async def _conversation(http: httpx.AsyncClient, served: Served) -> tuple[str, int] | None:
    """(token of a user, their friend's id) with HISTORY_MESSAGES messages between them;
    None when the node does not serve FriendService/MessageService."""
    ann, bob = await _signup(http, "ann"), await _signup(http, "bob")
    ann_token, bob_token = await _login(http, ann), await _login(http, bob)
    asked = await http.post("/v1/friend-requests", json={"userId": str(bob)},
                            headers={"authorization": f"Bearer {ann_token}"})
    probe = await http.get(f"/v1/conversations/{bob}/messages",
                           headers={"authorization": f"Bearer {ann_token}"})
    if asked.status_code == 404 or (probe.status_code == 404 and "no operation" in probe.text):
        return None
    asked.raise_for_status()
    accepted = await http.post(f"/v1/friend-requests/{ann}/accept", json={},
                               headers={"authorization": f"Bearer {bob_token}"})
    accepted.raise_for_status()
    host, port = served.quic.rsplit(":", 1)
    client = await connect(host, int(port), token=ann_token, user_id=ann,
                           trust=Trust(ca_file=Path(served.ca_cert)), server_name="localhost")
    try:
        base = time.time_ns() // 1_000_000
        for i in range(HISTORY_MESSAGES):
            await client.send(Frame(type=MsgType.TEXT, sender=ann, receiver=bob,
                                    timestamp=base + i, payload=f"message {i}".encode()))
        acks = 0
        while acks < HISTORY_MESSAGES:
            frame = await asyncio.wait_for(client.receive(), 30)
            acks += frame.type == MsgType.ACK
    finally:
        await client.close()
    return ann_token, bob


async def measure(name: str, env: dict[str, str], clients: int, seconds: float) -> Row:
    async with serve(env) as served:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        pool = [httpx.AsyncClient(base_url=served.http, timeout=60, limits=limits)
                for _ in range(clients)]
        try:
            http = pool[0]
            # One account per client: the login limiter counts attempts per account.
            users = [await _signup(http, f"bench{i}") for i in range(clients)]
            user = users[0]
            baseline = await rate(pool, seconds, lambda c, _: c.get("/healthz"))
            logins = await rate(pool, seconds, lambda c, i: c.post(
                "/v1/sessions", json={"userId": str(users[i // 1_000_000]),
                                      "password": PASSWORD}))
            signups = await rate(pool, seconds, lambda c, i: c.post(
                "/v1/users", json={"password": PASSWORD, "nickname": f"u{i}"}))
            conversation = await _conversation(http, served)
            note = ""
            if conversation is None:
                token = await _login(http, user)
                auth = {"authorization": f"Bearer {token}"}
                history = await rate(pool, seconds, lambda c, _: c.get("/v1/users/me",
                                                                       headers=auth))
                note = "history column = GetMyProfile (ListHistory not served)"
            else:
                token, peer = conversation
                auth = {"authorization": f"Bearer {token}"}
                pages = HISTORY_MESSAGES // PAGE

                def page(c: httpx.AsyncClient, i: int) -> Awaitable[httpx.Response]:
                    start = (i % pages) * PAGE + 1
                    return c.get(f"/v1/conversations/{peer}/messages", headers=auth, params={
                        "fromSeqnum": start, "pageSize": PAGE, "direction": "DIRECTION_FORWARD"})

                history = await rate(pool, seconds, page)
        finally:
            for client in pool:
                await client.aclose()
    return Row(name, logins, history, signups, baseline, note)


async def _postgres_env(admin_dsn: str, name: str) -> dict[str, str]:
    dsn = urlunsplit(urlsplit(admin_dsn)._replace(path=f"/{name}"))
    redis_url = os.environ.get("PRIM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    online = "memory://"
    client = Redis.from_url(redis_url, socket_connect_timeout=2)
    try:
        await client.ping()
        sep = "&" if "?" in redis_url else "?"
        online = f"{redis_url}{sep}prefix=prim-bench-{secrets.token_hex(4)}:"
    except Exception:
        print(f"Redis at {redis_url} unreachable: the PostgreSQL node keeps online state in "
              "memory", file=sys.stderr)
    finally:
        await client.aclose()
    return {"PRIM_STORAGE__DATABASE": dsn, "PRIM_STORAGE__SEQNUM": dsn,
            "PRIM_STORAGE__ONLINE": online}


async def run(clients: int, seconds: float, log_n: int) -> list[Row]:
    # Every bench client is 127.0.0.1 and logs in at once: per-address limits and the
    # scrypt queue would refuse most of them.
    common = {"PRIM_AUTH__SCRYPT_LOG_N": str(log_n),
              "PRIM_AUTH__PASSWORD_ATTEMPTS_PER_IP_PER_MINUTE": "1000000000",
              "PRIM_AUTH__SIGNUPS_PER_IP_PER_HOUR": "1000000000",
              "PRIM_AUTH__SCRYPT_QUEUE": "100000"}
    rows = [await measure("embedded (sqlite)", common, clients, seconds)]
    admin_dsn = os.environ.get("PRIM_TEST_POSTGRES_DSN",
                               "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"prim_bench_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(admin_dsn, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        print(f"PostgreSQL at {admin_dsn} unreachable ({exc!r}): skipped", file=sys.stderr)
        return rows
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        env = {**common, **await _postgres_env(admin_dsn, name)}
        rows.append(await measure("postgresql + redis", env, clients, seconds))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return rows


def render(rows: list[Row], clients: int, log_n: int) -> str:
    head = (f"{'backend':<20} {'logins/s':>9} {'history pages/s':>16} {'sign-ups/s':>11} "
            f"{'baseline GET /healthz/s':>24}")
    lines = [f"api over HTTP/1.1, {clients} concurrent clients, scrypt 2^{log_n}", head,
             "-" * len(head)]
    for r in rows:
        lines.append(f"{r.backend:<20} {r.logins:>9.0f} {r.history:>16.0f} {r.signups:>11.0f} "
                     f"{r.baseline:>24.0f}")
    lines += [f"  {r.backend}: {r.note}" for r in rows if r.note]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="prim bench api", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--seconds", type=float, default=4.0, help="time per measurement")
    parser.add_argument("--scrypt-log-n", type=int, default=14,
                        help="password hashing cost of the nodes (auth.scrypt_log_n)")
    args = parser.parse_args(argv)
    rows = asyncio.run(run(args.clients, args.seconds, args.scrypt_log_n))
    print(render(rows, args.clients, args.scrypt_log_n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
