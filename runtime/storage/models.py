"""The domain records the storage ports exchange: small frozen dataclasses and enums.

Enum numbers match the spec (spec/prim/v1/friends.proto, groups.proto) so services can
convert without lookup tables. Times are integer milliseconds since the Unix epoch.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

#: Ids at or above this value are groups; user ids are below it (DESIGN.md section 3).
GROUP_ID_BASE = 1 << 36
#: A friend request stays answerable this long (7 days).
FRIEND_REQUEST_TTL_MS = 7 * 24 * 3600 * 1000

#: Returns "now" in milliseconds since the epoch; injected so tests never sleep.
Clock = Callable[[], int]

T = TypeVar("T")


def is_group_id(entity_id: int) -> bool:
    return entity_id >= GROUP_ID_BASE


def channel_key(sender: int, receiver: int) -> str:
    """The conversation a message belongs to: the unordered user pair, or the group.

    A string because a user pair needs 72 bits; it is also the Kafka partition key and
    the Redis key suffix, so every adapter agrees on it.
    """
    if is_group_id(receiver):
        return f"g{receiver}"
    lo, hi = (sender, receiver) if sender <= receiver else (receiver, sender)
    return f"u{lo}-{hi}"


class FriendStatus(enum.IntEnum):
    NORMAL = 1
    SPECIAL = 2
    MUTED = 3


class GroupRole(enum.IntEnum):
    MEMBER = 1
    ADMIN = 2
    OWNER = 3


class RequestState(enum.IntEnum):
    """State of a friend request or a group join request."""

    PENDING = 1
    APPROVED = 2
    REJECTED = 3


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a keyset-paged listing; pass ``next_after`` back as ``after``."""

    items: Sequence[T]
    #: None on the last page (the store fetched one row beyond the page to know).
    next_after: int | None


@dataclass(frozen=True, slots=True)
class User:
    user_id: int
    nickname: str
    avatar: str
    signature: str
    created_at: int


@dataclass(frozen=True, slots=True)
class Session:
    token_hash: str
    user_id: int
    device_id: str
    created_at: int
    expires_at: int
    revoked: bool

    def active(self, now_ms: int) -> bool:
        return not self.revoked and now_ms < self.expires_at


@dataclass(frozen=True, slots=True)
class Friend:
    """One side of a friendship: how ``user_id`` sees ``peer_id``."""

    user_id: int
    peer_id: int
    remark: str
    status: FriendStatus
    classification: str
    tags: tuple[str, ...]
    since: int


@dataclass(frozen=True, slots=True)
class FriendRequest:
    requester_id: int
    target_id: int
    message: str
    #: The remark the requester will see for the target once accepted.
    remark: str
    state: RequestState
    created_at: int
    expires_at: int


@dataclass(frozen=True, slots=True)
class Group:
    group_id: int
    name: str
    owner_id: int
    avatar: str
    announcement: str
    #: None when joining needs no password. Hashing is the service's job.
    password_hash: str | None
    member_count: int
    created_at: int


@dataclass(frozen=True, slots=True)
class Member:
    group_id: int
    user_id: int
    role: GroupRole
    joined_at: int


@dataclass(frozen=True, slots=True)
class JoinRequest:
    group_id: int
    user_id: int
    message: str
    state: RequestState
    created_at: int
    decided_by: int | None


@dataclass(frozen=True, slots=True)
class Message:
    """A sequenced message as stored and as carried on the message log."""

    channel: str
    seqnum: int
    sender: int
    receiver: int
    type: int
    server_ts: int
    client_ts: int
    payload: bytes
    extension: bytes = b""
    edited_at: int | None = None
    withdrawn: bool = False
    #: The sending device: with sender, receiver and client_ts the idempotency key.
    device: str = ""


@dataclass(frozen=True, slots=True)
class InsertResult:
    """Outcome of writing a message: the seqnum that now stands for it."""

    seqnum: int
    #: False when the message (or one with the same idempotency key) already existed.
    inserted: bool
    #: The stored message with this key has another type or payload (nothing was written).
    conflict: bool = False


@dataclass(frozen=True, slots=True)
class KeyMatch:
    """The stored message an idempotency key names: its seqnum, and the digest of its
    original type and payload (None for messages stored before digests were kept)."""

    seqnum: int
    digest: bytes | None


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """A peer (user id) or group (group id) with news for a user."""

    peer_id: int
    last_seqnum: int
    last_ts: int


@dataclass(frozen=True, slots=True)
class LogRecord:
    """A message read from the message log, with its position for diagnostics."""

    message: Message
    partition: int
    offset: int


@dataclass(frozen=True, slots=True)
class BlobInfo:
    blob_id: str
    sha256: str
    size: int
    content_type: str
    created_at: int
