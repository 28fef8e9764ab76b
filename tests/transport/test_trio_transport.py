"""trio client <-> asyncio server (in a thread) over QUIC and over TLS/TCP."""

from __future__ import annotations

import socket

import pytest
import trio

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.generated.wire import MAX_PAYLOAD_LENGTH
from prim.runtime.tls import DevCertificates, Trust
from prim.runtime.wire.client_errors import AuthenticationFailed, ConnectionClosedError
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.settings import ClientSettings, ServerSettings
from prim.runtime.wire.trio import open_client
from tests.transport.servers import RunningServer, server_in_thread

TRANSPORTS = ["quic", "tcp"]


@pytest.mark.trio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_auth_ping_echo(server: RunningServer, trust: Trust, transport: str) -> None:
    async with open_client("127.0.0.1", server.port, token="user:42", user_id=42, trust=trust,
                           transports=[transport]) as client:
        assert client.transport == transport
        assert client.node_id == 7
        assert 0 < await client.ping() < 5
        reply = await client.echo(b"hello", b"ext")
        assert (reply.type, reply.payload, reply.extension) == (MsgType.ECHO, b"hello", b"ext")


@pytest.mark.trio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_many_frames_and_the_largest(server: RunningServer, trust: Trust,
                                          transport: str) -> None:
    async with open_client("localhost", server.port, token="user:8", user_id=8, trust=trust,
                           transports=[transport]) as client:
        count = 3000
        for n in range(count):
            await client.send(Frame(type=MsgType.TEXT, sender=8, receiver=9, timestamp=n,
                                    payload=f"m{n}".encode()))
        for n in range(count):
            frame = await client.receive()
            assert (frame.timestamp, frame.payload) == (n, f"m{n}".encode())
        payload = b"\x00\xff" * (MAX_PAYLOAD_LENGTH // 2) + b"!"
        for _ in range(10):
            assert (await client.echo(payload)).payload == payload


@pytest.mark.trio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_rejected_token(server: RunningServer, trust: Trust, transport: str) -> None:
    with pytest.raises(AuthenticationFailed) as exc:
        async with open_client("127.0.0.1", server.port, token="nope", user_id=1, trust=trust,
                               transports=[transport]):
            pass
    assert exc.value.code == ErrorCode.UNAUTHENTICATED


@pytest.mark.trio
async def test_quic_is_preferred(server: RunningServer, trust: Trust) -> None:
    async with open_client("127.0.0.1", server.port, token="user:1", user_id=1,
                           trust=trust) as client:
        assert client.transport == "quic"


@pytest.mark.trio
async def test_fallback_when_udp_is_swallowed(certs: DevCertificates, trust: Trust) -> None:
    with server_in_thread(certs, ServerSettings(enable_quic=False)) as tcp_only:
        sink = trio.socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        await sink.bind(("127.0.0.1", tcp_only.port))
        swallowed = 0

        async def swallow() -> None:
            nonlocal swallowed
            while True:
                await sink.recv(2048)
                swallowed += 1

        async with trio.open_nursery() as nursery:
            nursery.start_soon(swallow)
            async with open_client("127.0.0.1", tcp_only.port, token="user:3", user_id=3,
                                   trust=trust, quic_timeout=0.5) as client:
                assert client.transport == "tcp"
                await client.ping()
            nursery.cancel_scope.cancel()
        sink.close()
        assert swallowed > 0


@pytest.mark.trio
async def test_fallback_when_nothing_listens_on_udp(certs: DevCertificates,
                                                    trust: Trust) -> None:
    with server_in_thread(certs, ServerSettings(enable_quic=False)) as tcp_only:
        async with open_client("127.0.0.1", tcp_only.port, token="user:3", user_id=3,
                               trust=trust, quic_timeout=0.5) as client:
            assert client.transport == "tcp"


@pytest.mark.trio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_idle_timeout_closes_with_a_reason(idle_server: RunningServer, trust: Trust,
                                                 transport: str) -> None:
    quiet = ClientSettings(ping_interval=None)
    async with open_client("127.0.0.1", idle_server.port, token="user:4", user_id=4,
                           trust=trust, transports=[transport], settings=quiet) as client:
        with trio.fail_after(5):
            frame = await client.receive()
        assert frame.type == MsgType.ERROR
        with pytest.raises(ConnectionClosedError) as exc, trio.fail_after(5):
            await client.receive()
        assert exc.value.closed.code == ErrorCode.IDLE_TIMEOUT


@pytest.mark.trio
async def test_heartbeat_keeps_a_quiet_client_alive(idle_server: RunningServer,
                                                    trust: Trust) -> None:
    chatty = ClientSettings(ping_interval=0.1)
    async with open_client("127.0.0.1", idle_server.port, token="user:4", user_id=4,
                           trust=trust, settings=chatty) as client:
        await trio.sleep(1.0)  # > 3 idle timeouts
        assert client.closed is None
        assert (await client.echo(b"still here")).payload == b"still here"
