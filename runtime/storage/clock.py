"""The default clock: wall time in milliseconds. Tests inject their own."""

import time
from collections.abc import Callable


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class StrictlyIncreasing:
    """Milliseconds from `clock` that never repeat: max(now, last + 1). For timestamps
    that are part of an idempotency key (server-made events), where two in one
    millisecond must still differ."""

    def __init__(self, clock: Callable[[], int] = wall_clock_ms) -> None:
        self._clock = clock
        self._last = 0

    def __call__(self) -> int:
        self._last = max(self._clock(), self._last + 1)
        return self._last
