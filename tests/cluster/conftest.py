"""Cluster fixtures (tests/cluster/fixtures.py, a plugin of the whole suite: the SDK tests
run against the shared cluster too): `cluster` is the session's shared one."""

from __future__ import annotations

import pytest

from tests.cluster.harness import ClusterThread


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def cluster(shared_cluster: ClusterThread) -> ClusterThread:
    return shared_cluster
