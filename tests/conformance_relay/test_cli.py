"""`prim conformance relay` as a process: the ready line, a rule from the command line, and
one JSON line per injected fault on stdout."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from prim.generated.prim.v1 import MsgType
from prim.runtime.wire.frame import Frame
from prim.services.node import Endpoints
from tests.api.accounts_helpers import dial, new_account
from tests.api.conftest import Backend, started_node
from tests.message.wire_users import client_ts, nothing_arrives

pytestmark = pytest.mark.anyio


async def test_the_relay_process_reports_each_fault(tmp_path: Path) -> None:
    async with started_node(tmp_path / "node", Backend("embedded", {})) as node:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "prim.cli.conformance_relay",
            "--ready-line", node.endpoints.ready_line(), "--server-name", "localhost",
            "--rule", "drop dir=s2c type=ACK", "--json", "--cert-dir", str(tmp_path / "tls"),
            stdout=asyncio.subprocess.PIPE)
        assert proc.stdout is not None
        try:
            ready = json.loads(await asyncio.wait_for(proc.stdout.readline(), 30))
            assert ready["event"] == "ready" and ready["rules"] == ["drop dir=s2c type=ACK"]
            assert Path(ready["ca_cert"]).is_file() and len(ready["fingerprint"]) == 64
            relay = Endpoints(http=node.endpoints.http, quic=ready["quic"], tcp=ready["tcp"],
                              ca_cert=ready["ca_cert"], fingerprint=ready["fingerprint"])
            a, b = await new_account(node.http, "a"), await new_account(node.http, "b")
            await node.http.post("/v1/friend-requests", json={"user_id": str(b.user_id)},
                                 headers=a.auth)
            await node.http.post(f"/v1/friend-requests/{a.user_id}/accept", json={},
                                 headers=b.auth)
            client = await dial(relay, a)
            await client.send(Frame(type=MsgType.TEXT, sender=a.user_id, receiver=b.user_id,
                                    timestamp=client_ts(), payload=b"hello"))
            assert await nothing_arrives(client, within=0.5)  # its Ack was dropped
            fault = json.loads(await asyncio.wait_for(proc.stdout.readline(), 5))
            assert fault["event"] == "fault"
            assert (fault["direction"], fault["action"], fault["type"]) == ("s2c", "drop", "ACK")
            await client.close()
        finally:
            proc.terminate()
            await proc.wait()


def test_prim_conformance_relay_is_the_relay() -> None:
    from prim.cli.conformance_relay import run_relay
    from prim.cli.main import build_parser

    args = build_parser().parse_args(["conformance", "relay", "--upstream", "127.0.0.1:4433"])
    assert args.func is run_relay
