"""The inbox side of persisting a message: once a message is in the database, the inboxes
of those it concerns note it (both users of a one-to-one channel, since the sender's other
devices learn of the conversation the same way; every member of a group). Done here, after
the write, so the inbox never names a message that history lacks."""

from __future__ import annotations

from prim.runtime.storage.models import Message, is_group_id
from prim.runtime.storage.ports import OnlineState, SocialStore


class InboxRecorder:
    def __init__(self, online: OnlineState, social: SocialStore) -> None:
        self._online = online
        self._social = social

    async def __call__(self, message: Message) -> None:
        if is_group_id(message.receiver):
            for member in await self._social.list_member_ids(message.receiver):
                await self._online.record_inbox(member, message.receiver, message.seqnum,
                                                message.server_ts)
            return
        await self._online.record_inbox(message.receiver, message.sender, message.seqnum,
                                        message.server_ts)
        if message.sender:
            await self._online.record_inbox(message.sender, message.receiver, message.seqnum,
                                            message.server_ts)
