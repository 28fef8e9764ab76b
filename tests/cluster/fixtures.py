"""A real cluster for tests: schedulers, seqnum instances, a msgprocessor, two message nodes
and the api, each its own process, on the machine's PostgreSQL and Redis and the test
session's Kafka (Tansu); a database of its own, dropped at the end.

``shared_cluster`` (session scope) serves every test that only needs a cluster to talk to;
tests that kill processes start their own with ``start_cluster``."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.cluster.harness import ClusterThread, cluster_spec


def cluster_database(dsn: str) -> str:
    """A database of the cluster's own beside the session's test database."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"{parts.path}_cluster_{secrets.token_hex(3)}"))


def drop_database(dsn: str) -> None:
    import asyncio

    import asyncpg  # type: ignore[import-untyped, unused-ignore]

    parts = urlsplit(dsn)
    name = parts.path.lstrip("/")

    async def run() -> None:
        conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(run())


def start_cluster(tmp: Path, request: pytest.FixtureRequest, **sizes: int) -> ClusterThread:
    dsn = cluster_database(request.getfixturevalue("postgres_dsn"))
    request.addfinalizer(lambda: drop_database(dsn))
    spec = cluster_spec(tmp, postgres_dsn=dsn, redis_url=request.getfixturevalue("redis_url"),
                        kafka=request.getfixturevalue("kafka_bootstrap"),
                        redis_prefix=f"prim-test-cluster-{secrets.token_hex(4)}:", **sizes)
    thread = ClusterThread(spec)
    try:
        thread.start()
    except BaseException:
        thread.close()
        raise
    return thread


@pytest.fixture(scope="session")
def shared_cluster(tmp_path_factory: pytest.TempPathFactory,
                   request: pytest.FixtureRequest) -> Iterator[ClusterThread]:
    thread = start_cluster(tmp_path_factory.mktemp("cluster"), request)
    yield thread
    thread.close()


__all__ = ["cluster_database", "drop_database", "shared_cluster", "start_cluster"]
