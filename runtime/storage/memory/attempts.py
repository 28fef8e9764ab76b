"""AttemptCounters in process memory, for one node (embedded mode).

Bounded: past `max_keys` the expired counters go first, then the ones closest to expiry,
so a flood of fresh keys (random account ids) cannot grow memory without end. The callers
limit how fast one address creates keys, so that flood is slow.
"""

from __future__ import annotations

from ..clock import wall_clock_ms
from ..models import Clock


class MemoryAttemptCounters:
    def __init__(self, clock: Clock = wall_clock_ms, *, max_keys: int = 200_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._values: dict[str, tuple[int, int]] = {}  # key -> (value, expires at ms)

    # No awaits inside: each method runs atomically on the event loop.
    async def add(self, key: str, ttl_ms: int) -> int:
        value = await self.get(key) + 1
        await self.put(key, value, ttl_ms)
        return value

    async def get(self, key: str) -> int:
        entry = self._values.get(key)
        if entry is None:
            return 0
        if entry[1] <= self._clock():
            del self._values[key]
            return 0
        return entry[0]

    async def put(self, key: str, value: int, ttl_ms: int) -> None:
        if key not in self._values and len(self._values) >= self._max_keys:
            self._evict()
        self._values[key] = (value, self._clock() + ttl_ms)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._values.pop(key, None)

    async def close(self) -> None:
        self._values.clear()

    def _evict(self) -> None:
        now = self._clock()
        for key in [k for k, (_, at) in self._values.items() if at <= now]:
            del self._values[key]
        if len(self._values) >= self._max_keys:
            by_expiry = sorted(self._values, key=lambda k: self._values[k][1])
            for key in by_expiry[: len(self._values) - self._max_keys + 1]:
                del self._values[key]
