"""The TypeScript SDK's wire client under Node against a live PRIM node (embedded, its
WebSocket over TLS with the development CA, and raw QUIC through npm @matrixai/quic):
test/wire.mjs signs users up, chats, drops transports and checks Acks, events, resends
and catch-up; the package that `npm pack`
makes installs into an empty project and imports. Needs Node (see tests/ts_sdk.py)."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from prim.services.node import Node
from tests.api.conftest import Backend, node_config
from tests.ts_sdk import SDK, compile_sdk, node_modules, quic_test_modules, run

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def dist() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="prim-ts-") as tmp:
        yield compile_sdk(Path(tmp))


async def test_wire_client_against_a_live_node(dist: Path, tmp_path: Path) -> None:
    quic_test_modules()
    node = Node(node_config(tmp_path, Backend("embedded", {}),
                            **{"gateway.websocket_tls": "on", "gateway.webtransport": False}))
    endpoints = await node.start()
    try:
        assert str(endpoints.browsers["websocket"]).startswith("wss://")
        process = await asyncio.create_subprocess_exec(
            "node", "test/wire.mjs", str(dist), endpoints.http, endpoints.ca_cert, cwd=SDK,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 120)
    finally:
        await node.stop()
    report = out.decode() + err.decode()
    assert process.returncode == 0, report
    counted = re.search(r"^(\d+) passed, 0 failed$", out.decode(), re.MULTILINE)
    assert counted is not None and int(counted.group(1)) >= 12, report


def test_npm_pack_installs_and_imports(tmp_path: Path) -> None:
    node_modules()
    packed = run(["npm", "pack", "--json", "--pack-destination", str(tmp_path)], timeout=300)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    tarball = tmp_path / json.loads(packed.stdout)[0]["filename"]
    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text('{"name": "app", "type": "module", "private": true}\n')
    installed = run(["npm", "install", "--no-audit", "--no-fund", "--offline", str(tarball)],
                    cwd=app, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    script = ("import { WireClient, PrimClient, wire, encodeFrame, frame } from '@prim/sdk';"
              "const f = encodeFrame(frame(wire.MsgType.PING, { sender: 1n }));"
              "console.log(typeof WireClient, typeof PrimClient, f.length);")
    result = run(["node", "--input-type=module", "-e", script], cwd=app)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["function", "function", "32"]
