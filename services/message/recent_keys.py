"""The idempotency keys of recently stored messages, so a resend is recognised without a
store query on every send. Bounded (least recently stored first out); a resend that is no
longer remembered is still caught by the store's own key check, at the cost of one unused
seqnum."""

from __future__ import annotations

from collections import OrderedDict

IdempotencyKey = tuple[int, int, int]  # sender, receiver, client timestamp
DEFAULT_CAPACITY = 100_000


class RecentKeys:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._seqnums: OrderedDict[IdempotencyKey, int] = OrderedDict()

    def get(self, key: IdempotencyKey) -> int | None:
        return self._seqnums.get(key)

    def add(self, key: IdempotencyKey, seqnum: int) -> None:
        self._seqnums[key] = seqnum
        self._seqnums.move_to_end(key)
        if len(self._seqnums) > self._capacity:
            self._seqnums.popitem(last=False)

    def __len__(self) -> int:
        return len(self._seqnums)
