"""MessageService: the inbox, history paging by seqnum, read markers, and edit / withdraw
over HTTP. A conversation is named by `peer_id` from the caller's side; for a user peer the
channel is `channel_key(caller, peer)`, which always contains the caller, and for a group
the caller must be a member (so nobody reads a conversation they are not part of).

Choices:
- GetInbox lists every conversation with news since `since_ms` (0: the user's last-online
  time), read or not, newest first, in pages: a device that was away must sync them all,
  and `unread_count` says which are unread. It counts the content messages of others
  after the read marker (capped at UNREAD_CAP), never the seqnum distance: seqnums jump
  after a restart by design. A group's news is stored once for all its members: the caller's
  groups (and, for each, news since they joined) are what it shows; groups the caller has
  left are left out.
- SetReadMarker follows the wire ReadReceipt's rule (services/message/read_receipts.py):
  the caller must be allowed to write to the conversation, a seqnum beyond its last
  message is clamped to the last one, and a marker never moves backwards.
- ReadMarker.updated_at_ms: the inbox store keeps no time with a marker, so it is the
  time of the SetReadMarker call that moved the marker, and 0 when unknown (GetReadMarker,
  or a SetReadMarker that left the marker where it was).
- Edit and withdraw go through services/message/changes.py, the same rule the wire gateway
  applies; the Edit/Withdraw frame (sender = caller, receiver = peer or group, a fresh
  millisecond timestamp) is sequenced through SchedulerService.Relay.
"""

from __future__ import annotations

from prim.generated import constants as rules
from prim.generated.interfaces import MessageServiceInterface
from prim.generated.prim.v1 import (
    ChatMessage,
    Direction,
    EditMessageRequest,
    EditPayload,
    ErrorCode,
    GetInboxRequest,
    GetInboxResponse,
    GetReadMarkerRequest,
    Header,
    InboxEntry,
    ListHistoryRequest,
    ListHistoryResponse,
    MsgType,
    NotifyRequest,
    ReadMarker,
    SetReadMarkerRequest,
    WireFrame,
    WithdrawMessageRequest,
    WithdrawPayload,
)
from prim.generated.wire import MAX_SEQNUM, PROTOCOL_VERSION
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.models import Message, channel_key, is_group_id
from prim.runtime.wire.frame import Frame
from prim.services.api import paging
from prim.services.api.notify import Notifier
from prim.services.api.server import ApiServer
from prim.services.message.changes import CONTENT_TYPES, MessageChanges
from prim.services.message.read_receipts import ReadReceipts

#: unread_count stops counting here (a badge shows "999+"; counting further costs reads).
UNREAD_CAP = 1000
#: Every seqnum is below this (the header's seqnum field is 50 bits wide).
_SEQNUM_END = MAX_SEQNUM + 1


def chat_message(message: Message) -> ChatMessage:
    return ChatMessage(sender=message.sender, receiver=message.receiver,
                       type=MsgType(message.type), seqnum=message.seqnum,
                       timestamp_ms=message.server_ts, payload=message.payload,
                       extension=message.extension, edited_at_ms=message.edited_at or 0,
                       withdrawn=message.withdrawn)


_EVERY_TYPE = frozenset(MsgType)


