"""The PRIM wire header codec and message-type table. Generated from the spec by
`make gen` (codegen/emitters/wire_py.py): do not edit."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

import betterproto2

# Ids at or above this are groups; user ids are below it.
from prim.generated.constants import GROUP_ID_BASE as GROUP_ID_BASE
from prim.generated.protobuf_strict import EncodingError, FieldShape, check_encoding
from prim.generated.prim.v1 import AckPayload, EditPayload, Error, FriendEvent, GroupEvent, MediaRef, MsgType, ReadReceiptPayload, RelationshipEvent, WithdrawPayload

HEADER_SIZE = 32
PROTOCOL_VERSION = 1
# Every version a header may carry (PRIM's clients send 0); others are refused.
SUPPORTED_PROTOCOL_VERSIONS = frozenset({0, 1})

MAX_VERSION = 262143
MAX_SENDER = 70368744177663
MAX_NODE_ID = 262143
MAX_RECEIVER = 70368744177663
MAX_TYPE = 4095
MAX_EXTENSION_LENGTH = 63
MAX_TIMESTAMP = 70368744177663
MAX_PAYLOAD_LENGTH = 16383
MAX_SEQNUM = 1125899906842623


class MsgCategory(IntEnum):
    SYSTEM = 1
    CONTENT = 2
    CONTROL = 3
    LOGIC = 4
    BUSINESS = 5
    INTERNAL = 6


class PayloadKind(IntEnum):
    EMPTY = 1
    UTF8 = 2
    BYTES = 3
    MESSAGE = 4


@dataclass(frozen=True, slots=True)
class MsgTypeInfo:
    """What the spec says about one message type."""

    category: MsgCategory
    sequenced: bool
    payload: PayloadKind
    payload_message: str  # fully qualified protobuf name, "" unless payload is MESSAGE
    from_client: bool
    from_server: bool
    # the media types an upload of this kind may have ("image/*", "*/*"); () = no upload
    media_types: tuple[str, ...] = ()


MSG_TYPE_INFO: dict[int, MsgTypeInfo] = {
    MsgType.NA: MsgTypeInfo(
        category=MsgCategory.SYSTEM,
        sequenced=False,
        payload=PayloadKind.EMPTY,
        payload_message='',
        from_client=False,
        from_server=False,
    ),
    MsgType.ACK: MsgTypeInfo(
        category=MsgCategory.SYSTEM,
        sequenced=False,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.AckPayload',
        from_client=False,
        from_server=True,
    ),
    MsgType.TEXT: MsgTypeInfo(
        category=MsgCategory.CONTENT,
        sequenced=True,
        payload=PayloadKind.UTF8,
        payload_message='',
        from_client=True,
        from_server=True,
    ),
    MsgType.MEME: MsgTypeInfo(
        category=MsgCategory.CONTENT,
        sequenced=True,
        payload=PayloadKind.UTF8,
        payload_message='',
        from_client=True,
        from_server=True,
    ),
    MsgType.FILE: MsgTypeInfo(
        category=MsgCategory.CONTENT,
        sequenced=True,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.MediaRef',
        from_client=True,
        from_server=True,
        media_types=('*/*',),
    ),
    MsgType.IMAGE: MsgTypeInfo(
        category=MsgCategory.CONTENT,
        sequenced=True,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.MediaRef',
        from_client=True,
        from_server=True,
        media_types=('image/*',),
    ),
    MsgType.VIDEO: MsgTypeInfo(
        category=MsgCategory.CONTENT,
        sequenced=True,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.MediaRef',
        from_client=True,
        from_server=True,
        media_types=('video/*',),
    ),
    MsgType.AUDIO: MsgTypeInfo(
        category=MsgCategory.CONTENT,
        sequenced=True,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.MediaRef',
        from_client=True,
        from_server=True,
        media_types=('audio/*',),
    ),
    MsgType.EDIT: MsgTypeInfo(
        category=MsgCategory.CONTROL,
        sequenced=True,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.EditPayload',
        from_client=True,
        from_server=True,
    ),
    MsgType.WITHDRAW: MsgTypeInfo(
        category=MsgCategory.CONTROL,
        sequenced=True,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.WithdrawPayload',
        from_client=True,
        from_server=True,
    ),
    MsgType.AUTH: MsgTypeInfo(
        category=MsgCategory.LOGIC,
        sequenced=False,
        payload=PayloadKind.UTF8,
        payload_message='',
        from_client=True,
        from_server=True,
    ),
    MsgType.PING: MsgTypeInfo(
        category=MsgCategory.LOGIC,
        sequenced=False,
        payload=PayloadKind.EMPTY,
        payload_message='',
        from_client=True,
        from_server=True,
    ),
    MsgType.PONG: MsgTypeInfo(
        category=MsgCategory.LOGIC,
        sequenced=False,
        payload=PayloadKind.EMPTY,
        payload_message='',
        from_client=True,
        from_server=True,
    ),
    MsgType.ECHO: MsgTypeInfo(
        category=MsgCategory.LOGIC,
        sequenced=False,
        payload=PayloadKind.BYTES,
        payload_message='',
        from_client=True,
        from_server=True,
    ),
    MsgType.ERROR: MsgTypeInfo(
        category=MsgCategory.LOGIC,
        sequenced=False,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.Error',
        from_client=False,
        from_server=True,
    ),
    MsgType.BE_OFFLINE: MsgTypeInfo(
        category=MsgCategory.LOGIC,
        sequenced=False,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.Error',
        from_client=False,
        from_server=True,
    ),
    MsgType.INTERNAL_ERROR: MsgTypeInfo(
        category=MsgCategory.LOGIC,
        sequenced=False,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.Error',
        from_client=False,
        from_server=True,
    ),
    MsgType.READ_RECEIPT: MsgTypeInfo(
        category=MsgCategory.LOGIC,
        sequenced=False,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.ReadReceiptPayload',
        from_client=True,
        from_server=True,
    ),
    MsgType.TYPING: MsgTypeInfo(
        category=MsgCategory.LOGIC,
        sequenced=False,
        payload=PayloadKind.EMPTY,
        payload_message='',
        from_client=True,
        from_server=True,
    ),
    MsgType.SYSTEM_MESSAGE: MsgTypeInfo(
        category=MsgCategory.BUSINESS,
        sequenced=True,
        payload=PayloadKind.UTF8,
        payload_message='',
        from_client=False,
        from_server=True,
    ),
    MsgType.ADD_FRIEND: MsgTypeInfo(
        category=MsgCategory.BUSINESS,
        sequenced=True,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.FriendEvent',
        from_client=False,
        from_server=True,
    ),
    MsgType.REMOVE_FRIEND: MsgTypeInfo(
        category=MsgCategory.BUSINESS,
        sequenced=True,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.FriendEvent',
        from_client=False,
        from_server=True,
    ),
    MsgType.JOIN_GROUP: MsgTypeInfo(
        category=MsgCategory.BUSINESS,
        sequenced=True,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.GroupEvent',
        from_client=False,
        from_server=True,
    ),
    MsgType.LEAVE_GROUP: MsgTypeInfo(
        category=MsgCategory.BUSINESS,
        sequenced=True,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.GroupEvent',
        from_client=False,
        from_server=True,
    ),
    MsgType.REMOTE_INVOKE: MsgTypeInfo(
        category=MsgCategory.BUSINESS,
        sequenced=True,
        payload=PayloadKind.BYTES,
        payload_message='',
        from_client=False,
        from_server=True,
    ),
    MsgType.SET_RELATIONSHIP: MsgTypeInfo(
        category=MsgCategory.BUSINESS,
        sequenced=True,
        payload=PayloadKind.MESSAGE,
        payload_message='prim.v1.RelationshipEvent',
        from_client=False,
        from_server=True,
    ),
}


#: The declared fields of each payload message and of the messages they nest, by number:
#: what parse_payload's strict check holds the bytes to.
PAYLOAD_SHAPES: dict[str, dict[int, FieldShape]] = {
    'prim.v1.AckPayload': {
        1: FieldShape('uint64'),
        2: FieldShape('bool'),
    },
    'prim.v1.EditPayload': {
        1: FieldShape('uint64'),
        2: FieldShape('bytes'),
    },
    'prim.v1.Error': {
        1: FieldShape('enum'),
        2: FieldShape('string'),
        3: FieldShape('string'),
        4: FieldShape('uint64'),
        5: FieldShape('uint64'),
        6: FieldShape('message', repeated=True, message='prim.v1.FieldViolation'),
        7: FieldShape('uint32'),
    },
    'prim.v1.FieldViolation': {
        1: FieldShape('string'),
        2: FieldShape('string'),
    },
    'prim.v1.FriendEvent': {
        1: FieldShape('enum'),
        2: FieldShape('uint64'),
        3: FieldShape('uint64'),
        4: FieldShape('string'),
        5: FieldShape('uint64'),
    },
    'prim.v1.GroupEvent': {
        1: FieldShape('enum'),
        2: FieldShape('uint64'),
        3: FieldShape('uint64'),
        4: FieldShape('uint64'),
        5: FieldShape('string'),
    },
    'prim.v1.MediaRef': {
        1: FieldShape('string'),
        2: FieldShape('string'),
        3: FieldShape('uint64'),
        4: FieldShape('string'),
        5: FieldShape('string'),
        6: FieldShape('uint32'),
        7: FieldShape('uint32'),
        8: FieldShape('uint32'),
        9: FieldShape('string'),
    },
    'prim.v1.ReadReceiptPayload': {
        1: FieldShape('uint64'),
    },
    'prim.v1.RelationshipEvent': {
        1: FieldShape('uint64'),
        2: FieldShape('bool'),
    },
    'prim.v1.WithdrawPayload': {
        1: FieldShape('uint64'),
    },
}

#: The class of each payload that is a protobuf message (payload_message), by type.
PAYLOAD_CLASSES: dict[int, type[betterproto2.Message]] = {
    MsgType.ACK: AckPayload,
    MsgType.FILE: MediaRef,
    MsgType.IMAGE: MediaRef,
    MsgType.VIDEO: MediaRef,
    MsgType.AUDIO: MediaRef,
    MsgType.EDIT: EditPayload,
    MsgType.WITHDRAW: WithdrawPayload,
    MsgType.ERROR: Error,
    MsgType.BE_OFFLINE: Error,
    MsgType.INTERNAL_ERROR: Error,
    MsgType.READ_RECEIPT: ReadReceiptPayload,
    MsgType.ADD_FRIEND: FriendEvent,
    MsgType.REMOVE_FRIEND: FriendEvent,
    MsgType.JOIN_GROUP: GroupEvent,
    MsgType.LEAVE_GROUP: GroupEvent,
    MsgType.SET_RELATIONSHIP: RelationshipEvent,
}


class PayloadError(ValueError):
    """A payload is not the protobuf message its type declares."""


def parse_payload(type_: int, payload: bytes) -> betterproto2.Message:
    """The payload of a frame of type `type_` as the message the spec declares for it;
    PayloadError when it does not parse or the type declares no message."""
    cls = PAYLOAD_CLASSES.get(type_)
    if cls is None:
        raise PayloadError(f"message type {type_} has no protobuf payload")
    try:
        check_encoding(payload, MSG_TYPE_INFO[type_].payload_message, PAYLOAD_SHAPES)
    except EncodingError as exc:
        raise PayloadError(f"the payload is not a valid {cls.__name__}: {exc}") from exc
    try:
        return cls.parse(payload)
    except Exception as exc:  # betterproto2 raises several kinds on bad bytes
        raise PayloadError(f"the payload is not a valid {cls.__name__}") from exc


class HeaderFieldOverflow(ValueError):
    """A header field does not fit its bit width."""

    def __init__(self, field: str, value: int, maximum: int) -> None:
        super().__init__(f"header field {field}={value} is outside 0..{maximum}")
        self.field = field
        self.value = value
        self.maximum = maximum


class HeaderTooShort(ValueError):
    """Fewer than HEADER_SIZE bytes were given to decode_header."""


@dataclass(frozen=True, slots=True)
class Header:
    """The 32-byte header: four big-endian 64-bit words.

    word 0: version:18, sender:46
    word 1: node_id:18, receiver:46
    word 2: type:12, extension_length:6, timestamp:46
    word 3: payload_length:14, seqnum:50
    """

    version: int
    sender: int
    node_id: int
    receiver: int
    type: int
    extension_length: int
    timestamp: int
    payload_length: int
    seqnum: int


_WORDS = struct.Struct(">QQQQ")


def encode_header(h: Header) -> bytes:
    """The header's 32 bytes; raises HeaderFieldOverflow for a field past its width."""
    if not 0 <= h.version <= MAX_VERSION:
        raise HeaderFieldOverflow("version", h.version, MAX_VERSION)
    if not 0 <= h.sender <= MAX_SENDER:
        raise HeaderFieldOverflow("sender", h.sender, MAX_SENDER)
    if not 0 <= h.node_id <= MAX_NODE_ID:
        raise HeaderFieldOverflow("node_id", h.node_id, MAX_NODE_ID)
    if not 0 <= h.receiver <= MAX_RECEIVER:
        raise HeaderFieldOverflow("receiver", h.receiver, MAX_RECEIVER)
    if not 0 <= h.type <= MAX_TYPE:
        raise HeaderFieldOverflow("type", h.type, MAX_TYPE)
    if not 0 <= h.extension_length <= MAX_EXTENSION_LENGTH:
        raise HeaderFieldOverflow("extension_length", h.extension_length, MAX_EXTENSION_LENGTH)
    if not 0 <= h.timestamp <= MAX_TIMESTAMP:
        raise HeaderFieldOverflow("timestamp", h.timestamp, MAX_TIMESTAMP)
    if not 0 <= h.payload_length <= MAX_PAYLOAD_LENGTH:
        raise HeaderFieldOverflow("payload_length", h.payload_length, MAX_PAYLOAD_LENGTH)
    if not 0 <= h.seqnum <= MAX_SEQNUM:
        raise HeaderFieldOverflow("seqnum", h.seqnum, MAX_SEQNUM)
    return _WORDS.pack(
        (h.version << 46) | h.sender,
        (h.node_id << 46) | h.receiver,
        (h.type << 52) | (h.extension_length << 46) | h.timestamp,
        (h.payload_length << 50) | h.seqnum,
    )


def decode_header(data: bytes | bytearray | memoryview, offset: int = 0) -> Header:
    """The header at data[offset:offset + HEADER_SIZE]; every bit pattern is a header."""
    if len(data) - offset < HEADER_SIZE:
        raise HeaderTooShort(
            f"a header needs {HEADER_SIZE} bytes, got {max(len(data) - offset, 0)}"
        )
    w0, w1, w2, w3 = _WORDS.unpack_from(data, offset)
    return Header(
        version=w0 >> 46,
        sender=w0 & 0x3fffffffffff,
        node_id=w1 >> 46,
        receiver=w1 & 0x3fffffffffff,
        type=w2 >> 52,
        extension_length=(w2 >> 46) & 0x3f,
        timestamp=w2 & 0x3fffffffffff,
        payload_length=w3 >> 50,
        seqnum=w3 & 0x3ffffffffffff,
    )


HEADER_FIELDS = ('version', 'sender', 'node_id', 'receiver', 'type', 'extension_length', 'timestamp', 'payload_length', 'seqnum')
