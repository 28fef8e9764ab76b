"""Schemathesis against a live node (embedded, and on PostgreSQL/Redis), from the OpenAPI
document the node serves: every phase (examples, coverage, fuzzing, stateful over the
document's links) on every operation, with the checks that a PRIM response must pass.

Schemathesis runs as its CLI in a subprocess (its engine is synchronous; the node keeps
serving on this test's event loop meanwhile); schemathesis_hooks.py gives each request a
fresh token. The seed is fixed so a failure reproduces; PRIM_ST_SEED picks another.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from xml.etree import ElementTree

import anyio
import httpx
import pytest

from prim.generated.routes import ROUTES
from prim.services.node import Node
from tests.api.accounts_helpers import PASSWORD, new_account, signup
from tests.api.conftest import Backend, node_config

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parents[2]
#: Tags (services) to test; PRIM_ST_TAGS narrows it (e.g. "^AccountService$").
DEFAULT_OPERATIONS = ".*"
OPERATIONS = os.environ.get("PRIM_ST_TAGS", DEFAULT_OPERATIONS)
CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance",
          "negative_data_rejection")
PHASES = ("examples", "coverage", "fuzzing", "stateful")
MAX_EXAMPLES = int(os.environ.get("PRIM_ST_MAX_EXAMPLES", "15"))


async def _upload(http: httpx.AsyncClient, auth: dict[str, str], data: bytes,
                  content_type: str) -> str:
    response = await http.post("/v1/files", params={"kind": "MSG_TYPE_IMAGE"}, content=data,
                               headers={**auth, "content-type": content_type})
    assert response.status_code == 200, response.text
    return str(response.json()["fileId"])


async def test_schemathesis_finds_nothing(tmp_path: Path, backend: Backend) -> None:
    # Generated ChangePassword/DeleteAccount calls send wrong passwords for the fuzzing
    # account: no backoff, or the hook's Login for the next request would wait.
    node = Node(node_config(tmp_path / "node", backend,
                            **{"auth.free_password_failures": 1_000_000}))
    endpoints = await node.start()
    try:
        async with httpx.AsyncClient(base_url=endpoints.http, timeout=30) as http:
            account = await signup(http, "fuzzer")
            other = await new_account(http, "other")
            files = [await _upload(http, other.auth, b"\x89PNG", "image/png")]
        # Real ids for half of the generated path parameters, so GetUser, GetFileInfo and
        # DownloadFile get past "not found" (the other's file: "permission denied").
        config = tmp_path / "schemathesis.toml"
        config.write_text(
            f'[dictionaries.users]\nvalues = ["{account}", "{other.user_id}"]\n'
            f'[dictionaries.files]\nvalues = {json.dumps(files)}\n'
            '[parameters]\n'
            '"path.user_id" = { dictionary = "users", probability = 0.5 }\n'
            '"path.file_id" = { dictionary = "files", probability = 0.5 }\n')
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
            "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
            "PRIM_ST_BASE_URL": endpoints.http,
            "PRIM_ST_ACCOUNT": str(account),
            "PRIM_ST_PASSWORD": PASSWORD,
        }
        command = [
            str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(config),
            "run",
            f"{endpoints.http}/openapi.json",
            "--phases", ",".join(PHASES),
            "--checks", ",".join(CHECKS),
            "--include-tag-regex", OPERATIONS,
            "--max-examples", str(MAX_EXAMPLES),
            "--seed", os.environ.get("PRIM_ST_SEED", "20240601"),
            "--workers", "1",
            "--request-timeout", "20",
            "--report", "junit",
            "--report-dir", str(tmp_path / "report"),
        ]
        result = await anyio.run_process(command, env=env, cwd=tmp_path, check=False)
    finally:
        await node.stop()
    output = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
    assert result.returncode == 0, output
    # It really ran the operations (a filter typo would "pass" with nothing tested).
    report = next((tmp_path / "report").glob("junit*.xml"))
    tested = {case.get("name") for case in ElementTree.parse(report).iter("testcase")}
    if OPERATIONS == DEFAULT_OPERATIONS:
        every = {f"{route.verb} {route.path}" for route in ROUTES}
        assert tested >= every | {"Stateful tests"}, sorted(every - tested)
