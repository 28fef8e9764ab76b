"""Header version 0, what PRIM's own clients send (issue #10): accepted beside the current
version, answered in the version the client used; any other version is still refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.generated.wire import PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS
from prim.runtime.tls import DevCertificates, Trust
from prim.runtime.wire.asyncio import connect
from prim.runtime.wire.client_connection import ClientConnection
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.errors import UnsupportedVersion
from prim.runtime.wire.events import AuthRequested
from prim.runtime.wire.frame import Frame, encode_frame
from prim.runtime.wire.server_connection import ServerConnection
from prim.runtime.wire.settings import ClientSettings, ConnectionSettings
from prim.services.node import Node
from tests.api.conftest import (  # noqa: F401 (fixtures and the parametrising hook)
    Backend,
    RunningNode,
    backend,
    node_config,
    pytest_generate_tests,
)
from tests.message.wire_users import befriend, client_ts, make_user, next_frame
from tests.transport.servers import server_in_thread
from tests.transport.test_connection_core import error_of, frames_out
from tests.transport.test_malformed_input import TRANSPORTS, error_code, header, raw_connection

pytestmark = pytest.mark.anyio
PRIM = 0


@pytest.mark.parametrize("version", sorted(SUPPORTED_PROTOCOL_VERSIONS))
def test_decoder_accepts_every_supported_version(version: int) -> None:
    decoder = FrameDecoder()
    decoder.feed(encode_frame(Frame(type=MsgType.PING, sender=3, version=version)))
    frame = decoder.next_frame()
    assert frame is not None and frame.version == version


def test_other_versions_are_still_refused() -> None:
    assert PRIM in SUPPORTED_PROTOCOL_VERSIONS and PROTOCOL_VERSION == 1
    decoder = FrameDecoder()
    decoder.feed(encode_frame(Frame(type=MsgType.PING, sender=3, version=2)))
    with pytest.raises(UnsupportedVersion, match=r"supported: 0, 1"):
        decoder.next_frame()


def test_the_server_answers_in_the_clients_version() -> None:
    conn = ServerConnection(ConnectionSettings(clock_ms=lambda: 5), now=0.0)
    conn.receive_data(encode_frame(Frame(type=MsgType.AUTH, sender=42, payload=b"t",
                                         version=PRIM)), now=0.0)
    [event] = conn.events()
    assert isinstance(event, AuthRequested)
    conn.accept_auth(42)
    conn.receive_data(encode_frame(Frame(type=MsgType.PING, sender=42, version=PRIM)), now=1.0)
    conn.send_frame(Frame(type=MsgType.TEXT, sender=7, receiver=42, payload=b"hi"))  # v1 made
    conn.send_error(ErrorCode.PERMISSION_DENIED, "no")
    replies = frames_out(conn)
    assert [f.type for f in replies] == [MsgType.AUTH, MsgType.PONG, MsgType.TEXT,
                                         MsgType.ERROR]
    assert {f.version for f in replies} == {PRIM}
    assert error_of(replies[-1]).code == ErrorCode.PERMISSION_DENIED


def test_a_client_can_speak_prims_version() -> None:
    client = ClientConnection("t", 42, ClientSettings(protocol_version=PRIM), now=0.0)
    client.send_ping(now=1.0)
    assert {f.version for f in frames_out(client)} == {PRIM}  # Auth and Ping
    with pytest.raises(ValueError, match="protocol_version"):
        ClientConnection("t", 42, ClientSettings(protocol_version=2), now=0.0)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_prim_client_talks_to_the_server(certs: DevCertificates, trust: Trust,
                                                 transport: str) -> None:
    with server_in_thread(certs) as running:
        client = await connect("127.0.0.1", running.port, token="user:8", user_id=8,
                               trust=trust, transports=(transport,),
                               settings=ClientSettings(protocol_version=PRIM))
        echoed = await client.echo(b"from PRIM")
        assert (echoed.payload, echoed.version) == (b"from PRIM", PRIM)
        await client.close()
        async with raw_connection(transport, running.port, trust) as raw:
            raw.send(header(version=3, type=MsgType.AUTH))
            frames = await raw.frames_until_close()
        assert [error_code(f) for f in frames] == [ErrorCode.MALFORMED_FRAME]


async def test_prim_and_current_clients_chat_on_a_node(
    backend: Backend, tmp_path: Path,  # noqa: F811 (the fixture imported above)
) -> None:
    node = Node(node_config(tmp_path, backend))
    endpoints = await node.start()
    try:
        rn = RunningNode(node, endpoints, None, backend.name)  # type: ignore[arg-type]
        old, new = await make_user(rn), await make_user(rn)
        await befriend(rn, old, new)
        host, port = endpoints.quic.rsplit(":", 1)
        trust = Trust(ca_file=Path(endpoints.ca_cert))
        prim = await connect(host, int(port), token=old.token, user_id=old.user_id,
                             trust=trust, server_name="localhost",
                             settings=ClientSettings(protocol_version=PRIM))
        current = await connect(host, int(port), token=new.token, user_id=new.user_id,
                                trust=trust, server_name="localhost")
        await prim.send(Frame(type=MsgType.TEXT, sender=old.user_id, receiver=new.user_id,
                              timestamp=client_ts(), payload=b"hello", version=PRIM))
        ack = await next_frame(prim)
        assert (ack.type, ack.version) == (MsgType.ACK, PRIM)
        delivered = await next_frame(current)
        assert (delivered.payload, delivered.version) == (b"hello", PROTOCOL_VERSION)
        await current.send(Frame(type=MsgType.TEXT, sender=new.user_id, receiver=old.user_id,
                                 timestamp=client_ts(), payload=b"hi back"))
        assert (await next_frame(current)).type == MsgType.ACK
        answer = await next_frame(prim)
        assert (answer.payload, answer.version) == (b"hi back", PRIM)
        await prim.close()
        await current.close()
    finally:
        await node.stop()
