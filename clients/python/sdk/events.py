"""The events a `PrimClient` yields, decoded from wire frames and from history alike.

Every sequenced event carries its place in a conversation: `conversation` is the id the
application names it by (the other user, or the group), `seqnum` its position there, and
`timestamp` the server's time in ms. Live frames and history rows decode through the same
`decode()`, so an application cannot tell a gap-filled message from a live one except by
`from_history`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypeVar

import betterproto2

from prim.generated.constants import is_group_id
from prim.generated.prim.v1 import (
    ChatMessage,
    EditPayload,
    Error,
    ErrorCode,
    FriendEvent,
    FriendEventKind,
    GroupEvent,
    GroupEventKind,
    MediaRef,
    MsgType,
    ReadReceiptPayload,
    RelationshipEvent,
    WithdrawPayload,
)
from prim.generated.wire import MSG_TYPE_INFO, MsgCategory, PayloadError, parse_payload
from prim.runtime.wire.frame import Frame

#: Text and media: handed over as they are (a media payload is a MediaRef to download).
_CONTENT = frozenset(t for t, info in MSG_TYPE_INFO.items()
                     if info.category == MsgCategory.CONTENT)
#: The content types whose payload is a MediaRef to an upload of that kind.
_MEDIA = frozenset(t for t, info in MSG_TYPE_INFO.items() if info.media_types)


def conversation_of(sender: int, receiver: int, me: int) -> int:
    """The id a conversation is named by from `me`'s side: the group, else the other user."""
    if is_group_id(receiver):
        return receiver
    return receiver if sender == me else sender


@dataclass(frozen=True, slots=True)
class Sequenced:
    conversation: int
    sender: int
    receiver: int
    seqnum: int
    timestamp: int  # server time, ms since the epoch
    from_history: bool
    # The frame's type and payload as the server sent them (what the local store keeps).
    wire_type: int = field(repr=False)
    wire_payload: bytes = field(repr=False)

    @property
    def time(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp / 1000, tz=dt.UTC)

    @property
    def in_group(self) -> bool:
        return is_group_id(self.receiver)


@dataclass(frozen=True, slots=True)
class Message(Sequenced):
    """Content: Text / Meme (`text`), or File / Image / Video / Audio (`media`)."""

    type: MsgType
    payload: bytes
    edited_at_ms: int = 0
    withdrawn: bool = False

    @property
    def text(self) -> str:
        return self.payload.decode("utf-8", errors="replace")

    @property
    def media(self) -> MediaRef | None:
        return payload_of(self.type, self.payload, MediaRef) if self.type in _MEDIA else None


@dataclass(frozen=True, slots=True)
class Edited(Sequenced):
    target_seqnum: int
    new_payload: bytes

    @property
    def new_text(self) -> str:
        return self.new_payload.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class Withdrawn(Sequenced):
    target_seqnum: int


@dataclass(frozen=True, slots=True)
class FriendNotice(Sequenced):
    """A friend request, its answer, or the end of a friendship."""

    kind: FriendEventKind
    requester_id: int
    target_id: int
    message: str
    removed: bool  # RemoveFriend rather than AddFriend


@dataclass(frozen=True, slots=True)
class GroupNotice(Sequenced):
    kind: GroupEventKind
    group_id: int
    user_id: int
    actor_id: int
    message: str


@dataclass(frozen=True, slots=True)
class RelationshipNotice(Sequenced):
    user_id: int
    blocked: bool


@dataclass(frozen=True, slots=True)
class SystemNotice(Sequenced):
    text: str


@dataclass(frozen=True, slots=True)
class RemoteInvoke(Sequenced):
    """A server-initiated call to the client; the payload's meaning is the application's."""

    payload: bytes


@dataclass(frozen=True, slots=True)
class Other(Sequenced):
    """A sequenced type this SDK does not know (one newer than it), or a payload that does
    not parse as its type's message."""

    type: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class ReadReceipt:
    """`reader` has read `conversation` up to `seqnum` (not sequenced itself)."""

    conversation: int
    reader: int
    seqnum: int


@dataclass(frozen=True, slots=True)
class Typing:
    conversation: int
    user_id: int


@dataclass(frozen=True, slots=True)
class ErrorNotice:
    """An Error frame that answered none of our pending sends, or (`offline`) BeOffline:
    the server is closing the connection on purpose and `message` says why; `code` says
    what follows (BE_OFFLINE: the client reconnects by itself, to another node if this one
    is draining; UNAUTHENTICATED: the session was signed out, log in again)."""

    code: ErrorCode
    message: str
    ref_timestamp_ms: int = 0
    offline: bool = False


