"""A real PRIM node per test, on the embedded backends (SQLite, in-process) and on the
production ones (PostgreSQL, Redis), reached over real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from prim.runtime.config import Config, load_config
from prim.services.node import Endpoints, Node


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class RunningNode:
    node: Node
    endpoints: Endpoints
    http: httpx.AsyncClient
    backend: str


@dataclass(frozen=True)
class Backend:
    name: str  # "embedded" or "postgres"
    overrides: dict[str, object]  # storage settings for load_config


@pytest.fixture(params=["embedded", "postgres"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """The storage settings of one wiring. A sync fixture: the backend fixtures it pulls in
    (tests/backends.py) run their own event loops and must not run inside the test's."""
    if request.param == "embedded":
        return Backend("embedded", {})
    dsn = request.getfixturevalue("postgres_dsn")
    redis_url = request.getfixturevalue("redis_url")
    # A key prefix of the test's own keeps nodes' Redis state apart (and cleaned up).
    prefix = request.getfixturevalue("redis_key_prefix")
    sep = "&" if "?" in redis_url else "?"
    return Backend("postgres", {"storage.database": dsn, "storage.seqnum": dsn,
                                "storage.online": f"{redis_url}{sep}prefix={prefix}"})


def node_config(tmp: Path, backend: Backend, **overrides: object) -> Config:
    values: dict[str, object] = {
        "node.data_dir": str(tmp), "http.port": 0, "gateway.port": 0,
        "auth.scrypt_log_n": 10,  # fast hashing: tests sign up many users
        **backend.overrides,
    }
    values.update(overrides)
    return load_config(environ={}, overrides=values)


@pytest.fixture
async def running_node(backend: Backend, tmp_path: Path) -> AsyncIterator[RunningNode]:
    node = Node(node_config(tmp_path, backend))
    endpoints = await node.start()
    async with httpx.AsyncClient(base_url=endpoints.http, timeout=30) as http:
        yield RunningNode(node, endpoints, http, backend.name)
    await node.stop()
