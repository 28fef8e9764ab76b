"""The gateway's WebSocket listener over real sockets, driven by the `websockets` client:
frames ride binary messages (several per message, or one split across messages), every
message the server sends holds whole frames, the same session core answers (Auth first,
errors), text messages and plain HTTP are refused, TLS and plaintext both work."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.runtime.config import load_config
from prim.runtime.http_serve import PlaintextRefused
from prim.runtime.tls import DevCertificates
from prim.runtime.wire.asyncio.websocket_server import whole_frames_length
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.frame import Frame, encode_frame
from prim.runtime.wire.settings import (
    ConnectionSettings,
    ServerSettings,
    server_settings_from_config,
)
from tests.transport.servers import RunningServer, server_in_thread

pytestmark = pytest.mark.anyio


def _settings(tls: bool) -> ServerSettings:
    return ServerSettings(connection=ConnectionSettings(node_id=7), browser_port=0,
                          websocket_tls=tls, enable_webtransport=False, close_linger=0.5)


@pytest.fixture(scope="module")
def wss_server(certs: DevCertificates) -> Iterator[RunningServer]:
    with server_in_thread(certs, _settings(tls=True)) as running:
        yield running


@pytest.fixture(scope="module")
def ws_server(certs: DevCertificates) -> Iterator[RunningServer]:
    with server_in_thread(certs, _settings(tls=False)) as running:
        yield running


@pytest.fixture
async def client(wss_server: RunningServer, certs: DevCertificates
                 ) -> AsyncIterator[ClientConnection]:
    url = wss_server.server.websocket_url
    assert url is not None and url.startswith("wss://127.0.0.1:")
    context = ssl.create_default_context(cafile=str(certs.ca_file))
    async with connect(url, ssl=context, subprotocols=["prim"]) as ws:  # type: ignore[list-item]
        yield ws


async def _frames(ws: ClientConnection, count: int) -> list[Frame]:
    """`count` frames from binary messages, each of which must hold whole frames."""
    frames: list[Frame] = []
    while len(frames) < count:
        message = await ws.recv()
        assert isinstance(message, bytes)
        assert whole_frames_length(message) == len(message), "a message split a frame"
        decoder = FrameDecoder()
        decoder.feed(message)
        frames += decoder.frames()
    return frames


def _auth(user: int, token: str | None = None) -> bytes:
    return encode_frame(Frame(type=MsgType.AUTH, sender=user,
                              payload=(token or f"user:{user}").encode()))


async def test_auth_then_echo_over_wss(client: ClientConnection) -> None:
    assert client.subprotocol == "prim"
    await client.send(_auth(42))
    [answer] = await _frames(client, 1)
    assert (answer.type, answer.receiver, answer.node_id) == (MsgType.AUTH, 42, 7)
    await client.send(encode_frame(Frame(type=MsgType.ECHO, sender=42, payload=b"hi")))
    [echo] = await _frames(client, 1)
    assert (echo.type, echo.payload) == (MsgType.ECHO, b"hi")


async def test_many_frames_in_one_message_and_one_frame_in_two(client: ClientConnection
                                                                ) -> None:
    texts = [Frame(type=MsgType.TEXT, sender=5, receiver=9, timestamp=n,
                   payload=f"message {n}".encode()) for n in range(200)]
    await client.send(_auth(5))
    assert (await _frames(client, 1))[0].type == MsgType.AUTH
    await client.send(b"".join(encode_frame(f) for f in texts))
    got = await _frames(client, 200)
    assert [(f.timestamp, f.payload) for f in got] == [(f.timestamp, f.payload) for f in texts]
    big = encode_frame(Frame(type=MsgType.TEXT, sender=5, receiver=9, timestamp=999,
                             payload=b"x" * 16000))
    await client.send(big[:10])
    await client.send(big[10:])
    [echoed] = await _frames(client, 1)
    assert (echoed.timestamp, len(echoed.payload)) == (999, 16000)


async def test_frames_before_auth_get_the_session_cores_error(client: ClientConnection
                                                              ) -> None:
    await client.send(encode_frame(Frame(type=MsgType.TEXT, sender=5, receiver=9,
                                         payload=b"too early")))
    [error] = await _frames(client, 1)
    assert error.type == MsgType.ERROR
    assert Error.parse(error.payload).code == ErrorCode.AUTH_REQUIRED
    with pytest.raises(ConnectionClosed):
        await client.recv()


async def test_a_wrong_token_is_refused(client: ClientConnection) -> None:
    await client.send(_auth(5, "nobody"))
    [error] = await _frames(client, 1)
    assert Error.parse(error.payload).code == ErrorCode.UNAUTHENTICATED
    with pytest.raises(ConnectionClosed):
        await client.recv()


async def test_a_text_message_closes_with_1003(client: ClientConnection,
                                               wss_server: RunningServer) -> None:
    await client.send(_auth(6))
    await _frames(client, 1)
    await client.send("frames are binary")
    with pytest.raises(ConnectionClosed) as closed:
        await client.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1003


async def test_plain_ws_on_loopback(ws_server: RunningServer) -> None:
    url = ws_server.server.websocket_url
    assert url is not None and url.startswith("ws://127.0.0.1:")
    async with connect(url) as ws:
        await ws.send(_auth(8))
        [answer] = await _frames(ws, 1)
        assert answer.type == MsgType.AUTH and ws.subprotocol is None


async def test_plain_http_is_told_to_upgrade(ws_server: RunningServer) -> None:
    url = ws_server.server.websocket_url
    assert url is not None
    async with httpx.AsyncClient() as http:
        response = await http.get(url.replace("ws://", "http://"))
    assert response.status_code == 426
    # The listener is unharmed.
    async with connect(url) as ws:
        await ws.send(_auth(9))
        assert (await _frames(ws, 1))[0].type == MsgType.AUTH


def test_whole_frames_length_stops_before_a_partial_frame() -> None:
    one = encode_frame(Frame(type=MsgType.TEXT, sender=1, receiver=2, payload=b"abc",
                             extension=b"e"))
    assert whole_frames_length(one * 3) == 3 * len(one)
    assert whole_frames_length(one * 2 + one[:-1]) == 2 * len(one)
    assert whole_frames_length(one[:31]) == 0


def test_plain_websocket_only_on_loopback() -> None:
    def settings(host: str, tls: str) -> ServerSettings:
        return server_settings_from_config(load_config(environ={}, overrides={
            "gateway.host": host, "gateway.websocket_tls": tls}))

    assert settings("127.0.0.1", "auto").websocket_tls is False
    assert settings("0.0.0.0", "auto").websocket_tls is True
    assert settings("127.0.0.1", "on").websocket_tls is True
    with pytest.raises(PlaintextRefused, match="websocket_tls"):
        settings("0.0.0.0", "off")
    with pytest.raises(ValueError, match="auto, on or off"):
        settings("127.0.0.1", "maybe")
