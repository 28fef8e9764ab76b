"""A window of sends from one connection shares one commit (and one inbox write), and the
Acks still come back in the order the messages were sent."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from prim.generated.prim.v1 import MsgType
from prim.runtime.storage.models import InsertResult, Message
from tests.api.conftest import RunningNode
from tests.message.wire_users import befriend, dial, make_user, next_frame, text

pytestmark = pytest.mark.anyio


@pytest.mark.single_node
async def test_a_window_of_sends_shares_commits_and_acks_stay_in_order(
        running_node: RunningNode) -> None:
    rn = running_node
    storage = rn.node.storage
    assert storage is not None
    alice, bob = await make_user(rn), await make_user(rn)
    await befriend(rn, alice, bob)
    batches: list[int] = []
    insert_many = storage.messages.insert_many

    async def counting(messages: Sequence[Message]) -> list[InsertResult]:
        batches.append(len(messages))
        return await insert_many(messages)

    storage.messages.insert_many = counting  # type: ignore[method-assign]
    inbox_writes: list[int] = []
    record = storage.inbox.record_inbox_entries

    async def counting_inbox(entries: Sequence[tuple[int, int, int, int]]) -> None:
        inbox_writes.append(len(entries))
        await record(entries)

    storage.inbox.record_inbox_entries = counting_inbox  # type: ignore[method-assign]
    a = await dial(rn, alice)
    try:
        frames = [text(alice, bob.user_id, f"m{i}") for i in range(64)]
        for frame in frames:  # all at once, no waiting for Acks
            await a.send(frame)
        acks = [await next_frame(a, timeout=15) for _ in frames]
    finally:
        await a.close()
        storage.messages.insert_many = insert_many  # type: ignore[method-assign]
        storage.inbox.record_inbox_entries = record  # type: ignore[method-assign]
    assert [f.type for f in acks] == [MsgType.ACK] * len(frames)
    assert [f.timestamp for f in acks] == [f.timestamp for f in frames]  # in order
    assert [f.seqnum for f in acks] == sorted(f.seqnum for f in acks)
    assert sum(batches) == len(frames)
    assert len(batches) < len(frames) // 4  # commits were shared, not one per message
    assert sum(inbox_writes) == 2 * len(frames)  # both users' inboxes, for every message
    assert len(inbox_writes) < len(frames) // 4  # and written together too
