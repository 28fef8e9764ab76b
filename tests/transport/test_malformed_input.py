"""Bad input over live connections (QUIC and TLS/TCP): each case gets its Error frame
and/or the close, and a healthy connection on the same server carries on untouched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from aioquic.asyncio.client import connect as quic_connect

from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.generated.wire import Header, encode_header
from prim.runtime.tls import DevCertificates, Trust
from prim.runtime.wire.asyncio import Client, connect
from prim.runtime.wire.client_errors import AuthenticationFailed
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.frame import Frame, encode_frame
from prim.runtime.wire.settings import ServerSettings
from tests.transport.conftest import STRICT_PAYLOAD_LIMIT
from tests.transport.servers import FLOOD, RunningServer, server_in_thread

pytestmark = pytest.mark.anyio
TRANSPORTS = ["quic", "tcp"]
_uids = iter(range(1000, 100_000))


@dataclass
class Raw:
    """A connection that writes whatever bytes the test wants."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    transport: str
    decoder: FrameDecoder

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def end(self) -> None:
        """Stop sending: FIN on QUIC (the stream's other half stays open), close on TLS."""
        if self.transport == "quic":
            self.writer.write_eof()
        else:
            self.writer.close()

    async def frames_until_close(self, timeout: float = 5.0) -> list[Frame]:
        out: list[Frame] = []
        async with asyncio.timeout(timeout):
            while data := await self.reader.read(65536):
                self.decoder.feed(data)
                out += self.decoder.frames()
        return out

    async def next_frame(self, timeout: float = 5.0) -> Frame:
        async with asyncio.timeout(timeout):
            while (frame := self.decoder.next_frame()) is None:
                data = await self.reader.read(65536)
                assert data, "connection closed"
                self.decoder.feed(data)
        return frame

    async def authenticate(self, uid: int) -> None:
        self.send(encode_frame(Frame(type=MsgType.AUTH, sender=uid,
                                     payload=f"user:{uid}".encode())))
        reply = await self.next_frame()
        assert reply.type == MsgType.AUTH and reply.receiver == uid


@asynccontextmanager
async def raw_connection(transport: str, port: int, trust: Trust) -> AsyncIterator[Raw]:
    if transport == "tcp":
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=trust.ssl_context(), server_hostname="127.0.0.1")
        try:
            yield Raw(reader, writer, transport, FrameDecoder())
        finally:
            writer.close()
    else:
        config = trust.quic_configuration("127.0.0.1", 30.0)
        async with quic_connect("127.0.0.1", port, configuration=config) as protocol:
            reader, writer = await protocol.create_stream()
            yield Raw(reader, writer, transport, FrameDecoder())


def header(**fields: int) -> bytes:
    base = dict(version=1, sender=0, node_id=0, receiver=7, type=MsgType.TEXT,
                extension_length=0, timestamp=0, payload_length=0, seqnum=0)
    base.update(fields)
    return encode_header(Header(**base))


def error_code(frame: Frame) -> ErrorCode:
    assert frame.type == MsgType.ERROR, frame
    return Error.parse(frame.payload).code


