"""Every case with every shipped client (raw, sdk, trio, ts) against the cluster wiring (one
process per role on PostgreSQL, Redis and the session's Kafka), with actors spread over
two message nodes: the matrix of test_matrix.py, across the cluster. The cases run side by
side (`--jobs`) on one cluster kept up across configuration groups, which is what makes
the whole matrix fit in the time the raw client alone took before."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from prim.cli.conformance_run import SHIPPED_CLIENTS
from prim.conformance.cases import load_cases
from prim.conformance.cluster_server import ClusterServer
from prim.conformance.matrix import ClientUnderTest, run_matrix


@pytest.mark.backend
def test_every_case_passes_across_the_cluster_with_every_shipped_client(
        postgres_dsn: str, redis_url: str, kafka_bootstrap: str) -> None:
    cases = load_cases()
    clients = [ClientUnderTest(n, c) for n, c in SHIPPED_CLIENTS.items()]
    server = ClusterServer(database=postgres_dsn, redis=redis_url, kafka=kafka_bootstrap)
    verdicts = asyncio.run(run_matrix(cases, clients, [server]))
    assert len(verdicts) == len(cases) * len(clients)
    failures = [f"{v.case} [{v.client}]: {v.detail}" for v in verdicts if v.outcome == "failed"]
    assert not failures, "\n".join(failures)
    for v in verdicts:  # unsupported: what a client lacks, or what needs one node
        if v.outcome == "unsupported":
            assert v.detail.startswith("the client lacks") or "trio transport" in v.detail \
                or v.detail == "the server cannot: single_node", v
    by_client = Counter(v.client for v in verdicts if v.outcome == "passed")
    single_node = sum("single_node" in c.server_requires for c in cases)
    assert by_client["raw"] == len(cases) - single_node
    for name in SHIPPED_CLIENTS:
        assert by_client[name] >= len(cases) // 2, (name, by_client)
