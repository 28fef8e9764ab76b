"""Sliding-window attempt counters: password checks (Login, DeleteAccount) per account, so
nobody can guess a password faster than `max_failures` per `window_ms`, and id
reservations (NewAccountId) per client address.

In memory, per process: with several api processes each one counts on its own, which
multiplies the allowance by the number of processes (a shared Redis counter would fix that).
An attempt is counted when it starts, not when it fails, so concurrent guesses cannot slip
past the limit while scrypt runs; a success forgets the key's count.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

from prim.runtime.storage.models import Clock


class AttemptLimiter:
    def __init__(self, clock: Clock, *, max_failures: int = 10, window_ms: int = 60_000,
                 max_keys: int = 100_000) -> None:
        self._clock = clock
        self._max = max_failures
        self._window = window_ms
        self._max_keys = max_keys
        self._attempts: dict[Hashable, deque[int]] = {}

    def _recent(self, key: Hashable, now: int) -> deque[int] | None:
        times = self._attempts.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self._window:
            times.popleft()
        if not times:
            del self._attempts[key]
            return None
        return times

    def retry_after_ms(self, key: Hashable) -> int:
        """0 when an attempt for ``key`` may go ahead; else how long until one may."""
        now = self._clock()
        times = self._recent(key, now)
        if times is None or len(times) < self._max:
            return 0
        return times[-self._max] + self._window - now

    def begin(self, key: Hashable) -> None:
        """Counts an attempt as failed until `succeeded` says otherwise."""
        now = self._clock()
        times = self._recent(key, now)
        if times is None:
            if len(self._attempts) >= self._max_keys:
                self._evict(now)
            times = self._attempts[key] = deque()
        times.append(now)

    def succeeded(self, key: Hashable) -> None:
        self._attempts.pop(key, None)

    def _evict(self, now: int) -> None:
        for key in list(self._attempts):
            self._recent(key, now)
        while len(self._attempts) >= self._max_keys:
            # Oldest first (dict order is insertion order): the least useful to keep.
            del self._attempts[next(iter(self._attempts))]
