"""How many uploads each user has in flight in this process, against a cap: a slow upload
holds a temporary file, a worker thread at times and a slot of the HTTP server, so one
user may not hold many at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class UploadSlots:
    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self._busy: dict[int, int] = {}

    @contextmanager
    def take(self, user_id: int) -> Iterator[bool]:
        """Yields whether a slot was free; a taken slot is given back on exit."""
        busy = self._busy.get(user_id, 0)
        if busy >= self.per_user:
            yield False
            return
        self._busy[user_id] = busy + 1
        try:
            yield True
        finally:
            left = self._busy[user_id] - 1
            if left:
                self._busy[user_id] = left
            else:
                del self._busy[user_id]
