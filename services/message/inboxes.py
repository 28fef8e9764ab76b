"""Which inboxes a stored message reaches: both users of a one-to-one channel (the sender's
other devices learn of the conversation the same way), every member of a group. The one
rule, applied by the embedded pipeline right after its write, and by the msgprocessor
after persisting the log on a cluster (so an inbox never names a message history lacks).

A group message is one entry, the group's own news, whatever the group's size: members'
inboxes are derived from it and their membership when read (InboxStore). Entries are
written in batches: the entries of every message that arrives while a write is under way
go together in the next one (one store write for many messages, as the group commit does
for the messages themselves).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from prim.runtime.storage.models import Message, is_group_id
from prim.runtime.storage.ports import InboxStore

_Entry = tuple[int, int, int, int]  # (inbox owner, peer, seqnum, server timestamp)


class InboxRecorder:
    def __init__(self, inbox: InboxStore) -> None:
        self._inbox = inbox
        self._batch: _Batch | None = None  # collecting, written next
        self._writer: asyncio.Task[None] | None = None

    async def messages(self, messages: Sequence[Message]) -> None:
        """The entries of many stored messages in one write (the msgprocessor's batch:
        awaiting one message at a time would write them one by one)."""
        await self._write([e for m in messages for e in _entries(m)])

    async def pair(self, sender: int, receiver: int, seqnum: int, ts: int) -> None:
        await self._write(_pair_entries(sender, receiver, seqnum, ts))

    async def group(self, group_id: int, seqnum: int, ts: int) -> None:
        await self._write([(group_id, group_id, seqnum, ts)])

    async def _write(self, entries: list[_Entry]) -> None:
        batch = self._batch
        if batch is None:
            batch = self._batch = _Batch([], asyncio.get_running_loop().create_future())
        batch.entries += entries
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_batches(), name="prim-inboxes")
        await asyncio.shield(batch.done)

    async def _write_batches(self) -> None:
        try:
            while self._batch is not None:
                batch, self._batch = self._batch, None
                try:
                    await self._inbox.record_inbox_entries(batch.entries)
                except Exception as exc:  # each message's own retry follows (after_commit)
                    batch.done.set_exception(exc)
                    batch.done.exception()
                else:
                    batch.done.set_result(None)
        finally:
            self._writer = None


def _entries(message: Message) -> list[_Entry]:
    if is_group_id(message.receiver):
        return [(message.receiver, message.receiver, message.seqnum, message.server_ts)]
    return _pair_entries(message.sender, message.receiver, message.seqnum, message.server_ts)


def _pair_entries(sender: int, receiver: int, seqnum: int, ts: int) -> list[_Entry]:
    entries = [(receiver, sender, seqnum, ts)]
    if sender:
        entries.append((sender, receiver, seqnum, ts))
    return entries


class _Batch:
    __slots__ = ("done", "entries")

    def __init__(self, entries: list[_Entry],
                 done: asyncio.Future[None]) -> None:
        self.entries = entries
        self.done = done
