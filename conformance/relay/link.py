"""`Link`: one relayed connection, the client's and the relay's own to the server, with a
pump per direction that splits frames, asks the `FaultEngine` and carries out its answer.

Both ends are asyncio streams (a QUIC stream or a TLS socket), so the link does not care
which transport it is on. A delayed frame delays the ones behind it (the stream is
ordered); a reordered frame is sent after the next one, or after `reorder_hold` seconds
if no next one comes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prim.conformance.relay.faults import Decision, FaultEngine, FaultRecord
from prim.conformance.relay.rules import Direction
from prim.conformance.relay.splitter import FrameSplitter, Piece

log = logging.getLogger("prim.conformance.relay")
_READ_SIZE = 65536


@dataclass
class Endpoint:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    abort: Callable[[], None]  # close the whole connection at once
    close: Callable[[], None]  # close it once both directions are done


class _Sender:
    """Writes pieces in order, each no earlier than its release time."""

    def __init__(self, target: Endpoint) -> None:
        self._target = target
        self._writer = target.writer
        self._queue: asyncio.Queue[tuple[float, bytes | None]] = asyncio.Queue()
        self.task = asyncio.create_task(self._run())

    def send(self, data: bytes, delay_ms: int = 0) -> None:
        self._queue.put_nowait((asyncio.get_running_loop().time() + delay_ms / 1000, data))

    def eof(self) -> None:
        self._queue.put_nowait((0.0, None))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            at, data = await self._queue.get()
            if (wait := at - loop.time()) > 0:
                await asyncio.sleep(wait)
            if data is None:
                if self._writer.can_write_eof():
                    self._writer.write_eof()
                else:  # TLS cannot half-close: the peer closed, so close the whole link
                    self._target.close()
                return
            self._writer.write(data)
            await self._writer.drain()


class Link:
    def __init__(self, number: int, client: Endpoint, server: Endpoint, engine: FaultEngine,
                 report: Callable[[FaultRecord], None], reorder_hold: float = 0.5) -> None:
        self.number = number
        self._ends = {Direction.CLIENT_TO_SERVER: (client, server),
                      Direction.SERVER_TO_CLIENT: (server, client)}
        self._client, self._server = client, server
        self._engine = engine
        self._report = report
        self._reorder_hold = reorder_hold
        self._cut = asyncio.Event()
        self.frames = {d: 0 for d in Direction}  # frames relayed (or faulted) per direction

    async def run(self) -> None:
        pumps = [asyncio.create_task(self._pump(d)) for d in Direction]
        timers = [asyncio.create_task(self._timed_cut(rule, ms))
                  for rule, ms in self._engine.timed_cuts()]
        cut = asyncio.create_task(self._cut.wait())
        pumping = asyncio.gather(*pumps, return_exceptions=True)
        waiters: list[asyncio.Future[Any]] = [cut, pumping]
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (*pumps, *timers, cut):
                task.cancel()
            await asyncio.gather(pumping, *timers, cut, return_exceptions=True)
        if self._cut.is_set():
            self._client.abort()
            self._server.abort()
        else:
            self._client.close()
            self._server.close()

    def cut(self) -> None:
        self._cut.set()

    async def _timed_cut(self, rule: int, ms: int) -> None:
        await asyncio.sleep(ms / 1000)
        self._report(self._engine.timed_cut_record(rule))
        self.cut()

    async def _pump(self, direction: Direction) -> None:
        source, target = self._ends[direction]
        sender = _Sender(target)
        splitter = FrameSplitter()
        held: list[Decision] = []  # a reordered frame waiting for the next one
        loop = asyncio.get_running_loop()
        hold_until = 0.0
        try:
            while True:
                timeout = max(0.0, hold_until - loop.time()) if held else None
                try:
                    data = await asyncio.wait_for(source.reader.read(_READ_SIZE), timeout)
                except TimeoutError:
                    self._release(held, sender)
                    continue
                pieces = splitter.feed(data) if data else splitter.feed_eof()
                for piece in pieces:
                    decision = self._decide(direction, piece)
                    if decision.cut:
                        return
                    if decision.reorder and not held and decision.copies:
                        held.append(decision)
                        hold_until = loop.time() + self._reorder_hold
                        continue
                    self._send(decision, sender)
                    self._release(held, sender)
                if not data:
                    self._release(held, sender)
                    sender.eof()
                    await sender.task
                    return
        except (ConnectionError, OSError) as exc:
            log.info("link %d %s: %s", self.number, direction.value, exc)
            self.cut()
        finally:
            if not sender.task.done():
                sender.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError, OSError):
                    await sender.task

    def _decide(self, direction: Direction, piece: Piece) -> Decision:
        self.frames[direction] += 1
        decision = self._engine.decide(direction, piece.raw, piece.header)
        for record in decision.records:
            self._report(record)
        if decision.cut:
            self.cut()
        return decision

    @staticmethod
    def _send(decision: Decision, sender: _Sender) -> None:
        for _ in range(decision.copies):
            sender.send(decision.raw, decision.delay_ms)

    def _release(self, held: list[Decision], sender: _Sender) -> None:
        while held:
            self._send(held.pop(), sender)
