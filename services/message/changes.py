"""Edit and Withdraw (spec/PROTOCOL.md section 5), whichever transport asked: the wire
gateway for Edit/Withdraw frames, the api's MessageService for the HTTP endpoints.

The rule, in order: the target must be a content message of the same channel that is not
withdrawn; only its author may edit it, and the author (or a group admin/owner) may
withdraw it; the author must still be allowed to write to the channel (who-may-write,
section 4). Then the target is changed in the store and the Edit/Withdraw message is
sequenced into the channel, so that a device that receives the Edit and then reads history
finds the change already there (a failure in between leaves the change without its
notification, never the reverse). An Edit that loses a race to a Withdraw of its target
is refused (FAILED_PRECONDITION) and neither sequenced nor delivered. An Edit's new payload
obeys the content rule of its target's type (`check_content`, the one rule a fresh message
of that type obeys too). Recognising a resent Edit/Withdraw frame is the wire gateway's
business (it answers with the first copy's Ack before calling this).

Refusals are `ApiError`s; each transport answers them its own way (an Error frame, an HTTP
error body). Their `field` names the frame part at fault: "target_seqnum" for the target
and who may change it, "receiver" for who may write to the conversation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from prim.generated.prim.v1 import EditPayload, ErrorCode, MediaRef, WithdrawPayload
from prim.generated.wire import (
    MAX_SEQNUM,
    MSG_TYPE_INFO,
    MsgCategory,
    PayloadError,
    PayloadKind,
    parse_payload,
)
from prim.runtime.errors import ApiError
from prim.runtime.storage.models import Clock, GroupRole, Message, channel_key, is_group_id
from prim.runtime.storage.ports import MessageStore
from prim.runtime.storage.social_changes import SocialReads
from prim.runtime.wire.frame import Frame

#: The types Edit and Withdraw may refer to: the content range of the spec's MsgType.
CONTENT_TYPES = frozenset(t for t, info in MSG_TYPE_INFO.items()
                          if info.category == MsgCategory.CONTENT)

#: How far below a channel's newest stored seqnum a missing message may still be on its way.
RECENT_WINDOW = 64

#: Sequences, stores and delivers a frame (the pipeline, directly or through the relay).
Sequencer = Callable[[Frame], Awaitable[object]]

#: A channel's newest seqnum handed out, stored or not (SeqnumService.Newest on a cluster).
NewestSeqnum = Callable[[str], Awaitable[int]]


def check_content(type_: int, payload: bytes, field: str = "payload") -> None:
    """The content rule of a message type (a fresh message's payload, or the new payload of
    an Edit of one): text is non-empty valid UTF-8, media a MediaRef naming a file."""
    info = MSG_TYPE_INFO.get(type_)
    if info is None:
        return
    if info.payload == PayloadKind.MESSAGE:  # media: a MediaRef to an uploaded file
        try:
            ref = parse_payload(type_, payload)
        except PayloadError:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, f"the {field} is not a valid MediaRef",
                           field) from None
        if not isinstance(ref, MediaRef) or not ref.file_id:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, "MediaRef.file_id is required", field)
    elif info.payload == PayloadKind.UTF8:
        try:
            payload.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, f"the {field} is not valid UTF-8",
                           field) from None
        if not payload:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, "an empty message cannot be sent", field)


class MessageChanges:
    def __init__(self, *, messages: MessageStore, social: SocialReads, clock: Clock,
                 persist_wait: float = 0.0, newest: NewestSeqnum | None = None) -> None:
        """`persist_wait`: seconds to wait for a target that is not stored yet but may be
        on its way (on a cluster, messages reach the database shortly after their Ack, so
        an Edit right after the send would otherwise find nothing); 0: no waiting.
        `newest`: the channel's newest seqnum handed out, so that a number never handed out
        is refused at once and a receipt is clamped to a message not stored yet; without
        it, the stored messages (after waiting) stand for both."""
        self._messages = messages
        self._social = social
        self._clock = clock
        self._persist_wait = persist_wait
        self._newest = newest

    async def authorize_write(self, sender: int, receiver: int) -> None:
        """Who may write (PROTOCOL.md section 4): group members; between users, friends
        whom the receiver has not blocked."""
        if is_group_id(receiver):
            await self.require_member(receiver, sender)
            return
        if receiver == sender or receiver == 0:
            raise ApiError(ErrorCode.INVALID_ARGUMENT,
                           "receiver must be another user or a group", "receiver")
        if await self._social.is_blocked(receiver, sender):
            raise ApiError(ErrorCode.BLOCKED, f"user {receiver} has blocked you", "receiver")
        if await self._social.get_friend(sender, receiver) is None:
            raise ApiError(ErrorCode.PERMISSION_DENIED,
                           f"user {receiver} is not your friend; send a friend request first",
                           "receiver")

    async def require_member(self, group_id: int, user_id: int) -> None:
        if await self._social.get_member(group_id, user_id) is None:
            raise ApiError(ErrorCode.PERMISSION_DENIED,
                           f"you are not a member of group {group_id}", "receiver")

    async def target(self, frame: Frame, target_seqnum: int) -> Message:
        """The message an Edit or Withdraw frame refers to, in the frame's channel."""
        if target_seqnum == 0:
            raise ApiError(ErrorCode.INVALID_ARGUMENT,
                           "target_seqnum must name the message to change (it is 0)",
                           "target_seqnum")
        if target_seqnum > MAX_SEQNUM:  # past every seqnum (and the stores' integers)
            raise ApiError(ErrorCode.INVALID_ARGUMENT,
                           f"target_seqnum is past the largest seqnum ({MAX_SEQNUM})",
                           "target_seqnum")
        channel = channel_key(frame.sender, frame.receiver)
        target = await self._messages.get(channel, target_seqnum)
        if target is None and self._persist_wait > 0 and (
                self._newest is None or target_seqnum <= await self._newest(channel)):
            target = await self._await_persisted(channel, target_seqnum)
        if target is None or target.type not in CONTENT_TYPES:
            raise ApiError(ErrorCode.NOT_FOUND,
                           f"no message {target_seqnum} to change in this conversation",
                           "target_seqnum")
        if target.withdrawn:
            raise ApiError(ErrorCode.FAILED_PRECONDITION,
                           f"message {target_seqnum} was withdrawn", "target_seqnum")
        return target

    async def _await_persisted(self, channel: str, seqnum: int) -> Message | None:
        """Waits up to `persist_wait` for a message that may be on its way: above the
        channel's newest stored one, or just below it (each message node persists its own
        messages, so a channel's history can fill out of order). Further below, a missing
        number is a gap that stays empty: no waiting."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._persist_wait
        delay = 0.01
        while True:
            found = await self._messages.get(channel, seqnum)
            if found is not None:
                return found
            if await self._messages.last_seqnum(channel) - seqnum >= RECENT_WINDOW:
                return None
            if loop.time() + delay > deadline:
                return None
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.2)

    async def newest_up_to(self, channel: str, seqnum: int) -> int:
        """The channel's newest seqnum: handed out, when `newest` was given; else stored,
        after waiting up to `persist_wait` for it to reach `seqnum` (a message just Acked
        may not be stored yet on a cluster)."""
        if self._newest is not None:
            return await self._newest(channel)
        last = await self._messages.last_seqnum(channel)
        if last >= seqnum or self._persist_wait <= 0:
            return last
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._persist_wait
        delay = 0.01
        while last < seqnum and loop.time() + delay <= deadline:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.2)
            last = await self._messages.last_seqnum(channel)
        return last

    async def edit(self, frame: Frame, edit: EditPayload, sequence: Sequencer) -> Message:
        """Applies the Edit ``frame`` (its parsed payload is ``edit``); returns the edited
        target. A target withdrawn meanwhile (the store's edit finds it withdrawn) is
        FAILED_PRECONDITION, and the Edit is not sequenced."""
        target = await self.target(frame, edit.target_seqnum)
        if target.sender != frame.sender:
            raise ApiError(ErrorCode.PERMISSION_DENIED, "only the author may edit a message",
                           "target_seqnum")
        check_content(target.type, edit.new_payload, "new_payload")
        await self.authorize_write(frame.sender, frame.receiver)
        edited = await self._messages.edit(target.channel, edit.target_seqnum,
                                           edit.new_payload, self._clock())
        if edited is None:
            raise ApiError(ErrorCode.FAILED_PRECONDITION,
                           f"message {edit.target_seqnum} was withdrawn", "target_seqnum")
        await sequence(frame)
        return edited

    async def withdraw(self, frame: Frame, withdraw: WithdrawPayload,
                       sequence: Sequencer) -> Message | None:
        """Applies the Withdraw ``frame``; returns the withdrawn target."""
        target = await self.target(frame, withdraw.target_seqnum)
        if target.sender != frame.sender:
            member = None
            if is_group_id(frame.receiver):
                member = await self._social.get_member(frame.receiver, frame.sender)
            if member is None or member.role not in (GroupRole.ADMIN, GroupRole.OWNER):
                raise ApiError(ErrorCode.PERMISSION_DENIED,
                               "only the author or a group admin may withdraw a message",
                               "target_seqnum")
        else:
            await self.authorize_write(frame.sender, frame.receiver)
        withdrawn = await self._messages.withdraw(target.channel, withdraw.target_seqnum)
        await sequence(frame)
        return withdrawn
