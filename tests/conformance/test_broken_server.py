"""The suite can fail: against a server broken on purpose (broken_server.py, started as a
command like any server under test), the cases about the broken rule fail with an
explanation a person can act on, and the cases about everything else still pass."""

from __future__ import annotations

import asyncio
import sys

import pytest

from prim.cli.conformance_run import SHIPPED_CLIENTS
from prim.conformance.cases import load_cases
from prim.conformance.matrix import ClientUnderTest, run_matrix
from prim.conformance.servers import CommandServer

CONTROLS = ["auth_ok_ping", "send_ack_deliver", "multi_device_copies"]

# fault -> {case expected to fail: words its explanation must contain}
EXPECTED: dict[str, dict[str, list[str]]] = {
    "skip-auth": {
        "auth_bad_token": ["UNAUTHENTICATED", "AUTH"],
        "auth_sender_not_token_user": ["SENDER_MISMATCH"],
    },
    "duplicate-resends": {
        "idempotent_resend": ["arrived, but no", "once"],
    },
    "ack-before-store": {
        "gap_fill": ["ListHistory", "messages"],
        "restart_keeps_history": ["ListHistory", "messages"],
    },
    "reorder": {
        "ordering_burst": ["out of order", "two"],
    },
}


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_the_matching_cases_fail_and_the_others_pass(fault: str) -> None:
    expected = EXPECTED[fault]
    cases = load_cases(names=[*expected, *CONTROLS])
    server = CommandServer(f"{sys.executable} -m tests.conformance.broken_server {fault}",
                           name=f"broken-{fault}")
    verdicts = asyncio.run(run_matrix(cases, [ClientUnderTest("raw", SHIPPED_CLIENTS["raw"])],
                                      [server]))
    outcome = {v.case: v for v in verdicts}
    failed = {name for name, v in outcome.items() if v.outcome == "failed"}
    assert failed == set(expected), {n: v.detail for n, v in outcome.items()}
    for name, words in expected.items():
        verdict = outcome[name]
        assert verdict.step is not None  # it names the step that failed
        assert verdict.detail.startswith(f"step {verdict.step} ("), verdict.detail
        for word in words:
            assert word in verdict.detail, verdict.detail
    for name in CONTROLS:
        assert outcome[name].outcome == "passed", outcome[name].detail
