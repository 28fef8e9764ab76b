"""A WebTransport client on aioquic's h3, for tests and benchmarks of the gateway's
WebTransport listener: an extended CONNECT to the path, then one bidirectional stream in
the session that carries frames both ways, as a browser's does. (Applications use the
QUIC/TCP client, connect.py; browsers their own WebTransport.)

aioquic's H3Connection does not raise the server's data on a WebTransport stream the client
opened, so this routes that stream's raw QUIC data itself (STACK-NOTES.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aioquic.asyncio.client import connect
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import ConnectionTerminated, QuicEvent, StreamDataReceived

from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.frame import Frame, encode_frame


class WebTransportClient(QuicConnectionProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.h3 = H3Connection(self._quic, enable_webtransport=True)
        self.session_id: int | None = None
        self.stream_id: int | None = None
        self.status: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.frames: asyncio.Queue[Frame | None] = asyncio.Queue()  # None: stream ended
        self.terminated = asyncio.Event()
        self._decoder = FrameDecoder()

    async def open(self, authority: str, path: str) -> int:
        """Sends the CONNECT; returns the answer's status (200 opens the session)."""
        self.session_id = self._quic.get_next_available_stream_id()
        self.h3.send_headers(self.session_id, [
            (b":method", b"CONNECT"), (b":scheme", b"https"),
            (b":authority", authority.encode()), (b":path", path.encode()),
            (b":protocol", b"webtransport"), (b"sec-webtransport-http3-draft02", b"1"),
            (b"origin", b"https://prim.test"),
        ])
        self.transmit()
        return await asyncio.wait_for(self.status, 5)

    def send_bytes(self, data: bytes) -> None:
        assert self.session_id is not None
        if self.stream_id is None:
            self.stream_id = self.h3.create_webtransport_stream(self.session_id)
        self._quic.send_stream_data(self.stream_id, data)
        self.transmit()

    def send(self, *frames: Frame) -> None:
        self.send_bytes(b"".join(encode_frame(f) for f in frames))

    async def receive(self, timeout: float = 5.0) -> Frame | None:
        return await asyncio.wait_for(self.frames.get(), timeout)

    def quic_event_received(self, event: QuicEvent) -> None:
        if isinstance(event, StreamDataReceived) and event.stream_id == self.stream_id:
            self._decoder.feed(event.data)
            for frame in self._decoder.frames():
                self.frames.put_nowait(frame)
            if event.end_stream:
                self.frames.put_nowait(None)
            return
        if isinstance(event, ConnectionTerminated):
            self.terminated.set()
            self.frames.put_nowait(None)
        for h3_event in self.h3.handle_event(event):
            if (isinstance(h3_event, HeadersReceived) and h3_event.stream_id == self.session_id
                    and not self.status.done()):
                self.status.set_result(int(dict(h3_event.headers)[b":status"]))


@asynccontextmanager
async def webtransport(host: str, port: int, ca_file: str, path: str = "/wire"
                       ) -> AsyncIterator[WebTransportClient]:
    """A connected client whose session is open (asserts the CONNECT got 200)."""
    async with raw_webtransport(host, port, ca_file) as client:
        status = await client.open(f"{host}:{port}", path)
        assert status == 200, status
        yield client


@asynccontextmanager
async def raw_webtransport(host: str, port: int, ca_file: str
                           ) -> AsyncIterator[WebTransportClient]:
    """A connected client that has not sent its CONNECT yet."""
    config = QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN,
                               max_datagram_frame_size=65536, server_name="localhost")
    config.load_verify_locations(ca_file)
    async with connect(host, port, configuration=config,
                       create_protocol=WebTransportClient) as client:
        assert isinstance(client, WebTransportClient)
        yield client
