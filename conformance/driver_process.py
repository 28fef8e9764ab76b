"""The runner's side of the driver protocol: starts a client under test as a command,
reads its hello, sends it `DriverRequest`s and sorts what it reports into one queue of
observations per connection."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import betterproto2

from prim.generated.prim.v1 import (
    DriverHello,
    DriverMessage,
    DriverRequest,
    DriverResult,
    DriverStatus,
    Observation,
)

from .driver_wire import DriverStreamError, Unpacker, pack

HELLO_TIMEOUT = 30.0


class DriverFailed(Exception):
    """The driver process broke the protocol, died, or did not answer in time."""


@dataclass
class ConnectionLog:
    """What one connection of the driver reported, in order; `closed` once it ended."""

    queue: asyncio.Queue[Observation] = field(default_factory=asyncio.Queue)
    seen: list[Observation] = field(default_factory=list)


class DriverProcess:
    def __init__(self, name: str, command: Sequence[str] | str,
                 env: dict[str, str] | None = None) -> None:
        self.name = name
        self.command = shlex.split(command) if isinstance(command, str) else list(command)
        self._env = env
        self.hello = DriverHello()
        self.stderr_tail: list[str] = []
        self._process: asyncio.subprocess.Process | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[DriverResult]] = {}
        self._connections: dict[str, ConnectionLog] = {}
        self._hello: asyncio.Future[DriverHello] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.broken: str | None = None

    @property
    def unsupported(self) -> frozenset[str]:
        return frozenset(self.hello.unsupported_features)

    async def start(self) -> None:
        env = {**os.environ, **(self._env or {})}
        self._process = await asyncio.create_subprocess_exec(
            *self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env)
        self._hello = asyncio.get_running_loop().create_future()
        self._tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._log())]
        try:
            self.hello = await asyncio.wait_for(asyncio.shield(self._hello), HELLO_TIMEOUT)
        except TimeoutError:
            await self.stop()
            raise DriverFailed(f"{self.name}: no hello within {HELLO_TIMEOUT:.0f} s"
                               f"{self._stderr_note()}") from None

    def connection(self, name: str) -> ConnectionLog:
        return self._connections.setdefault(name, ConnectionLog())

    def forget(self) -> None:
        self._connections.clear()

    async def request(self, request: DriverRequest, timeout: float = 30.0) -> DriverResult:
        if self._process is None or self._process.stdin is None:
            raise DriverFailed(f"{self.name} is not running")
        if self.broken:
            raise DriverFailed(self.broken)
        request.id = next(self._ids)
        future: asyncio.Future[DriverResult] = asyncio.get_running_loop().create_future()
        self._waiting[request.id] = future
        try:
            self._process.stdin.write(pack(bytes(request)))
            await self._process.stdin.drain()
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            action = betterproto2.which_one_of(request, "action")[0]
            raise DriverFailed(f"{self.name} did not answer {action} within {timeout:.0f} s"
                               ) from None
        except (ConnectionError, BrokenPipeError) as exc:
            raise DriverFailed(f"{self.name} is gone: {exc}{self._stderr_note()}") from exc
        finally:
            self._waiting.pop(request.id, None)

    async def stop(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        if process.stdin is not None:
            with contextlib.suppress(ConnectionError, BrokenPipeError):
                process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        stdout = self._process.stdout
        unpacker = Unpacker()
        try:
            while data := await stdout.read(65536):
                for raw in unpacker.feed(data):
                    self._dispatch(DriverMessage.parse(raw))
            self._break(f"{self.name} exited{self._stderr_note()}")
        except (DriverStreamError, ValueError) as exc:
            self._break(f"{self.name} broke the driver protocol: {exc}")

    def _dispatch(self, message: DriverMessage) -> None:
        kind, value = betterproto2.which_one_of(message, "kind")
        if kind == "hello" and self._hello is not None and not self._hello.done():
            assert isinstance(value, DriverHello)
            self._hello.set_result(value)
        elif kind == "result":
            assert isinstance(value, DriverResult)
            future = self._waiting.get(value.id)
            if future is not None and not future.done():
                future.set_result(value)
        elif kind == "observation":
            assert isinstance(value, Observation)
            log = self.connection(value.connection)
            log.seen.append(value)
            log.queue.put_nowait(value)

    def _break(self, reason: str) -> None:
        self.broken = reason
        failure = DriverResult(status=DriverStatus.FAILED, detail=reason)
        for future in self._waiting.values():
            if not future.done():
                future.set_result(failure)
        if self._hello is not None and not self._hello.done():
            self._hello.set_exception(DriverFailed(reason))

    async def _log(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        verbose = os.environ.get("PRIM_CONFORMANCE_DRIVER_LOG") == "1"
        while line := await self._process.stderr.readline():
            text = line.decode(errors="replace").rstrip()
            self.stderr_tail = [*self.stderr_tail[-19:], text]
            if verbose:
                print(f"[{self.name}] {text}", file=sys.stderr)

    def _stderr_note(self) -> str:
        if not self.stderr_tail:
            return ""
        return "; its stderr ends with:\n  " + "\n  ".join(self.stderr_tail[-8:])
