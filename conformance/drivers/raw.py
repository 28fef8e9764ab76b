"""The raw-frame driver: writes exactly the frame (or bytes) each step gives, over QUIC
or TLS/TCP, and reports every frame that comes back. It uses the wire codec only, no
client library, so it can send what no well-behaved client would (malformed frames,
spoofed senders, anything before Auth): the suite's bad-input cases need it.

    python -m prim.conformance.drivers.raw
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aioquic.asyncio.client import connect as quic_connect
from aioquic.asyncio.protocol import QuicConnectionProtocol

from prim.conformance.drivers.asyncio_stdio import Reporter, serve
from prim.conformance.drivers.dispatch import failed, ok
from prim.generated.prim.v1 import (
    CaseAuth,
    CaseTransport,
    DriverConnect,
    DriverHello,
    DriverResult,
    DriverSend,
    DriverStatus,
    DriverStopReading,
    MsgType,
    ObservedFrame,
)
from prim.generated.wire import Header, encode_header
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.errors import FrameError

AUTH_TIMEOUT = 10.0
_QUIC_IDLE = 60.0


def frame_bytes(frame: ObservedFrame) -> bytes:
    """Header || payload || extension, for any field values that fit their widths."""
    header = Header(version=frame.version, sender=frame.sender, node_id=frame.node_id,
                    receiver=frame.receiver, type=frame.type,
                    extension_length=len(frame.extension), timestamp=frame.timestamp,
                    payload_length=len(frame.payload), seqnum=frame.seqnum)
    return encode_header(header) + frame.payload + frame.extension


class _PausableQuic(QuicConnectionProtocol):
    """aioquic's client protocol, able to stop reading: the datagrams that arrive meanwhile
    are held unprocessed (so nothing is acknowledged and no flow-control credit goes back:
    the server's congestion and flow control stop it, as with a device that stopped
    processing), and handed over in order when reading resumes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held: list[tuple[bytes | str, Any]] | None = None

    def datagram_received(self, data: bytes | str, addr: Any) -> None:
        if self.held is not None:
            self.held.append((data, addr))
        else:
            super().datagram_received(data, addr)

    def pause(self) -> None:
        if self.held is None:
            self.held = []

    def resume(self) -> None:
        held, self.held = self.held or [], None
        for data, addr in held:
            super().datagram_received(data, addr)


@dataclass
class _Connection:
    name: str
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    stack: contextlib.AsyncExitStack
    transport: str
    pause: Callable[[], None]  # stop reading at the transport (stop_reading)
    resume: Callable[[], None]
    reader_task: asyncio.Task[None] | None = None
    first: asyncio.Queue[ObservedFrame | None] = field(default_factory=asyncio.Queue)
    authing: bool = False


