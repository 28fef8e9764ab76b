"""Per-connection frame rate limiting: a token bucket that refills `rate` tokens a second
up to a burst of `rate`, so a client may send a second's worth at once but no more than
`rate` a second over time."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._tokens = rate
        self._clock = clock
        self._at = clock()

    def take(self) -> bool:
        """True when a frame may pass now (and counts it)."""
        now = self._clock()
        self._tokens = min(self._rate, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True
