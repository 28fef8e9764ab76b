"""The abuse limits of AccountService (services/api/auth_limits.py) over real HTTP on both
wirings: per-address limits checked before any scrypt work, X-Forwarded-For from trusted
proxies only, IPv6 per /64, Signup per address, limits shared by api processes through
Redis, and the bounded scrypt pool."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.services.api.auth_limits import address_key, client_address
from prim.services.api.passwords import ScryptPool, hash_password
from prim.services.node import Node
from tests.api.accounts_helpers import PASSWORD, assert_error, signup
from tests.api.conftest import Backend, node_config
from tests.api.declared_errors import EVENT_HOOKS

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def limited_node(backend: Backend, tmp: Path,
                       **overrides: object) -> AsyncIterator[tuple[Node, httpx.AsyncClient]]:
    node = Node(node_config(tmp, backend, **overrides))
    endpoints = await node.start()
    try:
        async with httpx.AsyncClient(base_url=endpoints.http, timeout=30,
                                     event_hooks=EVENT_HOOKS) as http:
            yield node, http
    finally:
        await node.stop()


def _count_scrypt(node: Node) -> list[int]:
    """Counts the password checks that reach scrypt."""
    calls: list[int] = []
    verify = node.api.scrypt.verify

    async def counting(password: str, stored: str) -> bool:
        calls.append(1)
        return await verify(password, stored)

    node.api.scrypt.verify = counting  # type: ignore[method-assign]
    return calls


async def test_password_checks_are_limited_per_address_before_scrypt(
        backend: Backend, tmp_path: Path) -> None:
    """Random account ids cannot dodge it: the address is counted, not the account."""
    async with limited_node(backend, tmp_path,
                            **{"auth.password_attempts_per_ip_per_minute": 3}) as (node, http):
        user_id = await signup(http)
        scrypt = _count_scrypt(node)
        for account in (900001, 900002, 900003):
            response = await http.post("/v1/sessions", json={"userId": str(account),
                                                             "password": "guess guess"})
            assert_error(response, 401, "INVALID_CREDENTIALS")
        refused = await http.post("/v1/sessions", json={"userId": str(user_id),
                                                        "password": PASSWORD})
        body = assert_error(refused, 429, "RATE_LIMITED")
        assert "from this address" in body["message"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert len(scrypt) == 3  # the refused check cost no scrypt


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(
        backend: Backend, tmp_path: Path) -> None:
    ids = iter(range(900001, 900100))  # fresh accounts: no account's backoff interferes

    async def attempt(http: httpx.AsyncClient, client: str) -> int:
        response = await http.post("/v1/sessions", headers={"x-forwarded-for": client},
                                   json={"userId": str(next(ids)), "password": "guess"})
        return response.status_code

    limits = {"auth.password_attempts_per_ip_per_minute": 2}
    async with limited_node(backend, tmp_path / "trusted", **limits,
                            **{"auth.trusted_proxies": ["127.0.0.0/8", "::1"]}) as (_, http):
        # Behind the proxy each client has its own allowance; a forged left part is ignored.
        assert [await attempt(http, "203.0.113.7") for _ in range(3)] == [401, 401, 429]
        assert await attempt(http, "198.51.100.1, 203.0.113.8") == 401
        assert await attempt(http, "198.51.100.2, 203.0.113.8") == 401
        assert await attempt(http, "198.51.100.3, 203.0.113.8") == 429
    async with limited_node(backend, tmp_path / "direct", **limits) as (_, http):
        # Not a trusted proxy: the header is the client's to forge, so the peer counts.
        assert [await attempt(http, f"203.0.113.{i}") for i in range(3)] == [401, 401, 429]


def test_client_address_and_its_key() -> None:
    from ipaddress import ip_network
    proxies = [ip_network("10.0.0.0/8")]

    def ctx(remote: str, forwarded: str = "") -> CallContext:
        headers = {"x-forwarded-for": forwarded} if forwarded else {}
        return CallContext(remote_address=remote, headers=headers)

    assert client_address(ctx("10.1.2.3:5000", "198.51.100.9"), proxies) == "198.51.100.9"
    assert client_address(ctx("10.1.2.3:5000", "1.1.1.1, 198.51.100.9, 10.0.0.2"),
                          proxies) == "198.51.100.9"
    assert client_address(ctx("192.0.2.1:5000", "198.51.100.9"), proxies) == "192.0.2.1"
    assert client_address(ctx("10.1.2.3:5000", "not-an-ip"), proxies) == "10.1.2.3"
    assert client_address(ctx("2001:db8::1:443"), proxies) == "2001:db8::1"
    # IPv6 per /64: one host picks freely among 2^64 addresses.
    assert address_key("2001:db8:0:1::1") == address_key("2001:db8:0:1:ffff::9")
    assert address_key("2001:db8:0:1::1") != address_key("2001:db8:0:2::1")
    assert address_key("::ffff:192.0.2.1") == address_key("192.0.2.1") == "192.0.2.1"
    assert address_key("") == "unknown"


async def test_signups_are_limited_per_address(backend: Backend, tmp_path: Path) -> None:
    async with limited_node(backend, tmp_path,
                            **{"auth.signups_per_ip_per_hour": 2}) as (_, http):
        await signup(http, "one")
        await signup(http, "two")
        refused = await http.post("/v1/users", json={"password": PASSWORD,
                                                        "nickname": "three"})
        assert_error(refused, 429, "RATE_LIMITED")
        assert int(refused.headers["retry-after"]) >= 1


async def test_api_processes_share_the_limits_through_redis(
        postgres_dsn: str, redis_url: str, redis_key_prefix: str, tmp_path: Path) -> None:
    """Two api processes on one Redis (the PostgreSQL/Redis wiring; one embedded node has
    nothing to share with): the address's allowance is spent across both."""
    sep = "&" if "?" in redis_url else "?"
    backend = Backend("postgres", {"storage.database": postgres_dsn,
                                   "storage.seqnum": postgres_dsn,
                                   "storage.online": f"{redis_url}{sep}prefix={redis_key_prefix}"})
    limits = {"auth.password_attempts_per_ip_per_minute": 3}
    async with limited_node(backend, tmp_path / "a", **limits) as (_, first), \
            limited_node(backend, tmp_path / "b", **limits) as (_, second):
        # The limit counts in fixed one-minute windows of the clock: start well inside one.
        left = 60 - time.time() % 60
        if left < 10:
            await asyncio.sleep(left + 0.1)
        statuses = []
        for account, http in enumerate((first, second, first, second), 900001):
            response = await http.post("/v1/sessions", json={"userId": str(account),
                                                             "password": "guess guess"})
            statuses.append(response.status_code)
        assert statuses == [401, 401, 401, 429]


async def test_the_scrypt_pool_refuses_work_past_its_queue() -> None:
    pool = ScryptPool(threads=1, queue=1)
    stored = hash_password("x", log_n=16)  # ~0.2 s per check: the pool stays busy
    try:
        results = await asyncio.gather(*(pool.verify("x", stored) for _ in range(3)),
                                       return_exceptions=True)
        refused = [r for r in results if isinstance(r, ApiError)]
        assert results.count(True) == 2 and len(refused) == 1
        assert refused[0].code == ErrorCode.UNAVAILABLE and refused[0].http_status == 503
        assert refused[0].retry_after_ms > 0
        assert await pool.verify("x", stored)  # free again afterwards
    finally:
        pool.close()
