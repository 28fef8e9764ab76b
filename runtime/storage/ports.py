"""The storage ports: the narrow async interfaces services depend on.

Each port has an embedded adapter (SQLite, in-process or files) and a production adapter
(PostgreSQL, Redis, Kafka); tests/storage runs one contract suite against both. Ports take
and return only the records in models.py, never driver objects. Authorization (who may do
what) is the services' job; the ports enforce data invariants (uniqueness, atomicity,
expiry, monotonic counters).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from .idempotency import IdempotencyKey
from .models import (
    BlobInfo,
    Friend,
    FriendRequest,
    FriendStatus,
    Group,
    GroupRole,
    InboxEntry,
    InsertResult,
    JoinRequest,
    KeyMatch,
    LogRecord,
    Member,
    Message,
    Page,
    RequestState,
    Session,
    User,
)


class Closeable(Protocol):
    async def close(self) -> None: ...


class AccountStore(Protocol):
    """Users, profiles, password hashes and login sessions."""

    async def create_user(
        self, nickname: str, password_hash: str, *, avatar: str = "", signature: str = ""
    ) -> User:
        """Allocates a new user id (below GROUP_ID_BASE)."""

    async def get_user(self, user_id: int) -> User | None: ...

    async def get_users(self, user_ids: Sequence[int]) -> list[User]:
        """The existing users among ``user_ids``, ordered by id."""

    async def update_profile(
        self,
        user_id: int,
        *,
        nickname: str | None = None,
        avatar: str | None = None,
        signature: str | None = None,
    ) -> User:
        """Changes the given fields; raises NotFound for an unknown user."""

    async def get_password_hash(self, user_id: int) -> str | None: ...

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Raises NotFound for an unknown user."""

    async def delete_user(self, user_id: int) -> bool:
        """Deletes the account with its sessions, friendships, requests, blocks and
        memberships; groups it owns are dissolved. Messages stay (history of others)."""

    async def create_session(
        self, token_hash: str, user_id: int, device_id: str, expires_at: int
    ) -> Session:
        """Stores a session keyed by the hash of its token; AlreadyExists on reuse."""

    async def get_session(self, token_hash: str) -> Session | None:
        """The session only while it is active (not revoked, not expired)."""

    async def list_sessions(self, user_id: int) -> list[Session]:
        """The user's active sessions, oldest first."""

    async def revoke_session(self, token_hash: str) -> bool:
        """True when an active session was revoked."""

    async def revoke_user_sessions(
        self, user_id: int, *, except_token_hash: str | None = None
    ) -> int:
        """Revokes every active session of the user (but one); returns how many."""

    async def purge_expired_sessions(self) -> int:
        """Deletes expired and revoked sessions; returns how many."""


