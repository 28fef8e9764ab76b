"""A trio client driver that shares none of the SDK's session code: it opens connections
with the trio transport of the wire runtime (runtime/wire/trio, which authenticates) and
does the rest itself: sends the frames a case gives, one task per connection reporting
what arrives, Ping and Echo through the transport's own calls. It reads the driver
protocol from stdin with trio too, so nothing here runs on asyncio.

    python -m prim.conformance.drivers.trio_client
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import trio

from prim.conformance.driver_wire import Unpacker, pack
from prim.conformance.drivers.dispatch import answer, error_frame, failed
from prim.generated.prim.v1 import (
    CaseTransport,
    ConnectionEnded,
    DriverConnect,
    DriverHello,
    DriverMessage,
    DriverResult,
    DriverSend,
    DriverStatus,
    MsgType,
    Observation,
    ObservedFrame,
)
from prim.generated.wire import PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.client_errors import (
    AuthenticationFailed,
    ConnectionClosedError,
    WireClientError,
)
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.trio.client import Client
from prim.runtime.wire.trio.connect import open_client

log = logging.getLogger("prim.conformance.trio")
UNSUPPORTED = ["raw_bytes", "explicit_auth", "fallback", "stop_reading"]
HELLO = DriverHello(name="trio", version="1", unsupported_features=UNSUPPORTED)


def _observed(frame: Frame) -> ObservedFrame:
    return ObservedFrame(version=frame.version, sender=frame.sender, node_id=frame.node_id,
                         receiver=frame.receiver, type=frame.type,  # type: ignore[arg-type]
                         timestamp=frame.timestamp, seqnum=frame.seqnum,
                         payload=frame.payload, extension=frame.extension)


@dataclass
class _Connection:
    client: Client | None = None
    scope: trio.CancelScope = field(default_factory=trio.CancelScope)
    ready: trio.Event = field(default_factory=trio.Event)
    done: trio.Event = field(default_factory=trio.Event)
    failure: str = ""
    refused: bool = False  # the server refused the Auth (reported as observations)


class TrioDriver:
    def __init__(self, nursery: trio.Nursery) -> None:
        self._nursery = nursery
        self._out = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
        self._connections: dict[str, _Connection] = {}

    def _write(self, message: DriverMessage) -> None:
        self._out.write(pack(bytes(message)))

    def _frame(self, name: str, frame: ObservedFrame) -> None:
        self._write(DriverMessage(observation=Observation(connection=name, frame=frame)))

    async def run(self) -> None:
        self._write(DriverMessage(hello=HELLO))
        stdin = trio.lowlevel.FdStream(os.dup(sys.stdin.fileno()))
        unpacker = Unpacker()
        while data := await stdin.receive_some(65536):
            for raw in unpacker.feed(data):
                self._write(await answer(self, raw))
        await self.close()

    async def connect(self, c: DriverConnect) -> DriverResult:
        await self.disconnect(c.connection)
        conn = _Connection()
        self._connections[c.connection] = conn
        self._nursery.start_soon(self._hold, c, conn)
        await conn.ready.wait()
        if conn.refused:
            return DriverResult(status=DriverStatus.OK, detail="Auth was refused")
        if conn.client is None:
            self._connections.pop(c.connection, None)
            return failed(conn.failure)
        return DriverResult(status=DriverStatus.OK, transport=conn.client.transport)

    async def _hold(self, c: DriverConnect, conn: _Connection) -> None:
        """Owns one connection: open, report what arrives, until closed or cancelled."""
        transports = {CaseTransport.QUIC: ("quic",), CaseTransport.TCP: ("tcp",)}.get(
            c.transport, ("quic", "tcp"))
        reason = "closed by the server"
        try:
            with conn.scope:
                async with open_client(c.host, c.port, token=c.access_token,
                                       user_id=c.user_id, trust=Trust(ca_file=Path(c.ca_file)),
                                       transports=transports, server_name="localhost",
                                       quic_timeout=(c.quic_timeout_ms or 1500) / 1000
                                       ) as client:
                    conn.client = client
                    conn.ready.set()
                    while True:
                        try:
                            frame = await client.receive()
                        except ConnectionClosedError as exc:
                            # Ended here, not raised: when the driver closes the connection
                            # (disconnect, reset) this error would leave open_client beside
                            # the cancellation, in a group no handler takes, and end the
                            # driver.
                            reason = str(exc)
                            break
                        self._frame(c.connection, _observed(frame))
        except AuthenticationFailed as exc:  # observed, for the case to match
            self._frame(c.connection, error_frame(exc.code, exc.message, c.user_id))
            self._write(DriverMessage(observation=Observation(
                connection=c.connection, closed=ConnectionEnded(reason=str(exc)))))
            conn.refused = True
        except (WireClientError, OSError, trio.BrokenResourceError) as exc:
            reason = str(exc) or type(exc).__name__
            conn.failure = reason
        finally:
            conn.ready.set()
            conn.done.set()
        if conn.client is not None and not conn.scope.cancel_called:
            self._write(DriverMessage(observation=Observation(
                connection=c.connection, closed=ConnectionEnded(reason=reason))))

    async def send(self, s: DriverSend) -> DriverResult:
        conn = self._connections.get(s.connection)
        if conn is None or conn.client is None:
            return failed(f"no connection {s.connection}")
        if s.raw:
            return DriverResult(status=DriverStatus.UNSUPPORTED, detail="no raw bytes")
        f = s.frame
        assert f is not None
        client = conn.client
        if f.version not in SUPPORTED_PROTOCOL_VERSIONS:
            return DriverResult(status=DriverStatus.UNSUPPORTED,
                                detail="the trio transport sends only versions it speaks")
        plain = f.version == PROTOCOL_VERSION and f.sender == client.user_id
        if f.type == MsgType.PING and plain:
            self._nursery.start_soon(self._ping, s.connection, client)
        elif f.type == MsgType.ECHO and plain:
            self._nursery.start_soon(self._echo, s.connection, client, f.payload, f.extension)
        else:
            try:
                await client.send(Frame(type=f.type, sender=f.sender, receiver=f.receiver,
                                        timestamp=f.timestamp, seqnum=f.seqnum,
                                        node_id=f.node_id, payload=f.payload,
                                        extension=f.extension, version=f.version))
            except (WireClientError, ValueError) as exc:
                return DriverResult(status=DriverStatus.OK, detail=f"not sent: {exc}")
        return DriverResult(status=DriverStatus.OK)

    async def _ping(self, name: str, client: Client) -> None:
        try:
            await client.ping()
        except WireClientError:
            return
        self._frame(name, ObservedFrame(type=MsgType.PONG, receiver=client.user_id))

    async def _echo(self, name: str, client: Client, payload: bytes, extension: bytes) -> None:
        try:
            frame = await client.echo(payload, extension)
        except WireClientError:
            return
        self._frame(name, _observed(frame))

    async def disconnect(self, name: str) -> None:
        conn = self._connections.pop(name, None)
        if conn is None:
            return
        if conn.client is not None:
            with trio.move_on_after(3):
                await conn.client.close()
        conn.scope.cancel()
        await conn.done.wait()

    async def close(self) -> None:
        for name in list(self._connections):
            await self.disconnect(name)


async def _main() -> None:
    logging.basicConfig(level=os.environ.get("PRIM_CONFORMANCE_DRIVER_LEVEL", "WARNING"),
                        stream=sys.stderr)
    async with trio.open_nursery() as nursery:
        await TrioDriver(nursery).run()
        nursery.cancel_scope.cancel()


def main() -> None:
    trio.run(_main)


if __name__ == "__main__":
    main()
