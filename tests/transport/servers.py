"""Test servers: a WireServer running on its own asyncio loop in a thread, so asyncio and
trio tests alike can talk to it, and a trivial handler (token "user:<id>")."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.runtime.tls import DevCertificates, ServerIdentity
from prim.runtime.wire.asyncio import WireServer
from prim.runtime.wire.events import ConnectionClosed
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.handler import AuthRejected, Connection, ConnectionHandler
from prim.runtime.wire.settings import ServerSettings

FLOOD = b"flood"
BOOM = b"boom"


@dataclass
class RecordingHandler(ConnectionHandler):
    """Accepts "user:<id>"; sends each frame back to its sender; b"flood" makes it send
    frames until the connection refuses them, b"boom" makes it raise. Records what
    happened, for assertions."""

    closed: list[tuple[int | None, ConnectionClosed]] = field(default_factory=list)
    refused_sends: list[int] = field(default_factory=list)

    async def on_auth(self, conn: Connection, token: str, sender: int) -> int | AuthRejected:
        if token.startswith("user:") and token[5:].isdigit():
            return int(token[5:])
        return AuthRejected(ErrorCode.UNAUTHENTICATED, "unknown token")

    async def on_frame(self, conn: Connection, frame: Frame) -> None:
        if frame.payload == BOOM:
            raise RuntimeError("the handler failed (on purpose)")
        if frame.payload == FLOOD:
            big = Frame(type=MsgType.TEXT, receiver=frame.sender, payload=b"z" * 16000)
            for n in range(20_000):
                if not conn.send(big):
                    self.refused_sends.append(n)
                    return
                if n % 100 == 0:
                    await asyncio.sleep(0)  # let the transport drain what it can
            return
        conn.send(Frame(type=frame.type, sender=frame.sender, receiver=frame.sender,
                        timestamp=frame.timestamp, payload=frame.payload,
                        extension=frame.extension))

    async def on_close(self, conn: Connection, closed: ConnectionClosed) -> None:
        self.closed.append((conn.user_id, closed))


@dataclass
class RunningServer:
    port: int
    handler: RecordingHandler
    server: WireServer
    loop: asyncio.AbstractEventLoop

    def connection_count(self) -> int:
        return len(self.server.connections)


@contextmanager
def server_in_thread(certs: DevCertificates, settings: ServerSettings | None = None
                     ) -> Iterator[RunningServer]:
    handler = RecordingHandler()
    ready: Future[RunningServer] = Future()
    stop: Future[None] = Future()

    async def main() -> None:
        server = WireServer(handler, ServerIdentity(certs.cert_file, certs.key_file),
                            settings or ServerSettings())
        await server.start()
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        stop.add_done_callback(lambda _: loop.call_soon_threadsafe(stopped.set))
        ready.set_result(RunningServer(server.port, handler, server, loop))
        await stopped.wait()
        await server.close(grace=0.5)

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    running = ready.result(timeout=10)
    try:
        yield running
    finally:
        stop.set_result(None)
        thread.join(timeout=10)