class SocialStore(Protocol):
    """Friendships, friend requests, blocks, groups, memberships and join requests."""

    # -- friends -----------------------------------------------------------------------
    async def create_friend_request(
        self, requester_id: int, target_id: int, *, message: str = "", remark: str = ""
    ) -> FriendRequest:
        """AlreadyExists if they are friends or a request is pending in either direction.
        An expired or answered request is replaced."""

    async def get_friend_request(self, requester_id: int, target_id: int) -> FriendRequest | None:
        """The pending, unexpired request from requester to target."""

    async def list_incoming_requests(
        self, user_id: int, *, after: int = 0, limit: int = 50
    ) -> Page[FriendRequest]:
        """Pending unexpired requests to the user, paged by requester id."""

    async def list_outgoing_requests(
        self, user_id: int, *, after: int = 0, limit: int = 50
    ) -> Page[FriendRequest]:
        """Pending unexpired requests from the user, paged by target id."""

    async def accept_friend_request(
        self, requester_id: int, target_id: int, *, remark: str = ""
    ) -> tuple[Friend, Friend]:
        """Creates both directions atomically: (target's view, requester's view).
        ``remark`` is the target's name for the requester. NotFound if no pending,
        unexpired request."""

    async def reject_friend_request(self, requester_id: int, target_id: int) -> bool:
        """Marks the pending request rejected; creates nothing."""

    async def get_friend(self, user_id: int, peer_id: int) -> Friend | None: ...

    async def list_friends(
        self, user_id: int, *, classification: str | None = None, after: int = 0, limit: int = 100
    ) -> Page[Friend]:
        """Paged by peer id."""

    async def update_friend(
        self,
        user_id: int,
        peer_id: int,
        *,
        remark: str | None = None,
        status: FriendStatus | None = None,
        classification: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> Friend:
        """Changes the user's side only; NotFound if not friends."""

    async def remove_friend(self, user_id: int, peer_id: int) -> bool:
        """Ends the friendship on both sides."""

    async def block(self, user_id: int, peer_id: int) -> None:
        """Idempotent."""

    async def unblock(self, user_id: int, peer_id: int) -> bool: ...

    async def is_blocked(self, user_id: int, peer_id: int) -> bool:
        """Whether ``user_id`` has blocked ``peer_id``."""

    async def list_blocked(self, user_id: int) -> list[int]: ...

    # -- groups ------------------------------------------------------------------------
    async def create_group(
        self,
        owner_id: int,
        name: str,
        *,
        password_hash: str | None = None,
        avatar: str = "",
        announcement: str = "",
    ) -> Group:
        """Allocates a group id (GROUP_ID_BASE or above); the owner becomes a member with role
        OWNER."""

    async def get_group(self, group_id: int) -> Group | None: ...

    async def update_group(
        self,
        group_id: int,
        *,
        name: str | None = None,
        avatar: str | None = None,
        announcement: str | None = None,
    ) -> Group: ...

    async def set_group_password(self, group_id: int, password_hash: str | None) -> None:
        """None removes the password."""

    async def delete_group(self, group_id: int) -> bool:
        """Removes the group with its members and join requests."""

    async def transfer_ownership(self, group_id: int, new_owner_id: int) -> Group:
        """The new owner must be a member; the old owner becomes an admin."""

    async def add_member(
        self, group_id: int, user_id: int, role: GroupRole = GroupRole.MEMBER
    ) -> Member:
        """AlreadyExists for a member; NotFound for an unknown group; OWNER is refused
        (use transfer_ownership)."""

    async def remove_member(self, group_id: int, user_id: int) -> bool:
        """FailedPrecondition for the owner."""

    async def set_member_role(self, group_id: int, user_id: int, role: GroupRole) -> Member:
        """Between MEMBER and ADMIN only; FailedPrecondition for the owner or OWNER."""

    async def get_member(self, group_id: int, user_id: int) -> Member | None: ...

    async def list_members(
        self, group_id: int, *, role: GroupRole | None = None, after: int = 0, limit: int = 100
    ) -> Page[Member]:
        """Paged by user id, optionally only one role."""

    async def list_member_ids(self, group_id: int) -> list[int]:
        """Every member id (for fan-out)."""

    async def list_user_groups(
        self, user_id: int, *, after: int = 0, limit: int = 100
    ) -> Page[Group]:
        """The groups the user belongs to, paged by group id."""

    async def list_memberships(self, user_id: int) -> list[Member]:
        """The user's membership of every group they belong to (for their inbox)."""

    async def create_join_request(
        self, group_id: int, user_id: int, *, message: str = ""
    ) -> JoinRequest:
        """AlreadyExists for a member or a pending request; NotFound for no group.
        A rejected request is replaced."""

    async def get_join_request(self, group_id: int, user_id: int) -> JoinRequest | None: ...

    async def list_join_requests(
        self,
        group_id: int,
        *,
        state: RequestState | None = RequestState.PENDING,
        after: int = 0,
        limit: int = 50,
    ) -> Page[JoinRequest]:
        """Paged by user id."""

    async def decide_join_request(
        self, group_id: int, user_id: int, *, approve: bool, decided_by: int
    ) -> JoinRequest:
        """Approving adds the member in the same transaction. NotFound unless pending."""


class MessageStore(Protocol):
    """Every sequenced message, by channel and seqnum."""

    async def insert(self, message: Message) -> InsertResult:
        """Writes the message unless its (channel, seqnum) or its idempotency key
        (sender, receiver, device, client_ts) is already stored; either way returns the
        seqnum now standing for that key, with `conflict` set when the stored message has
        another type or payload. Concurrent writers of one key get one row."""

    async def insert_many(self, messages: Sequence[Message]) -> list[InsertResult]:
        """insert() for a batch, in one transaction (the log consumer's path)."""

    async def find_by_idempotency_key(
        self, sender: int, receiver: int, client_ts: int, device: str = ""
    ) -> KeyMatch | None:
        """The stored message with this idempotency key (a resend's first copy), if any."""

    async def find_by_idempotency_keys(
        self, keys: Sequence[IdempotencyKey]
    ) -> list[KeyMatch | None]:
        """find_by_idempotency_key for many keys in one round trip, in the keys' order."""

    async def get(self, channel: str, seqnum: int) -> Message | None: ...

    async def read_forward(self, channel: str, from_seqnum: int, limit: int) -> list[Message]:
        """Messages with seqnum >= from_seqnum, ascending."""

    async def read_backward(self, channel: str, before_seqnum: int, limit: int) -> list[Message]:
        """Messages with seqnum < before_seqnum, newest first."""

    async def last_seqnum(self, channel: str) -> int:
        """0 for an empty channel."""

    async def count_after(
        self, channel: str, after_seqnum: int, cap: int, *, types: Collection[int],
        not_from: int = 0,
    ) -> int:
        """How many messages above ``after_seqnum`` have one of ``types``, are not
        withdrawn and were not sent by ``not_from``, counting up to ``cap`` (an unread
        count: seqnums have gaps, so their distance says nothing)."""

    async def edit(
        self, channel: str, seqnum: int, payload: bytes, edited_at: int
    ) -> Message | None:
        """Replaces the payload; None if no such message (or it was withdrawn)."""

    async def withdraw(self, channel: str, seqnum: int) -> Message | None:
        """Sets the withdrawn flag and clears the payload; None if no such message."""


class OnlineState(Protocol):
    """Who is connected where, and last-online times (volatile: lost with the process in
    embedded mode, which is fine, since nobody is connected after a restart)."""

    async def add_connection(self, user_id: int, device_id: str, node_id: int) -> None: ...

    async def remove_connection(
        self, user_id: int, device_id: str, node_id: int | None = None
    ) -> bool:
        """With ``node_id``, removes only if the device is still placed on that node, so a
        stale node cleaning up cannot drop the device's newer connection elsewhere."""

    async def get_connections(self, user_id: int) -> dict[str, int]:
        """device id -> node id."""

    async def get_connections_many(self, user_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """get_connections for several users in one round trip (users with none omitted)."""

    async def set_user_node(self, user_id: int, node_id: int) -> None: ...

    async def get_user_node(self, user_id: int) -> int | None: ...

    async def clear_user_node(self, user_id: int, node_id: int | None = None) -> bool: ...

    async def set_last_online(self, user_id: int, ts: int) -> None: ...

    async def get_last_online(self, user_id: int) -> int | None: ...

    async def forget_user(self, user_id: int) -> None:
        """Drops a deleted account's connections, placement and last-online time."""

    async def close(self) -> None: ...


class InboxStore(Protocol):
    """Which conversations have news for a user, and the user's read markers. Durable:
    both must survive a restart like history does (SQLite when embedded, Redis on a
    cluster).

    A group's news is kept once, under the group's own id (an entry whose user and peer
    are the group), not once per member: a group message costs one write whatever the
    group's size, and each member's inbox is derived from it when read (get_inbox's
    `groups`)."""

    async def record_inbox(self, user_id: int, peer_id: int, seqnum: int, ts: int) -> None:
        """Notes news from a peer (user_id = peer_id = a group id: the group's news); the
        seqnum and time only move forward."""

    async def record_inbox_entries(self, entries: Sequence[tuple[int, int, int, int]]) -> None:
        """record_inbox for each (user_id, peer_id, seqnum, ts), in one write."""

    async def get_inbox(
        self, user_id: int, since: int, *, groups: Mapping[int, int] | None = None,
        offset: int = 0, limit: int = 100,
    ) -> Page[InboxEntry]:
        """Peers with news at or after ``since`` and the groups of ``groups`` (group id ->
        the time the user joined it: news older than that is not theirs) with news at or
        after both, most recent first (ties in the store's own stable order); ``offset``
        entries skipped, ``next_after`` the offset of the next page."""

    async def set_read_marker(self, user_id: int, channel: str, seqnum: int) -> int:
        """Moves the marker forward only; returns the marker now stored."""

    async def get_read_markers(self, user_id: int, channels: Sequence[str]) -> dict[str, int]:
        """channel -> marker (0 if never read)."""

    async def forget_user(self, user_id: int) -> None:
        """Drops a deleted account's inbox and read markers."""

    async def close(self) -> None: ...


class LogConsumer(Protocol):
    """One member of a consumer group reading the message log."""

    async def fetch(self, max_records: int = 500, timeout_ms: int = 1000) -> list[LogRecord]:
        """Records after the group's position; empty when none arrived in time."""

    async def commit(self) -> None:
        """Records the position after everything fetched so far for the group."""

    async def rewind(self) -> None:
        """Goes back to the group's committed position: what was fetched since is fetched
        again (after a batch could not be processed)."""

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class LogPosition:
    """Where an appended record landed in the message log (Kafka's partition and offset)."""

    partition: int
    offset: int


class MessageLog(Protocol):
    """The append-only stream of sequenced messages (at-least-once)."""

    async def append(self, message: Message) -> LogPosition:
        """Returns once the log holds the message durably (as durable as the backend)."""

    async def append_many(self, messages: Sequence[Message]) -> list[LogPosition]:
        """append() for a batch, produced concurrently; positions in the order given.
        On an error some of the batch may be in the log already: retrying the whole batch
        is safe (the log is at-least-once)."""

    async def committed(self, group: str) -> dict[int, int]:
        """partition -> the group's committed position, i.e. the offset of the next record
        it will read (0 where it has committed nothing). A record at ``offset <
        committed[partition]`` has been fully processed by the group."""

    async def consumer(self, group: str) -> LogConsumer:
        """Joins ``group``; resumes after the group's last committed position."""

    async def close(self) -> None: ...


class SeqnumStore(Protocol):
    """Persisted segment ceilings per channel section (WeChat seqsvr)."""

    async def load(self) -> dict[int, int]:
        """section -> ceiling, for every section ever saved."""

    async def get(self, section: int) -> int:
        """0 for a section never saved."""

    async def save(self, section: int, ceiling: int) -> int:
        """Durably raises the ceiling (never lowers it); returns the stored ceiling."""

    async def close(self) -> None: ...


class OpenBlob(Protocol):
    """A stored blob opened for reading."""

    @property
    def info(self) -> BlobInfo: ...

    @property
    def size(self) -> int: ...

    @property
    def version(self) -> str:
        """Names the content (its hash)."""

    def chunks(self, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes [start, end) in bounded pieces (to the end when `end` is None)."""


class BlobStore(Protocol):
    """Uploaded media."""

    async def put(self, data: bytes, content_type: str) -> BlobInfo: ...

    async def put_stream(self, chunks: AsyncIterable[bytes], content_type: str,
                         *, max_bytes: int | None = None) -> BlobInfo:
        """Stores the chunks as they come; BlobTooLarge past the limit, nothing kept."""

    async def open(self, blob_id: str) -> OpenBlob | None: ...

    async def get(self, blob_id: str) -> bytes | None: ...

    async def stat(self, blob_id: str) -> BlobInfo | None: ...

    async def delete(self, blob_id: str) -> bool: ...

    async def close(self) -> None: ...


class AttemptCounters(Protocol):
    """Expiring integer counters for abuse limits (password checks per address, backoff per
    account): in process memory for one node, in Redis where several api processes must
    share them. Keys are the caller's; each expires `ttl_ms` after it was last written."""

    async def add(self, key: str, ttl_ms: int) -> int:
        """Adds one to the counter (absent: 0) atomically; returns the new value."""

    async def get(self, key: str) -> int:
        """The value, 0 when absent or expired."""

    async def put(self, key: str, value: int, ttl_ms: int) -> None: ...

    async def delete(self, *keys: str) -> None: ...

    async def close(self) -> None: ...
