"""The HTTP API and TLS (issue #10): HTTPS when http.tls is set; plain HTTP on a
non-loopback address is refused unless http.allow_plaintext says so, with an error that
names the settings."""

from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from prim.runtime.http_serve import HttpServer, PlaintextRefused
from prim.runtime.net import is_loopback
from prim.services.node import Node
from tests.api.conftest import Backend, node_config

pytestmark = pytest.mark.anyio
EMBEDDED = Backend("embedded", {})


async def _app(scope: object, receive: object, send: object) -> None:  # never called
    raise AssertionError("no request expected")


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("LocalHost", True), ("0.0.0.0", False), ("::", False),
    ("192.168.1.20", False), ("example.org", False), ("", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_plaintext_off_loopback_is_refused_unless_allowed() -> None:
    with pytest.raises(PlaintextRefused) as refused:
        HttpServer(_app, host="0.0.0.0", port=0, allow_plaintext=False)
    assert "http.tls = true" in str(refused.value)
    assert "http.allow_plaintext = true" in str(refused.value)
    HttpServer(_app, host="0.0.0.0", port=0, allow_plaintext=True)
    HttpServer(_app, host="127.0.0.1", port=0, allow_plaintext=False)
    HttpServer(_app, host="0.0.0.0", port=0, certfile="c.pem", keyfile="k.pem",
               allow_plaintext=False)


async def test_the_node_refuses_plain_http_on_a_public_bind(tmp_path: Path) -> None:
    node = Node(node_config(tmp_path, EMBEDDED, **{"http.host": "0.0.0.0"}))
    with pytest.raises(PlaintextRefused):
        await node.start()
    assert node.http is None and node.wire is None  # everything started was stopped


async def test_the_node_serves_plain_http_on_a_public_bind_when_allowed(tmp_path: Path
                                                                       ) -> None:
    node = Node(node_config(tmp_path, EMBEDDED, **{"http.host": "0.0.0.0",
                                                   "http.allow_plaintext": True}))
    endpoints = await node.start()
    try:
        assert endpoints.http.startswith("http://0.0.0.0:")
        port = endpoints.http.rsplit(":", 1)[1]
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"http://127.0.0.1:{port}/metrics")).status_code == 200
    finally:
        await node.stop()


async def test_the_node_serves_https_when_http_tls_is_set(tmp_path: Path) -> None:
    node = Node(node_config(tmp_path, EMBEDDED, **{"http.tls": True}))
    endpoints = await node.start()
    try:
        assert endpoints.http.startswith("https://")
        verify = ssl.create_default_context(cafile=endpoints.ca_cert)
        async with httpx.AsyncClient(verify=verify) as https:
            assert (await https.get(f"{endpoints.http}/metrics")).status_code == 200
        async with httpx.AsyncClient() as plain:  # no plaintext answer on the TLS port
            with pytest.raises(httpx.HTTPError):
                await plain.get(endpoints.http.replace("https://", "http://") + "/metrics")
    finally:
        await node.stop()


def test_prim_serve_says_what_to_set(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "prim.cli.main", "serve", "--data-dir", str(tmp_path),
         "--host", "0.0.0.0", "--http-port", "0", "--gateway-port", "0"],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1, result.stderr
    assert "http.allow_plaintext = true" in result.stderr
    assert "Traceback" not in result.stderr
