"""The development certificate renewed while a node runs: once it is due, new connections
on the gateway's TLS listeners (TLS/TCP, WebSocket) present the new certificate and
GetMyNode hands out its hash for WebTransport; until then nothing changes."""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from pathlib import Path

import httpx
import pytest

from prim.runtime.tls import certificate_fingerprint, create_server_certificate
from prim.runtime.tls.certificates import CA_FILE, CA_KEY_FILE, CERT_FILE, KEY_FILE
from prim.services.node import Node
from tests.api.accounts_helpers import new_account
from tests.api.conftest import Backend, node_config

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _presented(address: str, ca_file: str) -> str:
    """Hex SHA-256 of the certificate a new TLS connection to host:port is shown."""
    host, port = address.replace("wss://", "").rstrip("/").rsplit(":", 1)
    context = ssl.create_default_context(cafile=ca_file)
    _, writer = await asyncio.open_connection(host, int(port), ssl=context)
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    writer.close()
    return hashlib.sha256(der).hexdigest()


async def test_a_due_certificate_is_renewed_and_served(tmp_path: Path) -> None:
    node = Node(node_config(tmp_path, Backend("embedded", {}),
                            **{"gateway.websocket_tls": "on"}))
    endpoints = await node.start()
    try:
        renewal = node.certificate_renewal
        assert renewal is not None
        first = endpoints.fingerprint
        websocket = str(endpoints.browsers["websocket"])
        assert await renewal.check() is False  # 13 days left: nothing to do
        assert await _presented(endpoints.tcp, endpoints.ca_cert) == first

        # The certificate on disk is about to expire (as after 12 days of running).
        tls = tmp_path / "tls"
        create_server_certificate(tls / CA_FILE, tls / CA_KEY_FILE, tls / CERT_FILE,
                                  tls / KEY_FILE, days=1)
        assert await renewal.check() is True
        renewed = certificate_fingerprint(tls / CERT_FILE)
        assert renewed != first
        for address in (endpoints.tcp, websocket):
            assert await _presented(address, endpoints.ca_cert) == renewed
        async with httpx.AsyncClient(base_url=endpoints.http) as http:
            account = await new_account(http)
            assignment = (await http.get("/v1/node", headers=account.auth)).json()
        assert assignment["webtransportCertificateHashes"] == [renewed]
        assert await renewal.check() is False
    finally:
        await node.stop()