class MessageServiceImpl(MessageServiceInterface):
    def __init__(self, api: ApiServer) -> None:
        self._api = api
        self._messages = api.storage.messages
        self._online = api.storage.online
        self._inbox = api.storage.inbox
        self._notify = Notifier(api.scheduler)
        self._changes = MessageChanges(messages=api.storage.messages,
                                       social=api.storage.social, clock=api.clock,
                                       persist_wait=api.persist_wait)
        self._receipts = ReadReceipts(inbox=api.storage.inbox, social=api.storage.social,
                                      changes=self._changes)

    # -- inbox and history -------------------------------------------------------------

    async def get_inbox(self, request: GetInboxRequest, ctx: CallContext) -> GetInboxResponse:
        me = ctx.user_id
        size = paging.page_size(
            request.page_size, rules.GET_INBOX_REQUEST_PAGE_SIZE_DEFAULT_VALUE,
            rules.GET_INBOX_REQUEST_PAGE_SIZE_MAXIMUM)
        start = paging.decode_token(request.page_token)
        since = request.since_ms or (await self._online.get_last_online(me) or 0)
        # A group's news counts from the time one joined it; groups one left are not listed.
        groups = {m.group_id: m.joined_at
                  for m in await self._api.storage.social.list_memberships(me)}
        page = await self._inbox.get_inbox(me, since, groups=groups, offset=start.after,
                                           limit=size)
        news = page.items
        channels = [channel_key(me, n.peer_id) for n in news]
        markers = await self._inbox.get_read_markers(me, channels)
        entries: list[InboxEntry] = []
        for item, channel in zip(news, channels, strict=True):
            last = max(item.last_seqnum, await self._messages.last_seqnum(channel))
            read = markers.get(channel, 0)
            newest = await self._messages.get(channel, last)
            # One's own notification stream holds only notices to oneself: each counts.
            own = item.peer_id == me
            unread = await self._messages.count_after(
                channel, read, UNREAD_CAP, types=_EVERY_TYPE if own else CONTENT_TYPES,
                not_from=0 if own else me)
            entries.append(InboxEntry(
                peer_id=item.peer_id, is_group=is_group_id(item.peer_id), last_seqnum=last,
                read_seqnum=read, unread_count=unread,
                last_message=None if newest is None else chat_message(newest)))
        return GetInboxResponse(
            entries=entries,
            next_page_token=paging.encode_token(paging.next_position(page.next_after)))

    async def list_history(self, request: ListHistoryRequest,
                           ctx: CallContext) -> ListHistoryResponse:
        channel = await self._channel(request.peer_id, ctx.user_id)
        limit = paging.page_size(
            request.page_size, rules.LIST_HISTORY_REQUEST_PAGE_SIZE_DEFAULT_VALUE,
            rules.LIST_HISTORY_REQUEST_PAGE_SIZE_MAXIMUM)
        # The spec's generated validator bounded the seqnums and the direction already.
        stop = request.to_seqnum
        # A token names the seqnum the page starts at; without one, from_seqnum does.
        if request.page_token:
            start = paging.decode_token(request.page_token).after
            if start > MAX_SEQNUM:
                raise ApiError(ErrorCode.INVALID_ARGUMENT, "page_token is not one this "
                               "server gave; start again without it", "page_token")
        else:
            start = request.from_seqnum
        if request.direction == Direction.FORWARD:
            if start and stop and stop < start:
                raise ApiError(ErrorCode.INVALID_ARGUMENT, "reading FORWARD, to_seqnum must "
                               "not be below from_seqnum (or 0 for no bound)", "to_seqnum")
            rows = await self._messages.read_forward(channel, max(start, 1), limit + 1)
            rows = [m for m in rows if not stop or m.seqnum <= stop]
        else:  # BACKWARD or UNSPECIFIED
            if start and stop and stop > start:
                raise ApiError(ErrorCode.INVALID_ARGUMENT, "reading BACKWARD, to_seqnum must "
                               "not be above from_seqnum (or 0 for no bound)", "to_seqnum")
            before = start + 1 if start else _SEQNUM_END
            rows = await self._messages.read_backward(channel, before, limit + 1)
            rows = [m for m in rows if m.seqnum >= stop]
        page, rest = rows[:limit], rows[limit:]
        after = paging.Position(after=rest[0].seqnum) if rest else None
        return ListHistoryResponse(messages=[chat_message(m) for m in page],
                                   next_page_token=paging.encode_token(after))

    # -- read markers ------------------------------------------------------------------

    async def get_read_marker(self, request: GetReadMarkerRequest,
                              ctx: CallContext) -> ReadMarker:
        channel = await self._channel(request.peer_id, ctx.user_id)
        markers = await self._inbox.get_read_markers(ctx.user_id, [channel])
        return ReadMarker(peer_id=request.peer_id, seqnum=markers.get(channel, 0))

    async def set_read_marker(self, request: SetReadMarkerRequest,
                              ctx: CallContext) -> ReadMarker:
        await self._channel(request.peer_id, ctx.user_id)
        try:
            move = await self._receipts.mark(ctx.user_id, request.peer_id, request.seqnum)
        except ApiError as exc:
            raise _http_error(exc) from None
        if move.moved:
            # Like a wire ReadReceipt: told live to whom read_receipts.py says.
            receipt = Header(version=PROTOCOL_VERSION, sender=ctx.user_id,
                             receiver=request.peer_id, type=MsgType.READ_RECEIPT,
                             timestamp=self._api.clock())
            await self._api.scheduler.notify(NotifyRequest(
                frame=WireFrame(header=receipt, payload=move.payload()),
                user_ids=move.audience), CallContext())
        return ReadMarker(peer_id=request.peer_id, seqnum=move.seqnum,
                          updated_at_ms=self._api.clock() if move.moved else 0)

    # -- edit and withdraw -------------------------------------------------------------

    async def edit_message(self, request: EditMessageRequest, ctx: CallContext) -> ChatMessage:
        await self._channel(request.peer_id, ctx.user_id)
        edit = EditPayload(target_seqnum=request.seqnum, new_payload=request.new_payload)
        payload = bytes(edit)
        limit = self._api.config.limits.max_payload_bytes
        if len(payload) > limit:
            raise ApiError(ErrorCode.PAYLOAD_TOO_LARGE, f"the edited message takes "
                           f"{len(payload)} bytes on the wire; at most {limit} are allowed",
                           "new_payload")
        frame = self._frame(MsgType.EDIT, ctx.user_id, request.peer_id, payload)
        try:
            edited = await self._changes.edit(frame, edit, self._notify.relay)
        except ApiError as exc:
            raise _http_error(exc) from None
        return await self._result(edited, request.peer_id, ctx.user_id, request.seqnum)

    async def withdraw_message(self, request: WithdrawMessageRequest,
                               ctx: CallContext) -> ChatMessage:
        await self._channel(request.peer_id, ctx.user_id)
        withdraw = WithdrawPayload(target_seqnum=request.seqnum)
        frame = self._frame(MsgType.WITHDRAW, ctx.user_id, request.peer_id, bytes(withdraw))
        try:
            withdrawn = await self._changes.withdraw(frame, withdraw, self._notify.relay)
        except ApiError as exc:
            raise _http_error(exc) from None
        return await self._result(withdrawn, request.peer_id, ctx.user_id, request.seqnum)

    async def _result(self, changed: Message | None, peer: int, me: int,
                      seqnum: int) -> ChatMessage:
        """The changed message, re-read if the store's answer was empty (a withdraw that
        raced an edit): what history now shows."""
        if changed is None:
            changed = await self._messages.get(channel_key(me, peer), seqnum)
        if changed is None:
            raise ApiError(ErrorCode.NOT_FOUND, f"message {seqnum} is gone", "seqnum")
        return chat_message(changed)

    def _frame(self, kind: MsgType, sender: int, receiver: int, payload: bytes) -> Frame:
        """A control frame as a client would send it, but without a timestamp: the
        scheduler stamps it under its per-start relay device, so its idempotency key is
        one no earlier change used, before or after a restart (a timestamp remembered here
        would start over with the process)."""
        return Frame(type=kind, sender=sender, receiver=receiver, timestamp=0, payload=payload)

    # -- access ------------------------------------------------------------------------

    async def _channel(self, peer_id: int, me: int) -> str:
        """The channel of the caller's conversation with ``peer_id``, if they may read it."""
        if is_group_id(peer_id):
            social = self._api.storage.social
            if await social.get_group(peer_id) is None:
                raise ApiError(ErrorCode.NOT_FOUND, f"there is no group {peer_id}", "peer_id")
            if await social.get_member(peer_id, me) is None:
                raise ApiError(ErrorCode.PERMISSION_DENIED, f"you are not a member of group "
                               f"{peer_id}; only members read and change its messages",
                               "peer_id")
        return channel_key(me, peer_id)




def _http_error(exc: ApiError) -> ApiError:
    """changes.py names the frame's parts; over HTTP the target is the request's "seqnum"
    and the conversation its "peer_id"."""
    field = {"target_seqnum": "seqnum", "receiver": "peer_id"}.get(exc.field, exc.field)
    return ApiError(exc.code, exc.message, field)
