"""The domain records the storage ports exchange: small frozen dataclasses.

Their enums (FriendStatus, GroupRole, RequestState) and the id and channel-key rules
(GROUP_ID_BASE, is_group_id, channel_key, FRIEND_REQUEST_TTL_MS) are the spec's generated
ones, re-exported here for the storage adapters. Times are integer milliseconds since the
Unix epoch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from prim.generated.constants import FRIEND_REQUEST_TTL_MS as FRIEND_REQUEST_TTL_MS
from prim.generated.constants import GROUP_ID_BASE as GROUP_ID_BASE
from prim.generated.constants import channel_key as channel_key
from prim.generated.constants import is_group_id as is_group_id
from prim.generated.prim.v1 import FriendStatus as FriendStatus
from prim.generated.prim.v1 import GroupRole as GroupRole
from prim.generated.prim.v1 import JoinRequestState

#: Returns "now" in milliseconds since the epoch; injected so tests never sleep.
Clock = Callable[[], int]

T = TypeVar("T")

#: The state of a friend request or a group join request: the spec's JoinRequestState
#: (friend requests have the same three states and keep them in the same numbers, which the
#: spec's FriendRequestState repeats for the API).
RequestState = JoinRequestState


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
