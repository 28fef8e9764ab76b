"""KeyLookups: the idempotency-key lookups of one moment leave as one store query, each
asker gets its own answer in its order, and a failed query fails each of its askers."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest

from prim.runtime.storage.idempotency import IdempotencyKey
from prim.runtime.storage.models import KeyMatch
from prim.runtime.storage.ports import MessageStore
from prim.services.message.key_lookups import KeyLookups

pytestmark = pytest.mark.anyio


class Messages:
    """The one MessageStore call KeyLookups makes, recording each query's keys."""

    def __init__(self, stored: dict[IdempotencyKey, int], fail: bool = False) -> None:
        self.stored = stored
        self.fail = fail
        self.queries: list[list[IdempotencyKey]] = []

    async def find_by_idempotency_keys(
            self, keys: list[IdempotencyKey]) -> list[KeyMatch | None]:
        self.queries.append(list(keys))
        await asyncio.sleep(0.01)  # a round trip: keys asked meanwhile wait for the next one
        if self.fail:
            raise ConnectionError("database gone")
        return [KeyMatch(self.stored[k], None) if k in self.stored else None for k in keys]


def key(n: int) -> IdempotencyKey:
    return (1, 2, "phone", n)


async def test_one_query_per_moment_and_one_while_in_flight() -> None:
    messages = Messages({key(2): 7, key(5): 9})
    lookups = KeyLookups(cast(MessageStore, messages))
    first = [asyncio.ensure_future(lookups.find(key(n))) for n in range(4)]
    await asyncio.sleep(0)  # the first query is in flight
    later = [asyncio.ensure_future(lookups.find(key(n))) for n in range(4, 7)]
    found = await asyncio.gather(*first, *later)
    assert messages.queries == [[key(n) for n in range(4)], [key(n) for n in range(4, 7)]]
    assert [m.seqnum if m else None for m in found] == [None, None, 7, None, None, 9, None]


async def test_a_big_backlog_leaves_in_bounded_batches() -> None:
    messages = Messages({})
    lookups = KeyLookups(cast(MessageStore, messages), max_batch=3)
    assert await asyncio.gather(*(lookups.find(key(n)) for n in range(7))) == [None] * 7
    assert [len(q) for q in messages.queries] == [3, 3, 1]


async def test_a_failed_query_fails_each_asker_and_the_next_one_runs() -> None:
    messages = Messages({key(1): 3}, fail=True)
    lookups = KeyLookups(cast(MessageStore, messages))
    results = await asyncio.gather(lookups.find(key(0)), lookups.find(key(1)),
                                   return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    messages.fail = False
    match = await lookups.find(key(1))
    assert match is not None and match.seqnum == 3
