"""A `LocalCluster` (one process per role, services/cluster/local.py) for tests: run on an
event loop of its own in a background thread, so that a session- or module-scoped fixture
can own it while each test runs on its own loop.

`ClusterShim` gives a test what the single-node tests take from a `Node`: storage ports on
the cluster's PostgreSQL and Redis (opened on the test's loop), the clock, a scheduler
client over gRPC, and the endpoints of one message node."""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from prim.services.cluster.local import ClusterSpec, LocalCluster

T = TypeVar("T")

# Short leases and heartbeats: a killed process is noticed within seconds.
FAST_ENV = {
    "PRIM_CLUSTER__HEARTBEAT_SECONDS": "0.5",
    "PRIM_CLUSTER__LEASE_SECONDS": "2",
    "PRIM_CLUSTER__SEQNUM_LEASE_SECONDS": "2",
    "PRIM_AUTH__SCRYPT_LOG_N": "10",
    # Every test client is 127.0.0.1: per-address limits off in effect.
    "PRIM_AUTH__PASSWORD_ATTEMPTS_PER_IP_PER_MINUTE": "1000000",
    "PRIM_AUTH__SIGNUPS_PER_IP_PER_HOUR": "1000000",
    "PRIM_AUTH__SCRYPT_QUEUE": "10000",
    "PRIM_GATEWAY__IDLE_TIMEOUT": "30",
    "PRIM_LOG__LEVEL": "info",
}


class ClusterThread:
    def __init__(self, spec: ClusterSpec) -> None:
        self.cluster = LocalCluster(spec)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="prim-test-cluster")
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def call(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        """From a test's own event loop."""
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout)

    def start(self) -> None:
        self.run(self.cluster.start())

    def close(self) -> None:
        try:
            self.run(self.cluster.stop(), timeout=60)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def ready(self, name: str) -> dict[str, Any]:
        return dict(self.cluster.members[name].ready)

    def ready_line(self, name: str) -> str:
        return json.dumps(self.ready(name))


def cluster_spec(directory: Path, *, postgres_dsn: str, redis_url: str, kafka: str,
                 redis_prefix: str, message_nodes: int = 2, schedulers: int = 2,
                 seqnum: int = 2, msgprocessors: int = 1) -> ClusterSpec:
    tag = secrets.token_hex(4)
    return ClusterSpec(
        directory=directory, database=postgres_dsn, redis=redis_url, kafka=kafka,
        redis_prefix=redis_prefix,
        kafka_options=f"topic=prim-test-{tag}&session_timeout_ms=6000"
                      "&heartbeat_interval_ms=1000",
        env={**FAST_ENV, "PRIM_CLUSTER__MSGPROCESSOR_GROUP": f"prim-test-{tag}"},
        message_nodes=message_nodes, schedulers=schedulers, seqnum=seqnum,
        msgprocessors=msgprocessors)
