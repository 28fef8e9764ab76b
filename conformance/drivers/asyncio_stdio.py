"""The driver protocol's loop for asyncio drivers: reads `DriverRequest`s from stdin,
hands each to the driver's handler in order, writes the `DriverResult`s and the
`Observation`s the driver reports to stdout. The driver itself only knows its client."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable

from prim.conformance.driver_wire import Unpacker, pack
from prim.conformance.drivers.dispatch import ClientDriver, answer
from prim.generated.prim.v1 import (
    ConnectionEnded,
    DriverHello,
    DriverMessage,
    Observation,
    ObservedFrame,
)


class Reporter:
    """Writes driver messages to stdout (the runner reads them)."""

    def __init__(self) -> None:
        self._out = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt it

    def send(self, message: DriverMessage) -> None:
        self._out.write(pack(bytes(message)))

    def frame(self, connection: str, frame: ObservedFrame) -> None:
        self.send(DriverMessage(observation=Observation(connection=connection, frame=frame)))

    def closed(self, connection: str, reason: str) -> None:
        self.send(DriverMessage(observation=Observation(
            connection=connection, closed=ConnectionEnded(reason=reason))))


async def serve(hello: DriverHello, make_driver: Callable[[Reporter], ClientDriver]) -> None:
    """Runs a driver: hello, then one request at a time until stdin closes."""
    logging.basicConfig(level=os.environ.get("PRIM_CONFORMANCE_DRIVER_LEVEL", "WARNING"),
                        stream=sys.stderr)
    reporter = Reporter()
    driver = make_driver(reporter)
    reporter.send(DriverMessage(hello=hello))
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    unpacker = Unpacker()
    while data := await reader.read(65536):
        for raw in unpacker.feed(data):
            reporter.send(await answer(driver, raw))
    await driver.close()
