"""A real PRIM node per test, on the embedded backends (SQLite, in-process) and on the
production ones (PostgreSQL, Redis), reached over real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from prim.runtime.config import Config, load_config
from prim.services.node import Endpoints, Node
from tests.api.declared_errors import EVENT_HOOKS, check_hook


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _nothing_to_wait_for() -> None:
    return None


@dataclass
class RunningNode:
    node: Node
    endpoints: Endpoints
    http: httpx.AsyncClient
    backend: str
    # Waits until everything Acked so far is in the database: a no-op on one node (the
    # Ack follows the write), the msgprocessor's lag on a cluster.
    settle: Callable[[], Awaitable[None]] = _nothing_to_wait_for


@dataclass(frozen=True)
class Backend:
    name: str  # "embedded", "postgres" or "cluster"
    overrides: dict[str, object]  # storage settings for load_config
    cluster: Any = None  # the shared ClusterThread, for "cluster"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test of a wiring runs on the embedded and the PostgreSQL/Redis backends; a test
    that talks to a `running_node` also runs against the shared cluster (one process per
    role), unless it is marked `single_node` (it needs one node's internals)."""
    if "backend" not in metafunc.fixturenames:
        return
    names = ["embedded", "postgres"]
    if ("running_node" in metafunc.fixturenames
            and metafunc.definition.get_closest_marker("single_node") is None):
        names.append("cluster")
    metafunc.parametrize("backend", names, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> Backend:
    """The storage settings of one wiring. A sync fixture: the backend fixtures it pulls in
    (tests/backends.py) run their own event loops and must not run inside the test's."""
    return backend_named(request.param, request)


def backend_named(name: str, request: pytest.FixtureRequest) -> Backend:
    """The `Backend` called `name`, its backend fixtures taken from `request`."""
    if name == "embedded":
        return Backend("embedded", {})
    if name == "cluster":
        return Backend("cluster", {}, request.getfixturevalue("shared_cluster"))
    dsn = request.getfixturevalue("postgres_dsn")
    redis_url = request.getfixturevalue("redis_url")
    # A key prefix of the test's own keeps nodes' Redis state apart (and cleaned up).
    prefix = request.getfixturevalue("redis_key_prefix")
    sep = "&" if "?" in redis_url else "?"
    return Backend("postgres", {"storage.database": dsn, "storage.seqnum": dsn,
                                "storage.online": f"{redis_url}{sep}prefix={prefix}"})


# Every test client comes from 127.0.0.1 and logs in often: the per-address limits would
# refuse them. Tests of the limits set their own values.
TEST_AUTH_LIMITS: dict[str, object] = {
    "auth.password_attempts_per_ip_per_minute": 1_000_000,
    "auth.signups_per_ip_per_hour": 1_000_000,
    "auth.scrypt_queue": 10_000,
}


def node_config(tmp: Path, backend: Backend, **overrides: object) -> Config:
    values: dict[str, object] = {
        "node.data_dir": str(tmp), "http.port": 0, "gateway.port": 0,
        "auth.scrypt_log_n": 10,  # fast hashing: tests sign up many users
        **TEST_AUTH_LIMITS,
        **backend.overrides,
    }
    values.update(overrides)
    return load_config(environ={}, overrides=values)


@pytest.fixture
async def running_node(backend: Backend, tmp_path: Path) -> AsyncIterator[RunningNode]:
    if backend.cluster is not None:
        from tests.cluster.node_shim import open_shim, settle, settling_client

        shim, cluster_endpoints = await open_shim(backend.cluster, tmp_path)
        async with settling_client(backend.cluster, cluster_endpoints.http) as http:
            http.event_hooks["response"].append(check_hook)
            yield RunningNode(shim, cluster_endpoints, http, backend.name,  # type: ignore[arg-type]
                              settle=lambda: settle(backend.cluster))
        await shim.stop()
        return
    async with started_node(tmp_path, backend) as rn:
        yield rn


@asynccontextmanager
async def started_node(tmp: Path, backend: Backend, **overrides: object
                       ) -> AsyncIterator[RunningNode]:
    """One node on ``backend`` with its data in ``tmp``, stopped on leaving. Starting
    another on the same ``tmp`` and backend afterwards is a restart of the same server
    (same database, seqnum file and Redis prefix), for tests of what survives one."""
    node = Node(node_config(tmp, backend, **overrides))
    endpoints = await node.start()
    try:
        async with httpx.AsyncClient(base_url=endpoints.http, timeout=30,
                                     event_hooks=EVENT_HOOKS) as http:
            yield RunningNode(node, endpoints, http, backend.name)
    finally:
        await node.stop()
