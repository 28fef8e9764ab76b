"""The HTTP API over HTTP/3: a node with `http.http3 = true` serves TLS and HTTP/3 on one
port number (TCP and UDP); an aioquic HTTP/3 client that trusts only the node's CA gets the
same answers as an HTTP/1.1 client over TLS."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from aioquic.asyncio.client import connect
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import DataReceived, H3Event, HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import QuicEvent

from prim.services.node import Endpoints, Node
from tests.api.accounts_helpers import PASSWORD, new_account
from tests.api.conftest import Backend, node_config

pytestmark = pytest.mark.anyio


@dataclass
class _Response:
    headers: dict[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def status(self) -> int:
        return int(self.headers[":status"])

    def json(self) -> object:
        return json.loads(self.body)


class H3Client(QuicConnectionProtocol):
    """A minimal HTTP/3 client: one request per stream, responses collected whole."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._h3 = H3Connection(self._quic)
        self._responses: dict[int, _Response] = {}

    async def request(self, method: str, authority: str, path: str,
                      headers: dict[str, str] | None = None, body: bytes = b"") -> _Response:
        stream_id = self._quic.get_next_available_stream_id()
        response = self._responses[stream_id] = _Response()
        self._h3.send_headers(stream_id, [
            (b":method", method.encode()), (b":scheme", b"https"),
            (b":authority", authority.encode()), (b":path", path.encode()),
            *((k.encode(), v.encode()) for k, v in (headers or {}).items()),
            (b"content-length", str(len(body)).encode()),
        ], end_stream=not body)
        if body:
            self._h3.send_data(stream_id, body, end_stream=True)
        self.transmit()
        await asyncio.wait_for(response.done.wait(), 10)
        return response

    def quic_event_received(self, event: QuicEvent) -> None:
        for h3_event in self._h3.handle_event(event):
            self._h3_event(h3_event)

    def _h3_event(self, event: H3Event) -> None:
        if not isinstance(event, HeadersReceived | DataReceived):
            return
        response = self._responses.get(event.stream_id)
        if response is None:
            return
        if isinstance(event, HeadersReceived):
            response.headers.update((k.decode(), v.decode()) for k, v in event.headers)
        else:
            response.body.extend(event.data)
        if event.stream_ended:
            response.done.set()


@dataclass
class Http3Node:
    endpoints: Endpoints
    https: httpx.AsyncClient


@pytest.fixture
async def http3_node(tmp_path: Path) -> AsyncIterator[Http3Node]:
    node = Node(node_config(tmp_path, Backend("embedded", {}), **{"http.http3": True}))
    endpoints = await node.start()
    try:
        trust = ssl.create_default_context(cafile=endpoints.ca_cert)
        async with httpx.AsyncClient(base_url=endpoints.http, verify=trust, timeout=30) as https:
            yield Http3Node(endpoints, https)
    finally:
        await node.stop()


async def test_http3_answers_like_http11(http3_node: Http3Node) -> None:
    url = urlsplit(http3_node.endpoints.http)
    assert url.scheme == "https" and url.hostname and url.port
    https = http3_node.https
    account = await new_account(https, "over tls")
    # Whatever the node says about HTTP/3, it says over HTTP/1.1 too.
    assert (await https.get("/healthz")).http_version == "HTTP/1.1"

    config = QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN,
                               server_name="localhost")
    config.load_verify_locations(cafile=http3_node.endpoints.ca_cert)
    async with connect(url.hostname, url.port, configuration=config,
                       create_protocol=H3Client, wait_connected=True) as client:
        assert isinstance(client, H3Client)
        authority = url.netloc
        auth = {"authorization": f"Bearer {account.token}"}

        over_h3 = await client.request("GET", authority, f"/v1/users/{account.user_id}", auth)
        over_h1 = await https.get(f"/v1/users/{account.user_id}", headers=auth)
        assert over_h3.status == over_h1.status_code == 200
        assert over_h3.json() == over_h1.json()
        assert over_h3.headers["content-type"] == "application/json"

        signup = await client.request(
            "POST", authority, "/v1/users", {"content-type": "application/json"},
            json.dumps({"password": PASSWORD, "nickname": "over h3"}).encode())
        assert signup.status == 200
        new_id = int(signup.json()["userId"])  # type: ignore[index]
        seen = await https.get(f"/v1/users/{new_id}", headers=auth)
        assert seen.status_code == 200 and seen.json()["nickname"] == "over h3"

        refused = await client.request("GET", authority, "/v1/users/me")
        assert refused.status == 401
        assert refused.json() == (await https.get("/v1/users/me")).json()


async def test_http3_refuses_a_client_that_does_not_trust_the_node(http3_node: Http3Node
                                                                   ) -> None:
    url = urlsplit(http3_node.endpoints.http)
    assert url.hostname and url.port
    config = QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN,
                               server_name="localhost", verify_mode=ssl.CERT_REQUIRED)
    # The system trust store does not know the node's development CA.
    # (aioquic fails the handshake on the bad certificate and reports a closed connection.)
    with pytest.raises(ConnectionError):
        async with connect(url.hostname, url.port, configuration=config,
                           create_protocol=H3Client, wait_connected=True):
            pass
