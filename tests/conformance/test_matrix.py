"""The whole matrix: every case with every shipped client against a fresh embedded server,
all green (what CI runs). Unsupported verdicts come only from features a driver declared
it lacks; the raw client, which can send anything, runs every case."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from prim.cli.conformance_run import SHIPPED_CLIENTS
from prim.conformance.cases import load_cases
from prim.conformance.matrix import ClientUnderTest, run_matrix
from prim.conformance.servers import EmbeddedServer


def test_every_case_passes_with_every_shipped_client() -> None:
    cases = load_cases()
    assert len(cases) >= 40
    clients = [ClientUnderTest(n, c) for n, c in SHIPPED_CLIENTS.items()]
    verdicts = asyncio.run(run_matrix(cases, clients, [EmbeddedServer()]))
    assert len(verdicts) == len(cases) * len(clients)
    failures = [f"{v.case} [{v.client}]: {v.detail}" for v in verdicts if v.outcome == "failed"]
    assert not failures, "\n".join(failures)
    for v in verdicts:
        if v.outcome == "unsupported":
            assert v.client != "raw", v
            assert v.detail.startswith("the client lacks") or "trio transport" in v.detail, v
    by_client = Counter(v.client for v in verdicts if v.outcome == "passed")
    assert by_client["raw"] == len(cases)
    # The SDK and the trio client run the cases a client library can (most of them).
    assert by_client["sdk"] >= len(cases) // 2
    assert by_client["trio"] >= len(cases) // 2
    if "ts" in SHIPPED_CLIENTS:  # the TypeScript SDK, where Node is
        assert by_client["ts"] >= len(cases) // 2


def test_the_command_reports_json_html_and_its_exit_code(tmp_path: Path) -> None:
    """`prim conformance run` end to end: a passing and a failing case file."""
    good = (Path(__file__).parents[2] / "conformance" / "cases" / "auth_ok_ping.yaml")
    (tmp_path / "ok.yaml").write_text(good.read_text())
    (tmp_path / "wrong.yaml").write_text(good.read_text().replace("type: PONG",
                                                                  "type: ECHO"))
    report, page = tmp_path / "report.json", tmp_path / "report.html"
    run = subprocess.run(
        [sys.executable, "-m", "prim.cli.main", "conformance", "run", "--cases-dir",
         str(tmp_path), "--client", "raw", "--json", str(report), "--html", str(page)],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "wrong [raw @ embedded]: step 3 (expect on alice.d)" in run.stdout
    data = json.loads(report.read_text())
    assert data["summary"] == {"cases": 2, "runs": 2, "passed": 1, "failed": 1,
                               "unsupported": 0}
    assert {v["case"]: v["outcome"] for v in data["verdicts"]} == {"ok": "passed",
                                                                  "wrong": "failed"}
    assert "<td class=\"failed\"" in page.read_text()
