"""Holding connections without a token (issue #10, slowloris): a fixed Auth deadline that
trickled bytes do not extend, and a cap on the connections one IP address may hold (QUIC
ones counted from their handshake); QUIC Retry on by default off loopback."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time

import pytest
from aioquic.asyncio.client import connect as quic_connect
from aioquic.buffer import Buffer
from aioquic.quic.packet import QuicPacketType, pull_quic_header

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.runtime.config import load_config
from prim.runtime.tls import DevCertificates, Trust
from prim.runtime.wire.asyncio import connect
from prim.runtime.wire.events import ProtocolError
from prim.runtime.wire.frame import Frame, encode_frame
from prim.runtime.wire.quic_engine import load
from prim.runtime.wire.server_connection import ServerConnection
from prim.runtime.wire.settings import (
    ConnectionSettings,
    ServerSettings,
    server_settings_from_config,
)
from tests.transport.servers import server_in_thread
from tests.transport.test_connection_core import auth, error_of, frames_out
from tests.transport.test_malformed_input import TRANSPORTS, error_code, raw_connection

pytestmark = pytest.mark.anyio


def test_auth_deadline_is_not_moved_by_trickled_bytes() -> None:
    conn = ServerConnection(ConnectionSettings(idle_timeout=60.0, auth_timeout=5.0), now=0.0)
    data = auth()
    for second in range(1, 5):  # a byte a second: the idle timer keeps moving, not Auth's
        conn.receive_data(data[second - 1:second], now=float(second))
        assert conn.get_timer() == 5.0
    conn.handle_timer(4.9)
    assert not conn.closed
    conn.handle_timer(5.0)
    [error] = frames_out(conn)
    assert error_of(error).code == ErrorCode.AUTH_REQUIRED
    assert conn.closed and conn.get_timer() is None


def test_auth_deadline_covers_a_pending_answer_and_stops_once_open() -> None:
    settings = ConnectionSettings(idle_timeout=60.0, auth_timeout=5.0)
    pending = ServerConnection(settings, now=0.0)
    pending.receive_data(auth(), now=1.0)  # the application never answers
    pending.handle_timer(5.0)
    assert any(isinstance(e, ProtocolError) and e.code == ErrorCode.AUTH_REQUIRED
               for e in pending.events())
    assert pending.closed

    accepted = ServerConnection(settings, now=0.0)
    accepted.receive_data(auth(), now=1.0)
    accepted.accept_auth(42)
    assert accepted.get_timer() == 61.0  # only the idle timer is left
    accepted.handle_timer(5.0)
    assert not accepted.closed


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_slow_auth_is_cut_at_the_deadline(certs: DevCertificates, trust: Trust,
                                                  transport: str) -> None:
    settings = ServerSettings(connection=ConnectionSettings(idle_timeout=30.0,
                                                            auth_timeout=0.5))
    with server_in_thread(certs, settings) as running:
        async with raw_connection(transport, running.port, trust) as raw:
            data = encode_frame(Frame(type=MsgType.AUTH, sender=5, payload=b"user:5"))

            async def trickle() -> None:
                for i in range(len(data) - 1):  # never the whole frame
                    raw.send(data[i:i + 1])
                    await asyncio.sleep(0.05)

            feeding = asyncio.create_task(trickle())
            try:
                frames = await raw.frames_until_close(timeout=3.0)
            finally:
                feeding.cancel()
        assert [error_code(f) for f in frames] == [ErrorCode.AUTH_REQUIRED]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_connections_per_ip_are_capped(certs: DevCertificates, trust: Trust,
                                             transport: str) -> None:
    with server_in_thread(certs, ServerSettings(max_connections_per_ip=2)) as running:
        first = await connect("127.0.0.1", running.port, token="user:1", user_id=1,
                              trust=trust, transports=(transport,))
        second = await connect("127.0.0.1", running.port, token="user:2", user_id=2,
                               trust=trust, transports=(transport,))
        try:
            # Before any Auth: a slot is taken at the handshake (QUIC) or accept (TCP).
            async with raw_connection(transport, running.port, trust) as raw:
                # QUIC: the refusal came at the handshake; the Error waits for the stream
                # the client opens (later, here) instead of a bare close.
                await asyncio.sleep(0.3)
                raw.send(encode_frame(Frame(type=MsgType.AUTH, sender=4, payload=b"user:4")))
                frames = await raw.frames_until_close()
            assert [error_code(f) for f in frames] == [ErrorCode.RATE_LIMITED]
            await first.close()
            for _ in range(50):  # the slot comes back once the connection is gone
                if running.connection_count() < 2:
                    break
                await asyncio.sleep(0.05)
            third = await connect("127.0.0.1", running.port, token="user:3", user_id=3,
                                  trust=trust, transports=(transport,))
            assert await third.ping() >= 0
            await third.close()
        finally:
            await first.close()
            await second.close()


def test_quic_retry_is_on_by_default_off_loopback() -> None:
    def retry(**overrides: object) -> bool:
        config = load_config(None, environ={}, overrides=overrides)
        return server_settings_from_config(config).quic_retry

    assert retry(**{"gateway.host": "0.0.0.0"})
    assert retry(**{"gateway.host": "203.0.113.5"})
    # On loopback the engine decides (qh3 needs it: see test_qh3_serves_aioquic_clients).
    assert retry(**{"gateway.host": "127.0.0.1"}) is None
    assert retry(**{"gateway.host": "::1"}) is None
    assert retry(**{"gateway.host": "127.0.0.1", "gateway.quic_retry": "on"})
    assert retry(**{"gateway.host": "0.0.0.0", "gateway.quic_retry": "off"}) is False


async def test_quic_clients_connect_through_a_retry(certs: DevCertificates,
                                                    trust: Trust) -> None:
    with server_in_thread(certs, ServerSettings(quic_retry=True)) as running:
        client = await connect("127.0.0.1", running.port, token="user:9", user_id=9,
                               trust=trust, transports=("quic",))
        assert await client.ping() >= 0
        await client.close()


def first_answer_type(port: int, trust: Trust) -> QuicPacketType:
    """The type of the server's first packet answering a fresh client Initial (from a
    client on the engine under test: see test_qh3_serves_aioquic_clients for the other)."""
    engine = load()
    client = engine.connection(configuration=trust.quic_configuration(
        "127.0.0.1", 5.0, configuration=engine.configuration))
    client.connect(("127.0.0.1", port), now=time.monotonic())
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(5.0)
        for datagram, addr in client.datagrams_to_send(now=time.monotonic()):
            udp.sendto(datagram, addr)
        answer, _ = udp.recvfrom(65536)
    return pull_quic_header(Buffer(data=answer), host_cid_length=8).packet_type


@pytest.mark.parametrize("retry", [True, False, None])
async def test_quic_retry_setting_is_what_the_server_does(certs: DevCertificates,
                                                          trust: Trust, retry: bool | None,
                                                          quic_engine: str) -> None:
    with server_in_thread(certs, ServerSettings(quic_retry=retry)) as running:
        answer = await asyncio.to_thread(first_answer_type, running.port, trust)
    expected = load(quic_engine).needs_retry if retry is None else retry
    assert answer is (QuicPacketType.RETRY if expected else QuicPacketType.INITIAL)


async def test_qh3_serves_aioquic_clients(certs: DevCertificates, trust: Trust,
                                          quic_engine: str) -> None:
    """aioquic clients (the trio client, tools) pad their Initial after the packet, which
    qh3 does not count toward its amplification allowance (quic_engine.py): the server's
    default Retry lets every handshake through."""
    with server_in_thread(certs, ServerSettings()) as running:
        for _ in range(12):
            config = trust.quic_configuration("127.0.0.1", 5.0)
            async with quic_connect("127.0.0.1", running.port, configuration=config,
                                    wait_connected=True) as protocol:
                await asyncio.wait_for(protocol.ping(), 5.0)


async def test_an_engine_failure_stays_in_its_connection(
        certs: DevCertificates, trust: Trust, quic_engine: str) -> None:
    """Without Retry, qh3 fails an aioquic client's handshake inside datagrams_to_send:
    that connection is dropped by its protocol (nothing reaches the event loop's error
    handler), and the UDP socket every connection shares keeps serving."""
    with server_in_thread(certs, ServerSettings(quic_retry=False)) as running:
        escaped: list[dict[str, object]] = []
        running.loop.call_soon_threadsafe(running.loop.set_exception_handler,
                                          lambda _, context: escaped.append(context))
        config = trust.quic_configuration("127.0.0.1", 5.0)
        config.idle_timeout = 1.0
        with contextlib.suppress(ConnectionError, TimeoutError):
            async with quic_connect("127.0.0.1", running.port, configuration=config) as first:
                await asyncio.wait_for(first.ping(), 1.0)
        client = await connect("127.0.0.1", running.port, token="user:8", user_id=8,
                               trust=trust, transports=("quic",))
        assert await client.ping() >= 0
        await client.close()
    assert escaped == []
    assert escaped == []


async def test_a_quic_handshake_without_a_stream_is_cut(certs: DevCertificates,
                                                       trust: Trust) -> None:
    settings = ServerSettings(connection=ConnectionSettings(idle_timeout=30.0,
                                                            auth_timeout=0.3),
                              close_linger=0.3)
    with server_in_thread(certs, settings) as running:
        config = trust.quic_configuration("127.0.0.1", 30.0)
        async with quic_connect("127.0.0.1", running.port, configuration=config) as protocol:
            await asyncio.sleep(0.1)
            assert running.connection_count() == 1  # counted from the handshake
            # Never opens a stream: the Auth deadline still cuts the QUIC connection.
            await asyncio.wait_for(protocol.wait_closed(), 5.0)
        assert running.connection_count() == 0