@dataclass(frozen=True, slots=True)
class ConnectionNotice:
    """The wire connection changed state: "connected", "disconnected", "reconnected" or
    "failed" (it will not come back by itself; `detail` says why)."""

    state: str
    detail: str = ""


#: The events that have a place (seqnum) in a conversation.
SequencedEvent = (Message | Edited | Withdrawn | FriendNotice | GroupNotice | RelationshipNotice
                  | SystemNotice | RemoteInvoke | Other)
ChatEvent = SequencedEvent | ReadReceipt | Typing | ErrorNotice | ConnectionNotice


def decode(type_: int, sender: int, receiver: int, seqnum: int, timestamp: int,
           payload: bytes, me: int, *, from_history: bool = False, edited_at_ms: int = 0,
           withdrawn: bool = False) -> SequencedEvent:
    """A sequenced frame or history row as an event (a payload that does not parse as its
    type's message becomes `Other`, never an exception)."""
    head = (conversation_of(sender, receiver, me), sender, receiver, seqnum, timestamp,
            from_history, type_, payload)
    try:
        kind = MsgType(type_)
        if kind in _CONTENT:
            return Message(*head, type=kind, payload=payload, edited_at_ms=edited_at_ms,
                           withdrawn=withdrawn)
        if kind == MsgType.SYSTEM_MESSAGE:
            return SystemNotice(*head, text=payload.decode("utf-8", errors="replace"))
        if kind == MsgType.REMOTE_INVOKE:
            return RemoteInvoke(*head, payload=payload)
        # The spec says which message each other type carries (PayloadError: it is not).
        match parse_payload(kind, payload):
            case EditPayload() as edit:
                return Edited(*head, target_seqnum=edit.target_seqnum,
                              new_payload=edit.new_payload)
            case WithdrawPayload() as withdraw:
                return Withdrawn(*head, target_seqnum=withdraw.target_seqnum)
            case FriendEvent() as f:
                return FriendNotice(*head, kind=f.kind, requester_id=f.requester_id,
                                    target_id=f.target_id, message=f.message,
                                    removed=kind == MsgType.REMOVE_FRIEND)
            case GroupEvent() as g:
                return GroupNotice(*head, kind=g.kind, group_id=g.group_id, user_id=g.user_id,
                                   actor_id=g.actor_id, message=g.message)
            case RelationshipEvent() as r:
                return RelationshipNotice(*head, user_id=r.user_id, blocked=r.blocked)
    except (ValueError, KeyError, IndexError):
        pass  # a payload that is not what its type says: handed over undecoded
    return Other(*head, type=type_, payload=payload)


def decode_frame(frame: Frame, me: int) -> ChatEvent:
    """A frame the server delivered (not an Ack) as an event."""
    if frame.type in (MsgType.ERROR, MsgType.BE_OFFLINE, MsgType.INTERNAL_ERROR):
        error = _error(frame.type, frame.payload)
        return ErrorNotice(error.code, error.message, error.ref_timestamp_ms,
                           offline=frame.type == MsgType.BE_OFFLINE)
    if frame.type == MsgType.READ_RECEIPT:
        receipt = payload_of(frame.type, frame.payload, ReadReceiptPayload)
        seqnum = receipt.seqnum if receipt is not None else 0
        return ReadReceipt(conversation_of(frame.sender, frame.receiver, me), frame.sender,
                           seqnum)
    if frame.type == MsgType.TYPING:
        return Typing(conversation_of(frame.sender, frame.receiver, me), frame.sender)
    return decode(frame.type, frame.sender, frame.receiver, frame.seqnum, frame.timestamp,
                  frame.payload, me)


def decode_history(message: ChatMessage, me: int) -> SequencedEvent:
    return decode(message.type, message.sender, message.receiver, message.seqnum,
                  message.timestamp_ms, message.payload, me, from_history=True,
                  edited_at_ms=message.edited_at_ms, withdrawn=message.withdrawn)


def _error(type_: int, payload: bytes) -> Error:
    error = payload_of(type_, payload, Error)
    if error is None:
        return Error(code=ErrorCode.UNSPECIFIED, message=payload.decode("utf-8", "replace"))
    return error


M = TypeVar("M", bound=betterproto2.Message)


def payload_of(type_: int, payload: bytes, cls: type[M]) -> M | None:
    """The payload of a frame of type `type_` read as the spec says (parse_payload: the
    declared class, strictly), if it is a `cls`; None when it does not parse."""
    try:
        message = parse_payload(type_, payload)
    except PayloadError:
        return None
    return message if isinstance(message, cls) else None
