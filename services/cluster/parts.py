"""What a role process has started, so that stopping it (after a clean run, or after a
start-up that failed half-way) stops exactly those parts, in the reverse order, each one
even if an earlier one failed to stop."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("prim.cluster")

Stop = Callable[[], Awaitable[None] | None]


class StartedParts:
    def __init__(self) -> None:
        self._stops: list[tuple[str, Stop]] = []

    def add(self, name: str, stop: Stop) -> None:
        """`stop` (a coroutine function or a plain function) undoes what was just started."""
        self._stops.append((name, stop))

    async def stop_all(self) -> None:
        while self._stops:
            name, stop = self._stops.pop()
            try:
                result = stop()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("stopping the %s failed", name)
