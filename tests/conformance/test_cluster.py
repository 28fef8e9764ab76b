"""Every case against the cluster wiring (one process per role on PostgreSQL, Redis and the
session's Kafka), with actors spread over two message nodes, driven by the raw client (the
one that supports the most cases); the SDK runs across the cluster in tests/clients, and
`prim conformance run --server cluster` runs every shipped client there."""

from __future__ import annotations

import asyncio

import pytest

from prim.cli.conformance_run import SHIPPED_CLIENTS
from prim.conformance.cases import load_cases
from prim.conformance.cluster_server import ClusterServer
from prim.conformance.matrix import ClientUnderTest, run_matrix


@pytest.mark.backend
def test_cases_pass_across_the_cluster(postgres_dsn: str, redis_url: str,
                                       kafka_bootstrap: str) -> None:
    cases = load_cases()
    server = ClusterServer(database=postgres_dsn, redis=redis_url, kafka=kafka_bootstrap)
    verdicts = asyncio.run(run_matrix(cases, [ClientUnderTest("raw", SHIPPED_CLIENTS["raw"])],
                                      [server]))
    failures = [f"{v.case} [{v.client}]: {v.detail}" for v in verdicts if v.outcome == "failed"]
    assert not failures, "\n".join(failures)
    # Only what needs one node (the per-IP limit) may be unsupported on a cluster.
    assert sum(v.outcome == "passed" for v in verdicts) >= len(cases) - 2
