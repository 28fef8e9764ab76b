"""Group commit writes queued messages together, in order, failing only the batch a store
error hits; the recent-keys cache is bounded."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from prim.runtime.storage.models import InsertResult, KeyMatch, Message
from prim.services.message.group_commit import GroupCommitWriter
from prim.services.message.recent_keys import RecentKeys

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def message(seqnum: int) -> Message:
    return Message(channel="u1-2", seqnum=seqnum, sender=1, receiver=2, type=32,
                   server_ts=1, client_ts=seqnum, payload=b"x")


class SlowStore:
    """Records each insert_many batch; fails the batches holding a poisoned seqnum."""

    def __init__(self, poison: int = -1) -> None:
        self.batches: list[list[int]] = []
        self.poison = poison

    async def insert_many(self, messages: Sequence[Message]) -> list[InsertResult]:
        await asyncio.sleep(0.01)  # a commit takes time; meanwhile more messages queue up
        self.batches.append([m.seqnum for m in messages])
        if any(m.seqnum == self.poison for m in messages):
            raise RuntimeError("disk full")
        return [InsertResult(m.seqnum, True) for m in messages]


async def test_queued_messages_share_commits_in_order() -> None:
    store = SlowStore()
    writer = GroupCommitWriter(store, max_batch=50)  # type: ignore[arg-type]
    first = writer.enqueue(message(1))
    await asyncio.sleep(0)  # the first write starts alone: no waiting when idle
    rest = [writer.enqueue(message(n)) for n in range(2, 121)]
    results = await asyncio.gather(first, *rest)
    assert [r.seqnum for r in results] == list(range(1, 121))
    assert store.batches[0] == [1]
    assert [len(b) for b in store.batches[1:]] == [50, 50, 19]
    assert [n for b in store.batches for n in b] == list(range(1, 121))
    await writer.drain()


async def test_a_failed_commit_fails_its_batch_only() -> None:
    store = SlowStore(poison=3)
    writer = GroupCommitWriter(store, max_batch=2)  # type: ignore[arg-type]
    futures = [writer.enqueue(message(n)) for n in range(1, 6)]
    outcomes = await asyncio.gather(*futures, return_exceptions=True)
    assert [isinstance(o, RuntimeError) for o in outcomes] == [False, False, True, True,
                                                               False]
    assert store.batches == [[1, 2], [3, 4], [5]]


def test_recent_keys_forget_the_oldest() -> None:
    keys = RecentKeys(capacity=2)
    keys.add((1, 2, "", 10), KeyMatch(1, None))
    keys.add((1, 2, "", 11), KeyMatch(2, None))
    keys.add((1, 2, "", 12), KeyMatch(3, None))
    assert keys.get((1, 2, "", 10)) is None
    assert keys.get((1, 2, "", 11)) == KeyMatch(2, None)
    assert keys.get((1, 2, "", 12)) == KeyMatch(3, None)
    assert len(keys) == 2
