"""The two shapes of abuse limit, on the AttemptCounters port (memory for one node, Redis
shared by every api process):

- WindowLimit: at most `limit` events per key in each fixed window (per-address limits);
- Backoff: after `free` failures of a key, each further attempt waits a delay that doubles
  per failure up to a ceiling (per-account password checks). Unlike a lockout, the owner
  waits at most the ceiling, and a right password resets it.

An attempt counts as a failure when it starts (Backoff.begin) and `succeeded` forgets the
key, so concurrent guesses cannot slip past the delay while scrypt runs. Windows follow
the api's clock (keys carry the window's number), so a test's clock moves them.
"""

from __future__ import annotations

from prim.runtime.storage.models import Clock
from prim.runtime.storage.ports import AttemptCounters

# How long a key's failures are remembered after the last one.
BACKOFF_MEMORY_MS = 24 * 3600 * 1000


class WindowLimit:
    def __init__(self, counters: AttemptCounters, name: str, *, limit: int, window_ms: int,
                 clock: Clock) -> None:
        self._counters = counters
        self._name = name
        self._limit = limit
        self._window = window_ms
        self._clock = clock

    async def hit(self, key: str) -> int:
        """Counts an event; 0 when it is within the limit, else ms until the window ends."""
        now = self._clock()
        window = now // self._window
        count = await self._counters.add(f"{self._name}:{window}:{key}", self._window)
        if count <= self._limit:
            return 0
        return (window + 1) * self._window - now


class Backoff:
    def __init__(self, counters: AttemptCounters, name: str, *, free: int, delay_ms: int,
                 max_delay_ms: int, clock: Clock) -> None:
        self._counters = counters
        self._name = name
        self._free = free
        self._delay = delay_ms
        self._max_delay = max_delay_ms
        self._clock = clock

    async def wait_ms(self, key: str) -> int:
        """0 when an attempt for ``key`` may go ahead; else how long until one may."""
        until = await self._counters.get(f"{self._name}:until:{key}")
        return max(0, until - self._clock())

    async def begin(self, key: str) -> None:
        """Counts an attempt as failed until `succeeded` says otherwise."""
        failures = await self._counters.add(f"{self._name}:n:{key}", BACKOFF_MEMORY_MS)
        if failures >= self._free:
            # The delay applies from the free-th failure on: 1x, 2x, 4x ... up to the ceiling.
            delay = min(self._max_delay, self._delay << min(failures - self._free, 40))
            await self._counters.put(f"{self._name}:until:{key}", self._clock() + delay,
                                     BACKOFF_MEMORY_MS)

    async def succeeded(self, key: str) -> None:
        await self._counters.delete(f"{self._name}:n:{key}", f"{self._name}:until:{key}")
