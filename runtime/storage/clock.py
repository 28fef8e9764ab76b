"""The default clock: wall time in milliseconds. Tests inject their own."""

import time


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000
