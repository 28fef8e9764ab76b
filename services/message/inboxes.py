"""Which inboxes a stored message reaches: both users of a one-to-one channel (the sender's
other devices learn of the conversation the same way), every member of a group. The one
rule, applied by the embedded pipeline right after its write, and by the msgprocessor
after persisting the log on a cluster (so an inbox never names a message history lacks)."""

from __future__ import annotations

from collections.abc import Sequence

from prim.runtime.storage.models import Message, is_group_id
from prim.runtime.storage.ports import InboxStore
from prim.runtime.storage.social_changes import SocialReads


class InboxRecorder:
    def __init__(self, inbox: InboxStore, social: SocialReads) -> None:
        self._inbox = inbox
        self._social = social

    async def __call__(self, message: Message) -> None:
        if is_group_id(message.receiver):
            members = await self._social.list_member_ids(message.receiver)
            await self.group(members, message.receiver, message.seqnum, message.server_ts)
        else:
            await self.pair(message.sender, message.receiver, message.seqnum,
                            message.server_ts)

    async def pair(self, sender: int, receiver: int, seqnum: int, ts: int) -> None:
        await self._inbox.record_inbox(receiver, sender, seqnum, ts)
        if sender:
            await self._inbox.record_inbox(sender, receiver, seqnum, ts)

    async def group(self, members: Sequence[int], group_id: int, seqnum: int,
                    ts: int) -> None:
        await self._inbox.record_inbox_many(members, group_id, seqnum, ts)
