"""The idempotency keys of recently stored messages, so a resend is recognised without a
store query on every send. Bounded (least recently stored first out); a resend that is no
longer remembered is still caught by the store's own key check, at the cost of one unused
seqnum. Each key keeps the digest of its message, so a different message reusing the key
is told from a resend."""

from __future__ import annotations

from collections import OrderedDict

from prim.runtime.storage.idempotency import IdempotencyKey
from prim.runtime.storage.models import KeyMatch

DEFAULT_CAPACITY = 100_000


class RecentKeys:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._stored: OrderedDict[IdempotencyKey, KeyMatch] = OrderedDict()

    def get(self, key: IdempotencyKey) -> KeyMatch | None:
        return self._stored.get(key)

    def add(self, key: IdempotencyKey, stored: KeyMatch) -> None:
        self._stored[key] = stored
        self._stored.move_to_end(key)
        if len(self._stored) > self._capacity:
            self._stored.popitem(last=False)

    def __len__(self) -> int:
        return len(self._stored)