class RawDriver:
    def __init__(self, reporter: Reporter) -> None:
        self._reporter = reporter
        self._connections: dict[str, _Connection] = {}

    async def send(self, s: DriverSend) -> DriverResult:
        conn = self._connections.get(s.connection)
        if conn is None:
            return failed(f"no connection {s.connection}")
        if s.raw:
            data = s.raw
        else:
            assert s.frame is not None
            data = frame_bytes(s.frame)
        try:
            conn.writer.write(data)
            await conn.writer.drain()
        except (ConnectionError, OSError) as exc:
            return DriverResult(status=DriverStatus.OK, detail=f"write failed: {exc}")
        return ok()

    async def connect(self, c: DriverConnect) -> DriverResult:
        await self.disconnect(c.connection)
        trust = Trust(ca_file=Path(c.ca_file))
        order = {CaseTransport.QUIC: ["quic"], CaseTransport.TCP: ["tcp"]}.get(
            c.transport, ["quic", "tcp"])
        causes = []
        conn: _Connection | None = None
        for transport in order:
            stack = contextlib.AsyncExitStack()
            try:
                quic_timeout = (c.quic_timeout_ms or 1500) / 1000
                conn = await asyncio.wait_for(self._open(c, trust, transport, stack),
                                              quic_timeout if transport == "quic" else 10)
                break
            except (TimeoutError, OSError, ConnectionError) as exc:
                await stack.aclose()
                causes.append(f"{transport}: {exc or type(exc).__name__}")
        if conn is None:
            return failed("; ".join(causes))
        self._connections[c.connection] = conn
        conn.reader_task = asyncio.create_task(self._read(conn, conn.stack))
        if c.auth == CaseAuth.NONE:
            return DriverResult(status=DriverStatus.OK, transport=conn.transport)
        conn.authing = True
        auth = ObservedFrame(version=1, sender=c.user_id, type=MsgType.AUTH,
                             timestamp=int(time.time() * 1000),
                             payload=c.access_token.encode("utf-8"))
        conn.writer.write(frame_bytes(auth))
        try:
            answer = await asyncio.wait_for(conn.first.get(), AUTH_TIMEOUT)
        except TimeoutError:
            return DriverResult(status=DriverStatus.FAILED, detail="no answer to Auth")
        finally:
            conn.authing = False
        if answer is not None and answer.type == MsgType.AUTH:
            return DriverResult(status=DriverStatus.OK, transport=conn.transport)
        # Refused: the Error was reported as an observation, for the case to match.
        return DriverResult(status=DriverStatus.OK, transport=conn.transport,
                            detail="Auth was refused")

    async def _open(self, c: DriverConnect, trust: Trust, transport: str,
                    stack: contextlib.AsyncExitStack) -> _Connection:
        if transport == "tcp":
            reader, writer = await asyncio.open_connection(
                c.host, c.port, ssl=trust.ssl_context(), server_hostname="localhost")
            stack.callback(writer.close)
            socket = writer.transport  # not reading it fills the kernel's buffers
            assert isinstance(socket, asyncio.Transport)
            return _Connection(c.connection, reader, writer, stack, transport,
                               socket.pause_reading, socket.resume_reading)
        protocol = await stack.enter_async_context(quic_connect(
            c.host, c.port, configuration=trust.quic_configuration("localhost", _QUIC_IDLE),
            create_protocol=_PausableQuic, wait_connected=True))
        assert isinstance(protocol, _PausableQuic)
        reader, writer = await protocol.create_stream()
        return _Connection(c.connection, reader, writer, stack, transport, protocol.pause,
                           protocol.resume)

    async def stop_reading(self, s: DriverStopReading) -> DriverResult:
        conn = self._connections.get(s.connection)
        if conn is None:
            return failed(f"no connection {s.connection}")
        conn.pause()
        if s.ms:
            asyncio.get_running_loop().call_later(s.ms / 1000, conn.resume)
        return ok()

    async def _read(self, conn: _Connection, stack: contextlib.AsyncExitStack) -> None:
        reader = conn.reader
        decoder = FrameDecoder(validate_payloads=False)
        reason = "closed by the server"
        try:
            while data := await reader.read(65536):
                decoder.feed(data)
                while True:
                    try:
                        frame = decoder.next_frame()
                    except FrameError as exc:
                        reason = f"the server sent bytes that are not a frame: {exc}"
                        raise ConnectionError(reason) from exc
                    if frame is None:
                        break
                    observed = ObservedFrame(
                        version=frame.version, sender=frame.sender, node_id=frame.node_id,
                        receiver=frame.receiver, type=frame.type,  # type: ignore[arg-type]
                        timestamp=frame.timestamp,
                        seqnum=frame.seqnum, payload=frame.payload, extension=frame.extension)
                    if conn.authing:
                        conn.first.put_nowait(observed)
                        if observed.type == MsgType.AUTH:
                            continue  # the answer connect() waits for, not news
                    self._reporter.frame(conn.name, observed)
        except (ConnectionError, OSError) as exc:
            reason = str(exc) or type(exc).__name__
        if conn.authing:
            conn.first.put_nowait(None)
        if self._connections.get(conn.name) is conn:
            self._reporter.closed(conn.name, reason)

    async def disconnect(self, name: str) -> None:
        conn = self._connections.pop(name, None)
        if conn is None:
            return
        if conn.reader_task is not None:
            conn.reader_task.cancel()
            await asyncio.gather(conn.reader_task, return_exceptions=True)
        with contextlib.suppress(Exception):
            await conn.stack.aclose()

    async def close(self) -> None:
        for name in list(self._connections):
            await self.disconnect(name)


HELLO = DriverHello(name="raw", version="1")


def main() -> None:
    asyncio.run(serve(HELLO, RawDriver))


if __name__ == "__main__":
    main()