@pytest.fixture
async def healthy(strict_server: RunningServer, trust: Trust) -> AsyncIterator[Client]:
    """A well-behaved client on the same server, checked after the bad one did its worst."""
    client = await connect("127.0.0.1", strict_server.port, token="user:1", user_id=1,
                           trust=trust)
    await client.ping()
    yield client
    assert (await client.echo(b"unaffected")).payload == b"unaffected"
    await client.ping()
    assert client.closed is None
    await client.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_garbage_bytes(strict_server: RunningServer, trust: Trust, healthy: Client,
                             transport: str) -> None:
    async with raw_connection(transport, strict_server.port, trust) as raw:
        raw.send(b"\xde\xad\xbe\xef" * 16)
        frames = await raw.frames_until_close()
    assert [error_code(f) for f in frames] == [ErrorCode.MALFORMED_FRAME]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_frame_before_auth(strict_server: RunningServer, trust: Trust, healthy: Client,
                                 transport: str) -> None:
    async with raw_connection(transport, strict_server.port, trust) as raw:
        raw.send(encode_frame(Frame(type=MsgType.TEXT, sender=5, receiver=7, payload=b"hi")))
        frames = await raw.frames_until_close()
    assert [error_code(f) for f in frames] == [ErrorCode.AUTH_REQUIRED]
    assert all(uid != 5 for uid, _ in strict_server.handler.closed)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_payload_length_past_the_limit(strict_server: RunningServer, trust: Trust,
                                             healthy: Client, transport: str) -> None:
    uid = next(_uids)
    async with raw_connection(transport, strict_server.port, trust) as raw:
        await raw.authenticate(uid)
        raw.send(header(sender=uid, payload_length=STRICT_PAYLOAD_LIMIT + 1))
        frames = await raw.frames_until_close()
    assert [error_code(f) for f in frames] == [ErrorCode.FRAME_TOO_LARGE]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_bad_version(strict_server: RunningServer, trust: Trust, healthy: Client,
                           transport: str) -> None:
    uid = next(_uids)
    async with raw_connection(transport, strict_server.port, trust) as raw:
        await raw.authenticate(uid)
        raw.send(header(version=9, sender=uid))
        frames = await raw.frames_until_close()
    assert [error_code(f) for f in frames] == [ErrorCode.MALFORMED_FRAME]
    assert "version 9" in Error.parse(frames[0].payload).message


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_unknown_and_server_only_types_keep_the_connection(
        strict_server: RunningServer, trust: Trust, healthy: Client, transport: str) -> None:
    uid = next(_uids)
    async with raw_connection(transport, strict_server.port, trust) as raw:
        await raw.authenticate(uid)
        raw.send(header(type=999, sender=uid, payload_length=3) + b"abc")
        assert error_code(await raw.next_frame()) == ErrorCode.UNKNOWN_TYPE
        raw.send(encode_frame(Frame(type=MsgType.ADD_FRIEND, sender=uid)))
        assert error_code(await raw.next_frame()) == ErrorCode.UNKNOWN_TYPE
        raw.send(encode_frame(Frame(type=MsgType.PING, sender=uid)))
        assert (await raw.next_frame()).type == MsgType.PONG


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_spoofed_sender_is_dropped(strict_server: RunningServer, trust: Trust,
                                         healthy: Client, transport: str) -> None:
    uid = next(_uids)
    async with raw_connection(transport, strict_server.port, trust) as raw:
        await raw.authenticate(uid)
        raw.send(encode_frame(Frame(type=MsgType.TEXT, sender=uid + 1, receiver=7,
                                    timestamp=4242, payload=b"spoof")))
        error = await raw.next_frame()
        assert error_code(error) == ErrorCode.SENDER_MISMATCH
        assert Error.parse(error.payload).ref_timestamp_ms == 4242
        # Still open, and the spoofed frame never reached the application (it would echo).
        raw.send(encode_frame(Frame(type=MsgType.TEXT, sender=uid, receiver=7, payload=b"ok")))
        assert (await raw.next_frame()).payload == b"ok"


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_truncated_header_then_close(strict_server: RunningServer, trust: Trust,
                                           healthy: Client, transport: str) -> None:
    uid = next(_uids)
    async with raw_connection(transport, strict_server.port, trust) as raw:
        await raw.authenticate(uid)
        raw.send(header(sender=uid)[:13])
        await raw.end()
        if transport == "quic":  # the server can still answer on its half of the stream
            frames = await raw.frames_until_close()
            assert [error_code(f) for f in frames] == [ErrorCode.MALFORMED_FRAME]
    async with asyncio.timeout(5):
        while not any(u == uid for u, _ in strict_server.handler.closed):
            await asyncio.sleep(0.02)
    [closed] = [c for u, c in strict_server.handler.closed if u == uid]
    assert closed.code == ErrorCode.MALFORMED_FRAME


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_invalid_utf8_token(strict_server: RunningServer, trust: Trust, healthy: Client,
                                  transport: str) -> None:
    async with raw_connection(transport, strict_server.port, trust) as raw:
        raw.send(encode_frame(Frame(type=MsgType.AUTH, sender=3, payload=b"\xff\xfe")))
        frames = await raw.frames_until_close()
    assert [error_code(f) for f in frames] == [ErrorCode.AUTH_REQUIRED]


async def test_slow_reader_is_dropped_not_buffered(strict_server: RunningServer, trust: Trust,
                                                   healthy: Client) -> None:
    uid = next(_uids)
    async with raw_connection("tcp", strict_server.port, trust) as raw:
        await raw.authenticate(uid)
        before = len(strict_server.handler.refused_sends)
        raw.send(encode_frame(Frame(type=MsgType.TEXT, sender=uid, receiver=7, payload=FLOOD)))
        # Never read: the server's queue fills, a send is refused, the connection is cut.
        async with asyncio.timeout(10):
            while not any(u == uid for u, _ in strict_server.handler.closed):
                await asyncio.sleep(0.05)
        [closed] = [c for u, c in strict_server.handler.closed if u == uid]
        assert closed.code == ErrorCode.UNAVAILABLE
        assert len(strict_server.handler.refused_sends) == before + 1
        # Far fewer than the 20,000 frames the handler wanted to queue.
        assert strict_server.handler.refused_sends[-1] < 2000


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_connection_limit(certs: DevCertificates, trust: Trust, transport: str) -> None:
    with server_in_thread(certs, ServerSettings(max_connections=2)) as small:
        first = await connect("127.0.0.1", small.port, token="user:1", user_id=1, trust=trust,
                              transports=[transport])
        second = await connect("127.0.0.1", small.port, token="user:2", user_id=2,
                               trust=trust, transports=[transport])
        with pytest.raises(AuthenticationFailed) as exc:
            await connect("127.0.0.1", small.port, token="user:3", user_id=3, trust=trust,
                          transports=[transport])
        assert exc.value.code == ErrorCode.UNAVAILABLE
        await first.ping()
        await second.ping()
        await first.close()
        await second.close()
