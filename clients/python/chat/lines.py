"""Reading what the person types without blocking the event loop: one daemon thread that
reads a line (or a password, without echo) only when asked, so a password prompt never
races a pending line read, and a blocked read never keeps the process alive at exit."""

from __future__ import annotations

import asyncio
import getpass
import queue
import sys
import threading
from collections.abc import Callable
from typing import TextIO


class LineReader:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdin
        self._requests: queue.Queue[tuple[Callable[[], str | None],
                                          asyncio.Future[str | None]]] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="prim-chat-input",
                                        daemon=True)
        self._thread.start()

    @property
    def interactive(self) -> bool:
        return self._stream.isatty()

    async def line(self) -> str | None:
        """The next line without its newline; None at end of input."""
        return await self._ask(self._read_line)

    async def password(self, prompt: str) -> str | None:
        """A password typed at the terminal without echo."""
        return await self._ask(lambda: getpass.getpass(prompt))

    async def _ask(self, read: Callable[[], str | None]) -> str | None:
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._requests.put((read, future))
        return await future

    def _read_line(self) -> str | None:
        text = self._stream.readline()
        return text.rstrip("\r\n") if text else None

    def _serve(self) -> None:
        while True:
            read, future = self._requests.get()
            loop = future.get_loop()
            try:
                result: str | None = read()
            except (EOFError, KeyboardInterrupt):
                result = None
            except BaseException as exc:  # handed to the waiting coroutine
                loop.call_soon_threadsafe(_set_exception, future, exc)
                continue
            loop.call_soon_threadsafe(_set_result, future, result)


def _set_result(future: asyncio.Future[str | None], value: str | None) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[str | None], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
