"""WireServer.close returns only after every handler call has finished, on_close included,
so an application can release what its handler uses (databases, caches) right after."""

from __future__ import annotations

import asyncio

import pytest

from prim.runtime.tls import DevCertificates, ServerIdentity, Trust
from prim.runtime.wire.asyncio.connect import connect
from prim.runtime.wire.asyncio.server import serve
from prim.runtime.wire.events import ConnectionClosed
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.handler import AuthRejected, Connection, ConnectionHandler
from prim.runtime.wire.settings import ServerSettings

pytestmark = pytest.mark.anyio


class SlowClose(ConnectionHandler):
    def __init__(self) -> None:
        self.closed_calls = 0

    async def on_auth(self, conn: Connection, token: str, sender: int) -> int | AuthRejected:
        return sender

    async def on_frame(self, conn: Connection, frame: Frame) -> None:
        pass

    async def on_close(self, conn: Connection, closed: ConnectionClosed) -> None:
        await asyncio.sleep(0.3)  # e.g. recording the last-online time in a database
        self.closed_calls += 1


@pytest.mark.parametrize("transport", ["quic", "tcp"])
async def test_close_waits_for_on_close(certs: DevCertificates, trust: Trust,
                                        transport: str) -> None:
    handler = SlowClose()
    server = await serve(handler, ServerIdentity(certs.cert_file, certs.key_file),
                         ServerSettings(port=0))
    client = await connect("127.0.0.1", server.port, token="t", user_id=5, trust=trust,
                           transports=(transport,), server_name="localhost")
    await client.close()  # the server's on_close starts now and takes 0.3 s
    await asyncio.sleep(0.05)
    await server.close()
    assert handler.closed_calls == 1
