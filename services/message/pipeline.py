"""The send path every sequenced message takes, whoever sent it (a client over the wire, or
the api relaying a business message): sequence, make durable, then fan out.

1. Idempotency: a message is identified by (sender, receiver, client timestamp). A resend
   whose key is in flight, recently stored, or found by the store's own key check gets the
   original seqnum and nothing is delivered twice.
2. Sequencing: the channel's next seqnum from the allocator; store order and delivery order
   follow seqnum order within a channel.
3. Durability: the durable writer holds it before `submit` returns; the caller Acks after.
   Embedded, that is the message store (a group commit, so concurrent messages share
   transactions); on a cluster node, the node's write-ahead log (fsyncs shared the same
   way), which is shipped to Kafka and persisted by the msgprocessor.
4. Fan-out: one-to-one messages are queued to both users' connections at once (a queue
   push each, never a wait); group messages go to a bounded fan-out queue served by a
   worker, so a large group never holds up the sender or small conversations.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from prim.runtime.storage.models import Clock, Message, channel_key, is_group_id
from prim.runtime.storage.ports import MessageStore, OnlineState, SocialStore
from prim.runtime.wire.frame import Frame
from prim.services.message.durability import DurableWriter
from prim.services.message.group_commit import GroupCommitWriter
from prim.services.message.inboxes import InboxRecorder
from prim.services.message.recent_keys import IdempotencyKey, RecentKeys
from prim.services.message.router import Router
from prim.services.seqnum.ports import SeqnumSource

log = logging.getLogger("prim.message.pipeline")


@dataclass(frozen=True, slots=True)
class Sequenced:
    seqnum: int
    server_ts: int
    duplicate: bool  # the message was already stored: nothing was delivered this time


@dataclass(frozen=True, slots=True)
class _GroupJob:
    frame: Frame
    skip_connection: int
    received_at: float


# Called for each delivered frame with the number of connections it was queued to and the
# seconds from its arrival at `submit` to that moment (the message service's metrics hook).
DeliveryObserver = Callable[[Frame, int, float], None]


class MessagePipeline:
    def __init__(
        self,
        *,
        seqnums: SeqnumSource,
        messages: MessageStore,
        social: SocialStore,
        online: OnlineState,
        router: Router,
        node_id: int,
        clock: Clock,
        fanout_queue: int = 10_000,
        on_delivered: DeliveryObserver | None = None,
        writer: DurableWriter | None = None,
        record_inboxes: bool = True,
    ) -> None:
        """`writer` defaults to a group commit into `messages`. `record_inboxes=False`
        leaves the inboxes to whoever persists the messages later (the msgprocessor)."""
        self._seqnums = seqnums
        self._messages = messages
        self._social = social
        self._router = router
        self._node_id = node_id
        self._clock = clock
        self._writer: DurableWriter = writer or GroupCommitWriter(messages)
        self._inboxes = InboxRecorder(online, social) if record_inboxes else None
        self._recent = RecentKeys()
        self._inflight: dict[IdempotencyKey, asyncio.Future[Sequenced]] = {}
        self._group_jobs: asyncio.Queue[_GroupJob] = asyncio.Queue(fanout_queue)
        self._worker: asyncio.Task[None] | None = None
        self._on_delivered = on_delivered

    async def start(self) -> None:
        self._worker = asyncio.create_task(self._group_worker(), name="prim-group-fanout")

    async def stop(self) -> None:
        """Finishes the queued writes and group fan-outs, then stops the worker."""
        await self._writer.drain()
        if self._worker is None:
            return
        await self._group_jobs.join()
        self._worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._worker
        self._worker = None

    async def submit(self, frame: Frame, *, skip_connection: int = 0) -> Sequenced:
        """Sequences and stores `frame` (a client frame: seqnum 0, the client's timestamp),
        then fans it out to everyone but the connection `skip_connection`."""
        key = (frame.sender, frame.receiver, frame.timestamp)
        pending = self._inflight.get(key)
        if pending is not None:
            first = await asyncio.shield(pending)
            return Sequenced(first.seqnum, first.server_ts, duplicate=True)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Sequenced] = loop.create_future()
        self._inflight[key] = future
        try:
            result = await self._sequence_and_store(frame, key, skip_connection, loop.time())
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # a resend waiting on it sees the error; nobody else must
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._inflight[key]

    async def _sequence_and_store(self, frame: Frame, key: IdempotencyKey,
                                  skip_connection: int, received_at: float) -> Sequenced:
        channel = channel_key(frame.sender, frame.receiver)
        known = self._recent.get(key)
        if known is not None:
            return await self._duplicate(channel, known)
        if not self._writer.detects_duplicates:
            # The write cannot tell a resend this process forgot (after a restart, or sent
            # first to another node): the store can, once the first copy is persisted.
            stored = await self._messages.find_by_idempotency_key(*key)
            if stored is not None:
                return await self._duplicate(channel, stored)
        # Between allocating the seqnum and queueing the write there is no await: the
        # allocator hands out a channel's numbers in call order, so writes (and then
        # deliveries) follow seqnum order within each channel without a channel lock, and
        # a busy channel's messages can share one commit.
        seqnum = await self._seqnums.allocate(channel)
        server_ts = self._clock()
        result = await self._writer.enqueue(Message(
            channel=channel, seqnum=seqnum, sender=frame.sender, receiver=frame.receiver,
            type=frame.type, server_ts=server_ts, client_ts=frame.timestamp,
            payload=frame.payload, extension=frame.extension,
        ))
        if not result.inserted:
            # A resend this process no longer remembered: the store knew its key (the
            # number just allocated stays unused, a gap clients can fetch and find empty).
            return await self._duplicate(channel, result.seqnum)
        self.remember(key, seqnum)
        delivered = Frame(
            type=frame.type, sender=frame.sender, receiver=frame.receiver,
            timestamp=server_ts, seqnum=seqnum, node_id=self._node_id,
            payload=frame.payload, extension=frame.extension,
        )
        if is_group_id(frame.receiver):
            await self._group_jobs.put(_GroupJob(delivered, skip_connection, received_at))
        else:
            await self._direct(delivered, skip_connection, received_at)
        return Sequenced(seqnum, server_ts, duplicate=False)

    def remember(self, key: IdempotencyKey, seqnum: int) -> None:
        """Marks `key` as stored under `seqnum` (also for messages replayed from a log)."""
        self._recent.add(key, seqnum)

    async def _duplicate(self, channel: str, seqnum: int) -> Sequenced:
        stored = await self._messages.get(channel, seqnum)
        return Sequenced(seqnum, stored.server_ts if stored else 0, duplicate=True)

    async def _direct(self, frame: Frame, skip_connection: int, received_at: float) -> None:
        # Delivery first, without an await before it: tasks resume in commit order, so
        # this keeps the channel's deliveries in seqnum order.
        # A user's own notification stream (sender = receiver) reaches their devices once.
        count = self._router.deliver(dict.fromkeys((frame.receiver, frame.sender)), frame,
                                     skip_connection=skip_connection)
        if self._on_delivered is not None:
            self._on_delivered(frame, count, asyncio.get_running_loop().time() - received_at)
        if self._inboxes is not None:
            await self._inboxes.pair(frame.sender, frame.receiver, frame.seqnum,
                                     frame.timestamp)

    async def _group_worker(self) -> None:
        while True:
            job = await self._group_jobs.get()
            try:
                await self._fan_out(job)
            except Exception:
                log.exception("group fan-out failed for group %s seqnum %s",
                              job.frame.receiver, job.frame.seqnum)
            finally:
                self._group_jobs.task_done()

    async def _fan_out(self, job: _GroupJob) -> None:
        frame = job.frame
        members = await self._social.list_member_ids(frame.receiver)
        count = self._router.deliver(members, frame, skip_connection=job.skip_connection)
        if self._on_delivered is not None:
            self._on_delivered(frame, count,
                               asyncio.get_running_loop().time() - job.received_at)
        if self._inboxes is not None:
            await self._inboxes.group(members, frame.receiver, frame.seqnum, frame.timestamp)
