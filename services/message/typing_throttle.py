"""Typing is relayed live only, and a client may send it on every keystroke: at most one
Typing frame per sender and conversation is relayed per interval (a group's fan-out looks up
every member), the rest are dropped without an answer, as a lost Typing frame would be.
A message from that sender to that conversation ends the episode: its receivers clear the
notice when it arrives, so the next Typing is news and is relayed at once."""

from __future__ import annotations

import time
from collections.abc import Callable

#: Past this many remembered (sender, conversation) pairs, the expired ones are dropped.
_PRUNE_AT = 10_000


class TypingThrottle:
    def __init__(self, interval_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval_seconds
        self._clock = clock
        self._last: dict[tuple[int, int], float] = {}

    def allow(self, sender: int, receiver: int) -> bool:
        """Whether this Typing frame is relayed; records it when it is."""
        now = self._clock()
        key = (sender, receiver)
        last = self._last.get(key)
        if last is not None and now - last < self._interval:
            return False
        if len(self._last) >= _PRUNE_AT:
            self._last = {k: t for k, t in self._last.items() if now - t < self._interval}
        self._last[key] = now
        return True

    def ended(self, sender: int, receiver: int) -> None:
        """`sender` sent a message to `receiver`: the next Typing frame starts a new episode."""
        self._last.pop((sender, receiver), None)

    def __len__(self) -> int:
        """How many (sender, conversation) pairs are remembered."""
        return len(self._last)
