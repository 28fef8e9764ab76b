"""`PrimClient`: the SDK's facade. It wires the session (HTTP, token), the `Connection`
(wire, resend, reconnect) and the `GapTracker` together and offers what an application
calls:

    client = await PrimClient.log_in("http://127.0.0.1:8080", 10001, "secret")
    await client.connect(ca_file="prim-data/tls/ca.pem")
    sent = await client.send_text(10002, "hi")
    async for event in client:            # Message, FriendNotice, GroupNotice, ...
        ...

The event stream is where gaps are filled: when a delivered seqnum jumps, the missing
range is fetched with ListHistory and yielded first, in order; after a reconnect the inbox
names the conversations that moved while the client was away and their news is yielded
the same way. Each sequenced event is yielded once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from prim.generated import constants as rules
from prim.generated.google.api import HttpBody
from prim.generated.http_client import PrimApiError, PrimHttpClient
from prim.generated.prim.v1 import (
    AcceptFriendRequestRequest,
    ApproveJoinRequestRequest,
    ChatMessage,
    CreateGroupRequest,
    Direction,
    EditPayload,
    ErrorCode,
    Friend,
    FriendRequest,
    GetInboxRequest,
    GetMyNodeRequest,
    GetUserRequest,
    Group,
    InboxEntry,
    JoinRequest,
    ListFriendRequestsRequest,
    ListFriendsRequest,
    ListHistoryRequest,
    ListJoinRequestsRequest,
    ListMembersRequest,
    ListMyGroupsRequest,
    MediaRef,
    Member,
    MsgType,
    PublicProfile,
    ReadMarker,
    RejectFriendRequestRequest,
    RejectJoinRequestRequest,
    RequestDirection,
    RequestToJoinRequest,
    SendFriendRequestRequest,
    SetReadMarkerRequest,
    UploadFileRequest,
    WithdrawPayload,
)
from prim.generated.wire import MSG_TYPE_INFO
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.asyncio.connect import TRANSPORTS, connect
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.settings import wall_clock_ms

from .connection import Acked, Backoff, Connection, Reconnected
from .errors import ConnectionLost, NotConnected, SendRefused
from .events import (
    ChatEvent,
    ConnectionNotice,
    ErrorNotice,
    ReadReceipt,
    Sequenced,
    SequencedEvent,
    decode,
    decode_frame,
    decode_history,
)
from .gaps import GapTracker
from .session import Session, log_in, log_out, sign_up
from .store import Store

log = logging.getLogger("prim.sdk")
# Seconds gap filling waits for history to catch up with the live stream (a cluster
# persists messages shortly after their Ack; a single node before it).
HISTORY_LAG = 5.0
# Gaps up to this size are expected to fill completely (concurrent senders); larger ones
# are allowed to stay empty (numbers a restarted seqnum service skipped).
SMALL_GAP = 64
_PAGE = rules.LIST_HISTORY_REQUEST_PAGE_SIZE_MAXIMUM  # ListHistory's largest page
# The media kinds by the top-level type they take ("image" -> IMAGE), from the spec's
# MsgTypeInfo.media_types; anything else goes as a File ("*/*").
_MEDIA_KINDS = {pattern.split("/", 1)[0]: MsgType(type_)
                for type_, info in MSG_TYPE_INFO.items() for pattern in info.media_types
                if pattern != "*/*"}


@dataclass(frozen=True, slots=True)
class Sent:
    seqnum: int
    server_timestamp_ms: int
    timestamp: int  # the client timestamp it was sent (and resent) with
    duplicate: bool  # Acked as a resend: the server had stored it already


class PrimClient:
    def __init__(self, session: Session, http: PrimHttpClient, *, ack_timeout: float = 5.0,
                 send_timeout: float = 60.0, backoff: Backoff | None = None,
                 store: Store | None = None) -> None:
        self.session = session
        self.http = http
        self.user_id = session.user_id
        http.set_user_id(session.user_id)
        self.tracker = GapTracker()
        self.connection = Connection(self._dial, ack_timeout=ack_timeout,
                                     send_timeout=send_timeout, backoff=backoff,
                                     on_ack=self._acked)
        #: What this account kept from earlier runs (None: nothing is kept).
        self.store = store
        self._outbox: asyncio.Task[list[Sent | BaseException]] | None = None
        if store is not None:
            for conversation, synced in store.synced().items():
                self.tracker.cover(conversation, synced)
            store.save_session(session)
            for frame in store.outbox(session.device_id):
                self.connection.used_timestamp(frame.timestamp)
        self._trust: Trust | None = None
        self._transports: tuple[str, ...] = TRANSPORTS
        self._address: tuple[str, int] | None = None  # the node GetMyNode named last
        self._fallback: tuple[str, int] | None = None

    # -- accounts ----------------------------------------------------------------------

    @classmethod
    async def sign_up(cls, base_url: str, nickname: str, password: str, *,
                      device_name: str = "python sdk", ack_timeout: float = 5.0,
                      send_timeout: float = 60.0, backoff: Backoff | None = None,
                      store_dir: str | Path | None = None) -> PrimClient:
        """Creates an account and logs in to it (`client.user_id` is the new user id).
        With `store_dir`, the account's local store lives there (see store.py)."""
        http = PrimHttpClient(base_url)
        try:
            user_id = await sign_up(http, nickname, password)
            session = await log_in(http, base_url, user_id, password, device_name)
        except BaseException:
            await http.aclose()
            raise
        return cls(session, http, ack_timeout=ack_timeout, send_timeout=send_timeout,
                   backoff=backoff, store=_store(store_dir, session))

    @classmethod
    async def log_in(cls, base_url: str, user_id: int, password: str, *,
                     device_name: str = "python sdk", ack_timeout: float = 5.0,
                     send_timeout: float = 60.0, backoff: Backoff | None = None,
                     store_dir: str | Path | None = None) -> PrimClient:
        """A new device session of `user_id`; with `store_dir`, its local store (the
        same file on every log-in of that account: history shows at once, the outbox is
        resent on connect)."""
        http = PrimHttpClient(base_url)
        try:
            session = await log_in(http, base_url, user_id, password, device_name)
        except BaseException:
            await http.aclose()
            raise
        return cls(session, http, ack_timeout=ack_timeout, send_timeout=send_timeout,
                   backoff=backoff, store=_store(store_dir, session))

    @classmethod
    def resume(cls, store_dir: str | Path, base_url: str, user_id: int, *,
               ack_timeout: float = 5.0, send_timeout: float = 60.0,
               backoff: Backoff | None = None) -> PrimClient:
        """The device session saved in the account's store by an earlier run, without
        logging in (the same device: its outbox is resent on connect). Raises
        ConnectionLost when none is saved or it has expired."""
        store = Store.for_account(store_dir, base_url, user_id)
        session = store.session()
        if session is None or session.expires_at_ms <= wall_clock_ms():
            store.close()
            raise ConnectionLost(f"no valid saved session of {user_id} in {store_dir}: "
                                 "log in")
        http = PrimHttpClient(base_url)
        http.set_token(session.access_token)
        return cls(session, http, ack_timeout=ack_timeout, send_timeout=send_timeout,
                   backoff=backoff, store=store)

    async def log_out(self) -> None:
        """Revokes this session's token and closes the client."""
        await self.connection.close()
        await log_out(self.http)
        await self.http.aclose()
        if self.store is not None:
            self.store.close()

    # -- the wire connection -----------------------------------------------------------

    async def connect(self, *, ca_file: str | Path | None = None, pin_sha256: str | None = None,
                      ready_line: str | None = None, gateway: str | None = None,
                      transports: tuple[str, ...] = TRANSPORTS) -> None:
        """Opens the real-time connection to the node GetMyNode names. The server's
        certificate is checked against `ca_file`, `pin_sha256`, or the `ca_cert` of a
        `prim serve` ready line; there is no unverified mode. `gateway` ("host:port", or
        the ready line's "quic") is used when the API cannot name a node."""
        if ready_line is not None:
            ready = json.loads(ready_line)
            ca_file = ca_file if ca_file is not None else ready["ca_cert"]
            gateway = gateway or ready.get("quic")
        self._fallback = _split(gateway) if gateway else None
        self._trust = Trust(ca_file=Path(ca_file) if ca_file is not None else None,
                            pin_sha256=pin_sha256)
        self._transports = transports
        since = self.store.server_time if self.store is not None else 0
        await self.connection.open(catch_up_since=since)
        queued = self.store.outbox(self.session.device_id) if self.store is not None else []
        if queued:
            self._outbox = asyncio.create_task(self._resend(queued), name="prim-sdk-outbox")

    async def _resend(self, frames: list[Frame]) -> list[Sent | BaseException]:
        """Sends an earlier run's un-Acked frames again, as they were (same timestamp: the
        server stores each once)."""
        async def one(frame: Frame) -> Sent:
            return await self._send_frame(frame)

        return list(await asyncio.gather(*(one(f) for f in frames), return_exceptions=True))

    async def outbox_sent(self) -> list[Sent | BaseException]:
        """What resending the outbox of an earlier run gave, once it is done (each frame's
        `Sent`, or why it failed); [] when there was nothing to resend."""
        return await self._outbox if self._outbox is not None else []

    async def _dial(self) -> Client:
        assert self._trust is not None
        try:
            node = await self.http.nodes.get_my_node(GetMyNodeRequest())
            host, port = _split(node.quic_address or node.tcp_address)
            self._address = (host, port)
        except PrimApiError as exc:
            if exc.code in (ErrorCode.UNAUTHENTICATED, ErrorCode.PERMISSION_DENIED):
                raise ConnectionLost(f"the session is no longer valid: {exc.message}; "
                                     "log in again") from exc
            host, port = self._known_address(exc)
        except httpx.HTTPError as exc:
            host, port = self._known_address(exc)  # the API is away: try the node we knew
        if host in ("", "0.0.0.0", "::"):
            host = urlsplit(self.session.base_url).hostname or "127.0.0.1"
        return await connect(host, port, token=self.session.access_token,
                             user_id=self.user_id, trust=self._trust,
                             transports=self._transports)

    def _known_address(self, cause: Exception) -> tuple[str, int]:
        address = self._address or self._fallback
        if address is None:
            raise cause
        log.info("GetMyNode failed (%s); connecting to %s:%d", cause, *address)
        return address

    @property
    def node_address(self) -> str | None:
        """host:port of the message node the wire connection was last dialled to."""
        return f"{self._address[0]}:{self._address[1]}" if self._address else None

    async def close(self) -> None:
        """Closes the connection and the HTTP client (the session stays valid)."""
        await self.connection.close()
        await self.http.aclose()
        if self.store is not None:
            self.store.set_synced(self.tracker.known())
            self.store.close()

    async def __aenter__(self) -> PrimClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    # -- sending -----------------------------------------------------------------------

    async def send_text(self, peer_id: int, text: str) -> Sent:
        """Sends a text to a user or group and waits for the Ack (resending on timeouts
        and reconnects; see Connection). Raises SendRefused (e.g. not friends),
        SendTimeout, ConnectionLost, NotConnected."""
        return await self.send(MsgType.TEXT, peer_id, text.encode("utf-8"))

    async def send_file(self, peer_id: int, path: str | Path, *, caption: str = "",
                        content_type: str | None = None) -> Sent:
        """Uploads a file (UploadFile) and sends it as a File, Image, Video or Audio
        message by its content type (guessed from the name when not given)."""
        path = Path(path)
        content_type = content_type or mimetypes.guess_type(path.name)[0] or (
            "application/octet-stream")
        kind = _MEDIA_KINDS.get(content_type.split("/", 1)[0], MsgType.FILE)
        info = await self.http.files.upload_file(UploadFileRequest(
            kind=kind, name=path.name,
            content=HttpBody(content_type=content_type, data=path.read_bytes())))
        media = MediaRef(file_id=info.file_id, content_type=info.content_type, size=info.size,
                         name=info.name, sha256=info.sha256, caption=caption)
        return await self.send(kind, peer_id, bytes(media))

    async def edit_text(self, peer_id: int, seqnum: int, text: str) -> Sent:
        """Replaces the text of one's own message `seqnum` (an Edit, sequenced itself)."""
        payload = EditPayload(target_seqnum=seqnum, new_payload=text.encode("utf-8"))
        return await self.send(MsgType.EDIT, peer_id, bytes(payload))

    async def withdraw(self, peer_id: int, seqnum: int) -> Sent:
        return await self.send(MsgType.WITHDRAW, peer_id,
                               bytes(WithdrawPayload(target_seqnum=seqnum)))

    async def send(self, type_: MsgType, peer_id: int, payload: bytes) -> Sent:
        frame = Frame(type=type_, sender=self.user_id, receiver=peer_id,
                      timestamp=self.connection.next_timestamp(), payload=payload)
        if self.store is not None:
            # Kept until its Ack: the next run resends it if this one cannot.
            self.store.queue(frame, self.session.device_id)
        return await self._send_frame(frame)

    async def _send_frame(self, frame: Frame) -> Sent:
        try:
            acked = await self.connection.send(frame)
        except SendRefused:
            if self.store is not None:
                self.store.dequeue(frame.timestamp)  # resending would not help
            raise
        return Sent(acked.seqnum, acked.server_timestamp_ms, frame.timestamp, acked.duplicate)

    async def typing(self, peer_id: int) -> None:
        """Tells a conversation that this user is typing (live only, no Ack; the server
        throttles it). Dropped silently while disconnected."""
        await self.connection.notify(Frame(type=MsgType.TYPING, sender=self.user_id,
                                           receiver=peer_id,
                                           timestamp=self.connection.next_timestamp()))

    def _acked(self, frame: Frame, acked: Acked) -> None:
        # Our own message has its place in the conversation: not a gap, not news.
        self.tracker.mark(frame.receiver, acked.seqnum)
        if self.store is not None:
            self.store.add(decode(frame.type, frame.sender, frame.receiver, acked.seqnum,
                                  acked.server_timestamp_ms, frame.payload, self.user_id))
            self.store.dequeue(frame.timestamp)

    # -- receiving ---------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[ChatEvent]:
        return self.events()

    async def events(self) -> AsyncIterator[ChatEvent]:
        """Everything that arrives, in order, with gaps filled from history; ends when the
        client is closed or the connection gives up (after a "failed" notice). With a
        store, each event is kept there before it is yielded."""
        async for event in self._events():
            if self.store is not None:
                self._keep(event, self.store)
            yield event

    def _keep(self, event: ChatEvent, store: Store) -> None:
        if isinstance(event, Sequenced):
            store.add(event)
            synced = self.tracker.last(event.conversation)
            if synced is not None:
                store.set_synced({event.conversation: synced})
        elif isinstance(event, ReadReceipt):
            store.set_read_by(event.conversation, event.reader, event.seqnum)

    async def _events(self) -> AsyncIterator[ChatEvent]:
        if self._trust is None:
            raise NotConnected("not connected: call connect() first")
        while True:
            item = await self.connection.incoming.get()
            if item is None:
                return
            if isinstance(item, ConnectionNotice):
                yield item
            elif isinstance(item, Reconnected):
                async for event in self._catch_up(item.since):
                    yield event
            else:
                event = decode_frame(item, self.user_id)
                if not isinstance(event, Sequenced):
                    yield event
                    continue
                if self.tracker.seen(event.conversation, event.seqnum):
                    continue  # already yielded (from history, or delivered twice)
                gap = self.tracker.gap_before(event.conversation, event.seqnum)
                if gap is not None:
                    async for missed in self._fill(gap.conversation, gap.first, gap.last,
                                                   live=event.seqnum):
                        yield missed
                self.tracker.mark(event.conversation, event.seqnum)
                yield event

    async def _fill(self, conversation: int, first: int, last: int,
                    live: int = 0) -> AsyncIterator[ChatEvent]:
        """The messages in [first, last] not yet seen, oldest first, from history.

        `live` is the seqnum that revealed the gap. On a cluster, history follows the live
        stream by the persistence lag, and each message node persists its own messages,
        so a channel's history can fill out of order: while history lacks `live`, or a
        small gap still has holes, the range is fetched again (for up to HISTORY_LAG
        seconds) rather than taken as empty."""
        try:
            rows = await self._history_range(conversation, first, live or last)
            waited, delay = 0.0, 0.05
            while live and waited < HISTORY_LAG and _incomplete(rows, first, last, live):
                await asyncio.sleep(delay)
                waited, delay = waited + delay, min(delay * 2, 0.5)
                rows = await self._history_range(conversation, first, live)
            rows = [r for r in rows if r.seqnum <= last]
        except (PrimApiError, httpx.HTTPError) as exc:
            # Left open: the next message in this conversation tries again.
            yield ErrorNotice(ErrorCode.UNAVAILABLE,
                              f"could not fetch missed messages {first}..{last} of "
                              f"{conversation}: {exc}")
            return
        for event in self._unseen(rows):
            yield event
        self.tracker.cover(conversation, last)

    async def _catch_up(self, since: int) -> AsyncIterator[ChatEvent]:
        """After a reconnect: what moved while the connection was down."""
        try:
            entries = await self.inbox(since_ms=since)
            for entry in entries:
                known = self.tracker.last(entry.peer_id)
                if known is not None:
                    if entry.last_seqnum > known:
                        async for event in self._fill(entry.peer_id, known + 1,
                                                      entry.last_seqnum):
                            yield event
                    continue
                for event in self._unseen(await self._history_since(entry.peer_id, since)):
                    yield event
        except (PrimApiError, httpx.HTTPError) as exc:
            yield ErrorNotice(ErrorCode.UNAVAILABLE, f"could not catch up after reconnecting "
                                                     f"(the next message fills the gap): {exc}")

    def _unseen(self, rows: list[ChatMessage]) -> list[SequencedEvent]:
        out: list[SequencedEvent] = []
        for row in rows:
            event = decode_history(row, self.user_id)
            conversation = event.conversation
            if not self.tracker.mark(conversation, event.seqnum):
                continue
            if event.sender == self.user_id and self.connection.pending_to(conversation):
                continue  # our own send whose Ack is still on its way
            out.append(event)
        return out

    async def _history_range(self, peer_id: int, first: int, last: int) -> list[ChatMessage]:
        rows: list[ChatMessage] = []
        token = ""
        while True:
            page = await self.http.messages.list_history(ListHistoryRequest(
                peer_id=peer_id, from_seqnum=first, to_seqnum=last,
                direction=Direction.FORWARD, page_size=_PAGE, page_token=token))
            rows.extend(page.messages)
            token = page.next_page_token
            if not token:
                return rows

    async def _history_since(self, peer_id: int, since: int) -> list[ChatMessage]:
        """A conversation's messages from `since` (server ms) on, oldest first."""
        rows: list[ChatMessage] = []
        token = ""
        while True:
            page = await self.http.messages.list_history(ListHistoryRequest(
                peer_id=peer_id, direction=Direction.BACKWARD, page_size=_PAGE,
                page_token=token))
            recent = [m for m in page.messages if m.timestamp_ms >= since]
            rows.extend(recent)
            token = page.next_page_token
            if len(recent) < len(page.messages) or not token:
                break
        rows.reverse()
        return rows

    # -- history and inbox -------------------------------------------------------------

    async def history(self, peer_id: int, *, limit: int = 50,
                      before: int = 0) -> list[SequencedEvent]:
        """Up to `limit` messages of a conversation up to seqnum `before` (0: the newest),
        oldest first."""
        page = await self.http.messages.list_history(ListHistoryRequest(
            peer_id=peer_id, from_seqnum=before, direction=Direction.BACKWARD,
            page_size=limit))
        return [decode_history(m, self.user_id) for m in reversed(page.messages)]

    async def inbox(self, *, since_ms: int = 0) -> list[InboxEntry]:
        """Conversations with news since `since_ms` (ms; 0: since this user was last online),
        every page of them."""
        entries: list[InboxEntry] = []
        token = ""
        while True:
            page = await self.http.messages.get_inbox(GetInboxRequest(
                since_ms=since_ms, page_size=200, page_token=token))
            entries.extend(page.entries)
            token = page.next_page_token
            if not token:
                return entries

    async def mark_read(self, peer_id: int, seqnum: int) -> ReadMarker:
        """Moves this user's read marker of a conversation up to `seqnum` (it never moves
        back); `peer_id` is the other user, a group, or this user for their notifications."""
        marker = await self.http.messages.set_read_marker(
            SetReadMarkerRequest(peer_id=peer_id, seqnum=seqnum))
        if self.store is not None:
            self.store.set_read(peer_id, marker.seqnum)
        return marker

    # -- people and groups (thin wrappers over the generated client) ---------------------

    async def user(self, user_id: int) -> PublicProfile:
        return await self.http.users.get_user(GetUserRequest(user_id=user_id))

    async def add_friend(self, user_id: int, message: str = "") -> FriendRequest:
        return await self.http.friends.send_friend_request(
            SendFriendRequestRequest(user_id=user_id, message=message))

    async def friend_requests(self, direction: RequestDirection = RequestDirection.INCOMING,
                              ) -> list[FriendRequest]:
        answer = await self.http.friends.list_friend_requests(
            ListFriendRequestsRequest(direction=direction))
        return list(answer.requests)

    async def accept_friend(self, requester_id: int) -> FriendRequest:
        return await self.http.friends.accept_friend_request(
            AcceptFriendRequestRequest(requester_id=requester_id))

    async def reject_friend(self, requester_id: int, reason: str = "") -> FriendRequest:
        return await self.http.friends.reject_friend_request(
            RejectFriendRequestRequest(requester_id=requester_id, reason=reason))

    async def friends(self) -> list[Friend]:
        out: list[Friend] = []
        token = ""
        while True:
            page = await self.http.friends.list_friends(ListFriendsRequest(page_token=token))
            out.extend(page.friends)
            token = page.next_page_token
            if not token:
                return out

    async def create_group(self, name: str, join_password: str = "") -> Group:
        return await self.http.groups.create_group(
            CreateGroupRequest(name=name, join_password=join_password))

    async def join_group(self, group_id: int, message: str = "",
                         password: str = "") -> JoinRequest:
        return await self.http.groups.request_to_join(
            RequestToJoinRequest(group_id=group_id, message=message, password=password))

    async def join_requests(self, group_id: int) -> list[JoinRequest]:
        answer = await self.http.groups.list_join_requests(
            ListJoinRequestsRequest(group_id=group_id))
        return list(answer.requests)

    async def approve_join(self, group_id: int, user_id: int) -> JoinRequest:
        return await self.http.groups.approve_join_request(
            ApproveJoinRequestRequest(group_id=group_id, user_id=user_id))

    async def reject_join(self, group_id: int, user_id: int, reason: str = "") -> JoinRequest:
        return await self.http.groups.reject_join_request(
            RejectJoinRequestRequest(group_id=group_id, user_id=user_id, reason=reason))

    async def members(self, group_id: int) -> list[Member]:
        out: list[Member] = []
        token = ""
        while True:
            page = await self.http.groups.list_members(
                ListMembersRequest(group_id=group_id, page_token=token))
            out.extend(page.members)
            token = page.next_page_token
            if not token:
                return out

    async def my_groups(self) -> list[Group]:
        out: list[Group] = []
        token = ""
        while True:
            page = await self.http.groups.list_my_groups(ListMyGroupsRequest(page_token=token))
            out.extend(page.groups)
            token = page.next_page_token
            if not token:
                return out


def _store(directory: str | Path | None, session: Session) -> Store | None:
    if directory is None:
        return None
    return Store.for_account(directory, session.base_url, session.user_id)


def _split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def _incomplete(rows: list[ChatMessage], first: int, last: int, live: int) -> bool:
    """Whether history may still be filling in: it lacks the live message, or a small
    gap [first, last] has holes."""
    have = {r.seqnum for r in rows}
    if live not in have:
        return True
    return last - first < SMALL_GAP and any(n not in have for n in range(first, last + 1))
