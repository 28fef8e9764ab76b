"""Gap detection (spec/PROTOCOL.md 4.5), without I/O: per conversation, which seqnums this
client has seen, so that a jump names exactly the missing range and nothing is handed to
the application twice.

State per conversation: `last`, the highest seqnum up to which everything was seen (or
accounted for), and the seqnums seen above it. A conversation the client has never seen is
not a gap: its first seqnum is the baseline (catching up on a conversation from scratch is
the inbox's job). A range that history returns with holes in it is a seqnum jump after a
server restart, not a loss: `cover()` accounts for the whole range once it was fetched.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Gap:
    conversation: int
    first: int  # the missing range, inclusive at both ends
    last: int


class GapTracker:
    def __init__(self) -> None:
        self._last: dict[int, int] = {}
        self._above: dict[int, set[int]] = {}

    def last(self, conversation: int) -> int | None:
        """Everything up to this seqnum was seen; None for a conversation never seen."""
        return self._last.get(conversation)

    def known(self) -> dict[int, int]:
        return dict(self._last)

    def seen(self, conversation: int, seqnum: int) -> bool:
        last = self._last.get(conversation)
        return last is not None and (seqnum <= last or seqnum in self._above[conversation])

    def gap_before(self, conversation: int, seqnum: int) -> Gap | None:
        """The range missing before `seqnum` arrives (None: no gap, or never seen)."""
        last = self._last.get(conversation)
        if last is None or seqnum <= last + 1:
            return None
        return Gap(conversation, last + 1, seqnum - 1)

    def mark(self, conversation: int, seqnum: int) -> bool:
        """Records `seqnum` as seen; False when it already was (a duplicate)."""
        last = self._last.get(conversation)
        if last is None:
            self._last[conversation] = seqnum
            self._above[conversation] = set()
            return True
        above = self._above[conversation]
        if seqnum <= last or seqnum in above:
            return False
        above.add(seqnum)
        self._advance(conversation)
        return True

    def cover(self, conversation: int, upto: int) -> None:
        """Everything up to `upto` is accounted for (it was fetched from history)."""
        last = self._last.get(conversation)
        if last is None or upto > last:
            self._last[conversation] = upto
            above = self._above.setdefault(conversation, set())
            above.difference_update({s for s in above if s <= upto})
            self._advance(conversation)

    def _advance(self, conversation: int) -> None:
        last = self._last[conversation]
        above = self._above[conversation]
        while last + 1 in above:
            last += 1
            above.remove(last)
        self._last[conversation] = last
