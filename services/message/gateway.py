"""The message service's answer to each client frame: what the protocol (spec/PROTOCOL.md
sections 3-5) says happens after the wire runtime has checked framing, Auth order and the
sender id.

Auth is checked against the account store's sessions; each accepted connection is a device
of its user in the router and the online state (at most gateway.max_connections_per_user
per user: on a cluster, the devices the online state has on other live nodes count too),
and is closed when its token expires. Sequenced frames are authorised, handed to the
pipeline and Acked once durable; Edit and Withdraw change their target, then are sequenced
like any message; ReadReceipt (read_receipts.py) and Typing (throttled, typing_throttle.py)
follow the write rules and are relayed live only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import betterproto2

from prim.generated.prim.v1 import (
    EditPayload,
    ErrorCode,
    MsgType,
    ReadReceiptPayload,
    WithdrawPayload,
)
from prim.generated.wire import PayloadError, parse_payload
from prim.runtime.config import Config
from prim.runtime.errors import ApiError
from prim.runtime.storage.factory import Storage
from prim.runtime.storage.models import Clock, is_group_id
from prim.runtime.wire.events import ConnectionClosed
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.handler import AuthRejected, Connection, ConnectionHandler
from prim.services.api.tokens import token_hash
from prim.services.message.changes import (
    CONTENT_TYPES,
    MessageChanges,
    NewestSeqnum,
    check_content,
)
from prim.services.message.metrics import MessageMetrics
from prim.services.message.pipeline import MessagePipeline
from prim.services.message.rate_limit import TokenBucket
from prim.services.message.read_receipts import ReadReceipts
from prim.services.message.replies import OrderedReplies
from prim.services.message.router import ConnectionRouter
from prim.services.message.typing_throttle import TypingThrottle

log = logging.getLogger("prim.message.gateway")


@dataclass(frozen=True, slots=True)
class _Device:
    user_id: int
    device_id: str
    expiry: asyncio.TimerHandle  # closes the connection when its token expires


class MessageGateway(ConnectionHandler):
    def __init__(self, *, storage: Storage, pipeline: MessagePipeline, router: ConnectionRouter,
                 config: Config, clock: Clock, metrics: MessageMetrics | None = None,
                 persist_wait: float = 0.0,
                 newest_seqnum: NewestSeqnum | None = None,
                 peer_is_live: Callable[[int], Awaitable[bool]] | None = None) -> None:
        """`persist_wait`, `newest_seqnum`: see MessageChanges (a cluster node's history
        lags its Acks).
        `peer_is_live(node_id)`: whether another message node of a cluster is live; its
        connections (in the online state) count towards a user's connection limit, while
        an entry of a node that is not is left behind by a dead node and not counted."""
        self._storage = storage
        self._peer_is_live = peer_is_live
        self._pipeline = pipeline
        self._router = router
        self._node_id = config.node.id
        self._clock = clock
        # Who may write (from the cached social reads: no store round trip per message),
        # and Edit/Withdraw: shared with the api's HTTP endpoints.
        self._social = storage.social_reads or storage.social
        self._changes = MessageChanges(messages=storage.messages, social=self._social,
                                       clock=clock, persist_wait=persist_wait,
                                       newest=newest_seqnum)
        self._receipts = ReadReceipts(inbox=storage.inbox, social=self._social,
                                      changes=self._changes)
        self._typing = TypingThrottle(config.limits.typing_interval_seconds)
        self._devices: dict[int, _Device] = {}  # connection id -> its user and device
        self._frames_per_second = config.limits.frames_per_second
        self._max_per_user = config.gateway.max_connections_per_user
        self._buckets: dict[int, TokenBucket] = {}
        self._replies: dict[int, OrderedReplies] = {}  # connection id -> its answers
        self.metrics = metrics or MessageMetrics()

    # -- connection lifecycle ----------------------------------------------------------

    async def on_auth(self, conn: Connection, token: str, sender: int) -> int | AuthRejected:
        session = await self._storage.accounts.get_session(token_hash(token))
        now = self._clock()
        if session is None or not session.active(now):
            return AuthRejected()
        if sender != session.user_id:
            return AuthRejected(ErrorCode.SENDER_MISMATCH,
                                f"the token belongs to user {session.user_id}, not {sender}")
        if await self._open_connections(session.user_id) >= self._max_per_user:
            return AuthRejected(ErrorCode.RATE_LIMITED,
                                f"user {session.user_id} already has {self._max_per_user} "
                                "connections open (gateway.max_connections_per_user)")
        # Everything local is registered before the first await: the runtime calls on_close
        # for this connection from here on, even if it closes while the awaits below run.
        expiry = asyncio.get_running_loop().call_later(
            max(0.0, (session.expires_at - now) / 1000), conn.close,
            ErrorCode.UNAUTHENTICATED, "the access token expired")
        self._devices[conn.id] = _Device(session.user_id, session.device_id, expiry)
        self._buckets[conn.id] = TokenBucket(self._frames_per_second)
        self._replies[conn.id] = OrderedReplies(conn, node_id=self._node_id,
                                                metrics=self.metrics)
        self._router.add(session.user_id, conn)
        self.metrics.connection_opened()
        online = self._storage.online
        try:
            await online.add_connection(session.user_id, session.device_id, self._node_id)
            await online.set_user_node(session.user_id, self._node_id)
        except Exception:
            # The runtime answers INTERNAL and skips on_close: undo here (its local part
            # runs before its first await, so it is undone even if the store stays down).
            with contextlib.suppress(Exception):
                await self.on_close(conn, ConnectionClosed(ErrorCode.INTERNAL,
                                                           "online state unavailable", False))
            raise
        return session.user_id

    async def _open_connections(self, user_id: int) -> int:
        """The user's connections on this node, plus their devices connected to the other
        live nodes of a cluster (the online state keeps one entry per device)."""
        here = len(self._router.connections(user_id))
        if self._peer_is_live is None:
            return here
        elsewhere = [node for node in (await self._storage.online.get_connections(user_id))
                     .values() if node != self._node_id]
        # Asked per node (the directory looks up a node it does not know yet, e.g. one that
        # registered after its last refresh), then counted per device.
        live = {node: await self._peer_is_live(node) for node in set(elsewhere)}
        return here + sum(live[node] for node in elsewhere)

    async def on_close(self, conn: Connection, closed: ConnectionClosed) -> None:
        device = self._devices.pop(conn.id, None)
        self._buckets.pop(conn.id, None)
        self._replies.pop(conn.id, None)
        if device is None:
            return
        device.expiry.cancel()
        self.metrics.connection_closed()
        last = self._router.remove(device.user_id, conn)
        online = self._storage.online
        await online.remove_connection(device.user_id, device.device_id, self._node_id)
        if last:
            await online.set_last_online(device.user_id, self._clock())
            await online.clear_user_node(device.user_id, self._node_id)

    async def disconnect(self, user_id: int, device_id: str, reason: str) -> int:
        """Closes the user's connections on this node (only `device_id`'s when given):
        their session was signed out, so the token must stop working here too. BeOffline
        (code UNAUTHENTICATED) says so first: the person sees why, the client signs in."""
        closing = [conn for conn in self._router.connections(user_id)
                   if not device_id or self._devices[conn.id].device_id == device_id]
        for conn in closing:
            conn.be_offline(ErrorCode.UNAUTHENTICATED, reason)
        return len(closing)

    def notify(self, frame: Frame, user_ids: list[int]) -> int:
        """Live, unsequenced delivery of a frame made elsewhere (the HTTP side)."""
        return self._router.deliver(user_ids, Frame(
            type=frame.type, sender=frame.sender, receiver=frame.receiver,
            timestamp=frame.timestamp, node_id=self._node_id, payload=frame.payload,
            extension=frame.extension))

    # -- frames ------------------------------------------------------------------------

    async def on_frame(self, conn: Connection, frame: Frame) -> None:
        self.metrics.frame_in(frame.type)
        replies = self._replies[conn.id]
        try:
            if not self._buckets[conn.id].take():
                raise ApiError(ErrorCode.RATE_LIMITED,
                              f"slow down: at most {self._frames_per_second} frames a second")
            await self._dispatch(conn, frame, replies)
        except ApiError as refused:
            replies.refuse(frame, refused)
        except _Answered:
            pass

    async def _dispatch(self, conn: Connection, frame: Frame, replies: OrderedReplies) -> None:
        kind = frame.type
        if kind in CONTENT_TYPES:
            check_content(frame.type, frame.payload)
            await replies.room()
            await self._authorize_write(frame)
            result = await self._pipeline.accept(frame, skip_connection=conn.id,
                                                 device=self._devices[conn.id].device_id)
            replies.ack_when_durable(frame, result)
            self._typing.ended(frame.sender, frame.receiver)
            if is_group_id(frame.receiver):
                # A group's fan-out pushes back on its sender (pipeline.fanout_queue).
                await asyncio.wait([result])
        elif kind == MsgType.EDIT:
            await self._edit(conn, frame)
        elif kind == MsgType.WITHDRAW:
            await self._withdraw(conn, frame)
        elif kind == MsgType.READ_RECEIPT:
            await self._read_receipt(conn, frame)
        elif kind == MsgType.TYPING:
            if not self._typing.allow(frame.sender, frame.receiver):
                return
            await self._authorize_write(frame)
            if is_group_id(frame.receiver):
                users = await self._social.list_member_ids(frame.receiver)
            else:
                users = [frame.sender, frame.receiver]
            self._relay_live(conn, frame, users)
        else:
            raise ApiError(ErrorCode.UNKNOWN_TYPE,
                          f"message type {kind} cannot be sent after Auth")

    async def _sequence(self, conn: Connection, frame: Frame) -> int:
        """Stores `frame` through the pipeline and Acks it (in turn); returns its seqnum."""
        result = await self._pipeline.accept(frame, skip_connection=conn.id,
                                             device=self._devices[conn.id].device_id)
        self._replies[conn.id].ack_when_durable(frame, result)
        await asyncio.wait([result])
        if result.exception() is not None:
            raise _Answered()  # its Error is on its way, in turn
        return result.result().seqnum

    async def _authorize_write(self, frame: Frame) -> None:
        await self._changes.authorize_write(frame.sender, frame.receiver)

    async def _already_stored(self, conn: Connection, frame: Frame) -> bool:
        """A resent Edit/Withdraw whose first copy is stored: answer it with its Ack."""
        device = self._devices[conn.id].device_id
        if await self._storage.messages.find_by_idempotency_key(
                frame.sender, frame.receiver, frame.timestamp, device) is None:
            return False
        await self._sequence(conn, frame)
        return True

    # Edit and Withdraw change their target before they are sequenced, so that a device
    # that receives the Edit and then reads history finds the change already there. A
    # failure in between leaves the change without its notification, never the reverse.

    async def _edit(self, conn: Connection, frame: Frame) -> None:
        edit = _parse(EditPayload, frame)
        if await self._already_stored(conn, frame):
            return
        await self._changes.edit(frame, edit, lambda f: self._sequence(conn, f))

    async def _withdraw(self, conn: Connection, frame: Frame) -> None:
        withdraw = _parse(WithdrawPayload, frame)
        if await self._already_stored(conn, frame):
            return
        await self._changes.withdraw(frame, withdraw, lambda f: self._sequence(conn, f))

    async def _read_receipt(self, conn: Connection, frame: Frame) -> None:
        receipt = _parse(ReadReceiptPayload, frame)
        move = await self._receipts.mark(frame.sender, frame.receiver, receipt.seqnum)
        if move.moved:
            self._relay_live(conn, Frame(type=frame.type, sender=frame.sender,
                                         receiver=frame.receiver, payload=move.payload()),
                             move.audience)

    def _relay_live(self, conn: Connection, frame: Frame, users: list[int]) -> None:
        """Unsequenced frames: straight to the online devices, never stored."""
        live = Frame(type=frame.type, sender=frame.sender, receiver=frame.receiver,
                     timestamp=self._clock(), node_id=self._node_id, payload=frame.payload,
                     extension=frame.extension)
        self._router.deliver(users, live, skip_connection=conn.id)


class _Answered(Exception):
    """The frame's answer (its Error) is already queued in its connection's replies."""


_M = TypeVar("_M", bound=betterproto2.Message)


def _parse(cls: type[_M], frame: Frame) -> _M:
    """The frame's payload as the message the spec declares for its type; `cls` is the one
    the calling handler works with (the dispatch sends it only frames of that type)."""
    try:
        payload = parse_payload(frame.type, frame.payload)
    except PayloadError as bad:  # PROTOCOL.md section 2: a message that does not decode
        raise ApiError(ErrorCode.MALFORMED_FRAME, str(bad)) from None
    assert isinstance(payload, cls), f"{frame.type} carries {type(payload).__name__}"
    return payload
