"""The gateway's WebTransport listener over real sockets, driven by an aioquic h3 client as
a browser would: the CONNECT to /wire opens the session, one bidirectional stream carries
frames both ways through the same session core (Auth first, errors), on 127.0.0.1 and
[::1], on the port number the WebSocket listener has too; the certificate hash a browser
pins is the development certificate's."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.runtime.tls import (
    DevCertificates,
    certificate_fingerprint,
    create_ca,
    create_server_certificate,
    webtransport_certificate_hashes,
)
from prim.runtime.wire.asyncio.webtransport_client import raw_webtransport, webtransport
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.settings import ConnectionSettings, ServerSettings
from tests.transport.servers import RunningServer, server_in_thread

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def wt_server(certs: DevCertificates) -> Iterator[RunningServer]:
    settings = ServerSettings(connection=ConnectionSettings(node_id=7), browser_port=0,
                              websocket_tls=False, close_linger=0.5)
    with server_in_thread(certs, settings) as running:
        yield running


def _port(server: RunningServer) -> int:
    url = server.server.webtransport_url
    assert url is not None and url.startswith("https://127.0.0.1:") and url.endswith("/wire")
    return int(url.rsplit(":", 1)[1].split("/")[0])


def _auth(user: int, token: str | None = None) -> Frame:
    return Frame(type=MsgType.AUTH, sender=user, payload=(token or f"user:{user}").encode())


async def test_auth_echo_and_many_frames(wt_server: RunningServer, certs: DevCertificates
                                         ) -> None:
    async with webtransport("127.0.0.1", _port(wt_server), str(certs.ca_file)) as client:
        client.send(_auth(42))
        answer = await client.receive()
        assert answer is not None
        assert (answer.type, answer.receiver, answer.node_id) == (MsgType.AUTH, 42, 7)
        assert [c.transport for c in wt_server.server.connections] == ["webtransport"]
        texts = [Frame(type=MsgType.TEXT, sender=42, receiver=9, timestamp=n,
                       payload=f"message {n}".encode()) for n in range(300)]
        client.send(*texts)
        for sent in texts:
            got = await client.receive()
            assert got is not None and (got.timestamp, got.payload) == (sent.timestamp,
                                                                        sent.payload)


async def test_frames_before_auth_get_the_session_cores_error(
        wt_server: RunningServer, certs: DevCertificates) -> None:
    async with webtransport("127.0.0.1", _port(wt_server), str(certs.ca_file)) as client:
        client.send(Frame(type=MsgType.TEXT, sender=5, receiver=9, payload=b"too early"))
        error = await client.receive()
        assert error is not None and error.type == MsgType.ERROR
        assert Error.parse(error.payload).code == ErrorCode.AUTH_REQUIRED
        assert await client.receive() is None  # then the stream ends


async def test_ipv6_loopback_answers_on_the_same_port(wt_server: RunningServer,
                                                      certs: DevCertificates) -> None:
    async with webtransport("::1", _port(wt_server), str(certs.ca_file)) as client:
        client.send(_auth(43))
        answer = await client.receive()
        assert answer is not None and answer.type == MsgType.AUTH


async def test_another_path_is_404(wt_server: RunningServer, certs: DevCertificates) -> None:
    async with raw_webtransport("127.0.0.1", _port(wt_server), str(certs.ca_file)) as client:
        assert await client.open(f"127.0.0.1:{_port(wt_server)}", "/elsewhere") == 404


def test_websocket_and_webtransport_share_the_port_number(wt_server: RunningServer) -> None:
    ws = wt_server.server.websocket_url
    assert ws is not None and ws == f"ws://127.0.0.1:{_port(wt_server)}/"


def test_the_hash_browsers_pin_is_the_development_certificates(
        wt_server: RunningServer, certs: DevCertificates, tmp_path: Path) -> None:
    assert wt_server.server.webtransport_certificate_hashes() == [certs.fingerprint]
    assert certs.fingerprint == certificate_fingerprint(certs.cert_file)
    # A certificate valid longer than 14 days cannot be pinned by hash: none is offered.
    ca, ca_key = tmp_path / "ca.pem", tmp_path / "ca.key"
    create_ca(ca, ca_key)
    long_lived = create_server_certificate(ca, ca_key, tmp_path / "s.pem", tmp_path / "s.key",
                                           days=30)
    assert long_lived.not_valid_after_utc - long_lived.not_valid_before_utc > \
        datetime.timedelta(days=14)
    assert webtransport_certificate_hashes(tmp_path / "s.pem") == []


async def test_a_refused_session_closes_once_the_error_is_acknowledged(
        certs: DevCertificates) -> None:
    """The close follows the PING after the Error frame, not the (here minute-long) linger
    that cuts connections that never acknowledge."""
    settings = ServerSettings(browser_port=0, websocket_tls=False, close_linger=60.0)
    with server_in_thread(certs, settings) as running:
        async with webtransport("127.0.0.1", _port(running), str(certs.ca_file)) as client:
            client.send(Frame(type=MsgType.TEXT, sender=5, receiver=9, payload=b"too early"))
            error = await client.receive()
            assert error is not None and error.type == MsgType.ERROR
            await asyncio.wait_for(client.terminated.wait(), 10)
