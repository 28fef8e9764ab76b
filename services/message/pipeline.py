"""The send path every sequenced message takes, whoever sent it (a client over the wire, or
the api relaying a business message): sequence, make durable, then fan out.

1. Idempotency: a message is identified by (sender, receiver, sending device, client
   timestamp); timestamp 0 is refused. A resend whose key is in flight, recently stored, or
   found by the store's own key check gets the original seqnum and nothing is delivered
   twice; a different message (type or payload) under a used key is refused with
   IDEMPOTENCY_CONFLICT rather than taken for a resend.
2. Sequencing: the channel's next seqnum from the allocator; store order and delivery order
   follow seqnum order within a channel.
3. Durability: the durable writer holds it before `submit` returns; the caller Acks after.
   Embedded, that is the message store (a group commit, so concurrent messages share
   transactions); on a cluster node, the node's write-ahead log (fsyncs shared the same
   way), which is shipped to Kafka and persisted by the msgprocessor.
4. Fan-out, started by the durable write's completion callback (callbacks run in write
   order, so a later message never overtakes an earlier one): one-to-one messages are
   queued to both users' connections at once (a queue push each, never a wait); group
   messages join their group's ordered queue, served by a worker per group in chunks
   of members, so a large group never stalls the loop, the sender or small
   conversations. The messages queued together go out together, member by member: a
   member's connection gets them in one write (a few packets and ACKs, not one of each
   per message: under a flood those ACKs filled the node's UDP socket, and a 1:1 chat's
   frames waited behind them). Past `fanout_queue` queued group jobs, senders wait for
   room.
5. After the commit nothing is reported as a failed send: delivery errors are logged, and
   inbox writes that fail are retried in the background (after_commit.py).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.errors import ApiError
from prim.runtime.storage.idempotency import IdempotencyKey, conflicts, content_digest
from prim.runtime.storage.models import (
    Clock,
    InsertResult,
    KeyMatch,
    Message,
    channel_key,
    is_group_id,
)
from prim.runtime.storage.ports import InboxStore, MessageStore
from prim.runtime.storage.social_changes import SocialReads
from prim.runtime.wire.frame import Frame
from prim.services.message.after_commit import AfterCommit
from prim.services.message.durability import DurableWriter
from prim.services.message.group_commit import GroupCommitWriter
from prim.services.message.inboxes import InboxRecorder
from prim.services.message.key_lookups import KeyLookups
from prim.services.message.recent_keys import RecentKeys
from prim.services.message.router import Router
from prim.services.seqnum.ports import SeqnumSource

log = logging.getLogger("prim.message.pipeline")

#: Deliveries (members x messages) between two yields to the event loop. Small, so the
#: loop reads the members' ACKs (uvloop reads up to 32 datagrams a turn) about as fast as
#: the deliveries make them: with 256 a flood left megabytes of them queued in the UDP
#: socket, ahead of everyone else's frames (`prim bench group`: 64 gives 2.5x the
#: deliveries/s, half the CPU per delivery and a 1:1 p99 beside it of ~10 ms, not ~200).
FANOUT_CHUNK = 64
#: Queued messages of one group fanned out together.
FANOUT_BATCH = 64


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


@dataclass(frozen=True, slots=True)
class _Queued:
    """A message numbered and handed to the durable writer."""

    frame: Frame
    channel: str
    seqnum: int
    server_ts: int
    write: asyncio.Future[InsertResult]


# The previous message's turn to ask for its seqnum (None: none waits) and this one's.
_Numbering = tuple[asyncio.Future[None] | None, asyncio.Future[None]]


@dataclass(slots=True)
class _InFlight:
    digest: bytes
    future: asyncio.Future[Sequenced]


# Called for each delivered frame with the number of connections it was queued to and the
# seconds from its arrival at `submit` to that moment (the message service's metrics hook).
DeliveryObserver = Callable[[Frame, int, float], None]


class MessagePipeline:
    def __init__(
        self,
        *,
        seqnums: SeqnumSource,
        messages: MessageStore,
        social: SocialReads,
        inbox: InboxStore,
        router: Router,
        node_id: int,
        clock: Clock,
        fanout_queue: int = 10_000,
        on_delivered: DeliveryObserver | None = None,
        writer: DurableWriter | None = None,
        record_inboxes: bool = True,
        after_commit: AfterCommit | None = None,
        fanout_chunk: int = FANOUT_CHUNK,
        overlap_numbering: bool = False,
    ) -> None:
        """`writer` defaults to a group commit into `messages`. `record_inboxes=False`
        leaves the inboxes to whoever persists the messages later (the msgprocessor).
        `overlap_numbering`: numbering waits on the network (a store lookup, a remote
        seqnum service), so one sender's frames are numbered concurrently, in order per
        channel, instead of one after another (`accept` returns before it)."""
        self._seqnums = seqnums
        self._messages = messages
        self._social = social
        self._router = router
        self._node_id = node_id
        self._clock = clock
        self._writer: DurableWriter = writer or GroupCommitWriter(messages)
        self._inboxes = InboxRecorder(inbox) if record_inboxes else None
        self._recent = RecentKeys()
        self._key_lookups = KeyLookups(messages)
        self._inflight: dict[IdempotencyKey, _InFlight] = {}
        # Per channel, the newest accepted message's turn to ask for its seqnum.
        self._numbering: dict[str, asyncio.Future[None]] = {}
        self._overlap_numbering = overlap_numbering
        self._after_commit = after_commit or AfterCommit()
        self._fanout_limit = fanout_queue
        self._fanout_chunk = fanout_chunk
        # One ordered queue per group channel, each served by its own worker task while it
        # holds jobs; `_queued` counts the jobs of all of them.
        self._group_queues: dict[str, deque[_GroupJob]] = {}
        self._group_workers: dict[str, asyncio.Task[None]] = {}
        self._queued = 0
        self._room = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._on_delivered = on_delivered
        self._completing: set[asyncio.Task[None]] = set()  # accepted, not yet durable

    async def start(self) -> None:
        """Nothing to start: group workers come and go with their queues."""

    async def stop(self) -> None:
        """Finishes the queued writes, group fan-outs and inbox retries."""
        if self._completing:  # they queue the last writes
            await asyncio.gather(*self._completing, return_exceptions=True)
        await self._writer.drain()
        await self._idle.wait()
        await self._after_commit.drain()

    async def submit(self, frame: Frame, *, skip_connection: int = 0,
                     device: str = "") -> Sequenced:
        """Sequences and stores `frame` (a client frame: seqnum 0, the client's timestamp)
        sent by `device`, then fans it out to everyone but the connection
        `skip_connection`."""
        return await (await self.accept(frame, skip_connection=skip_connection,
                                        device=device))

    async def accept(self, frame: Frame, *, skip_connection: int = 0,
                     device: str = "") -> asyncio.Future[Sequenced]:
        """`submit` in two steps, so that one sender's messages can share a commit and
        their numbering overlaps: what returns has passed the checks that need no wait
        (an ApiError here refuses it) and has its place in the channel's numbering order;
        the future resolves once it is durable and fanned out, or with the error that
        stopped it (an ApiError is the sender's answer)."""
        if frame.timestamp == 0:
            raise ApiError(ErrorCode.INVALID_ARGUMENT,
                           "timestamp must be the client's send time in ms (it is 0): it "
                           "identifies the message when it is resent", "timestamp")
        key = (frame.sender, frame.receiver, device, frame.timestamp)
        digest = content_digest(frame.type, frame.payload)
        loop = asyncio.get_running_loop()
        pending = self._inflight.get(key)
        if pending is not None:
            if pending.digest != digest:
                raise _conflict(frame)
            first = await asyncio.shield(pending.future)
            return _resolved(loop, Sequenced(first.seqnum, first.server_ts, duplicate=True))
        future: asyncio.Future[Sequenced] = loop.create_future()
        self._inflight[key] = _InFlight(digest, future)
        if not self._overlap_numbering:
            received_at = loop.time()
            try:
                queued = await self._queue_write(
                    frame, channel_key(frame.sender, frame.receiver), key, digest,
                    skip_connection, received_at)
            except BaseException as exc:
                self._settle(key, future, exc)
                raise
            if isinstance(queued, Sequenced):
                self._settle(key, future, queued)
                return future
            work = self._complete(queued, key, digest, future, skip_connection, received_at)
        else:
            # The channel's turn to be numbered: this message asks for its numbers once
            # the previous message of the channel has asked for its own (call order), but
            # its store lookup, its wait for the numbers and its write overlap theirs.
            channel = channel_key(frame.sender, frame.receiver)
            turn: asyncio.Future[None] = loop.create_future()
            numbering = (self._numbering.get(channel), turn)
            self._numbering[channel] = turn
            work = self._complete(frame, key, digest, future, skip_connection, loop.time(),
                                  numbering)
        task = loop.create_task(work)
        self._completing.add(task)
        task.add_done_callback(self._completing.discard)
        return future

    def _settle(self, key: IdempotencyKey, future: asyncio.Future[Sequenced],
                outcome: Sequenced | BaseException) -> None:
        del self._inflight[key]
        if isinstance(outcome, Sequenced):
            future.set_result(outcome)
        else:
            future.set_exception(outcome)
            future.exception()  # retrieved: whoever awaits it sees it, nobody else must

    def _end_turn(self, channel: str, turn: asyncio.Future[None]) -> None:
        if not turn.done():
            turn.set_result(None)
        if self._numbering.get(channel) is turn:
            del self._numbering[channel]

    async def _queue_write(self, frame: Frame, channel: str, key: IdempotencyKey,
                           digest: bytes, skip_connection: int, received_at: float,
                           numbering: _Numbering | None = None) -> Sequenced | _Queued:
        """A duplicate's answer, or the message numbered and queued for its write (and
        its delivery once written). `numbering`: the previous message's turn and this
        one's, when they overlap."""
        try:
            known = self._recent.get(key)
            if known is None and not self._writer.detects_duplicates:
                # The write cannot tell a resend this process forgot (after a restart, or
                # sent first to another node): the store can, once the first copy is
                # persisted.
                known = await self._key_lookups.find(key)
            if numbering is not None and numbering[0] is not None:
                await numbering[0]
            if known is not None:
                return await self._duplicate(channel, known, frame)
            # The allocator hands out a channel's numbers in call order (overlapping: the
            # call is made before the turn passes on); tasks resume in the order their
            # numbers come back, and between the numbers and queueing the write there is
            # no await: so writes (and then deliveries) follow seqnum order within each
            # channel without a channel lock, and a busy channel's messages can share one
            # commit.
            if numbering is None:
                seqnum = await self._seqnums.allocate(channel)
            else:
                allocation = asyncio.ensure_future(self._seqnums.allocate(channel))
                self._end_turn(channel, numbering[1])
                seqnum = await allocation
        finally:
            if numbering is not None:
                self._end_turn(channel, numbering[1])
        server_ts = self._clock()
        write = self._writer.enqueue(Message(
            channel=channel, seqnum=seqnum, sender=frame.sender, receiver=frame.receiver,
            type=frame.type, server_ts=server_ts, client_ts=frame.timestamp,
            payload=frame.payload, extension=frame.extension, device=key[2],
        ))
        queued = _Queued(frame, channel, seqnum, server_ts, write)
        # Delivered from the write's callback, not from the task that waits for it:
        # callbacks run in the order the writes complete (the channel's seqnum order),
        # while a task resumes wherever it stands in the loop's queue. A later message
        # whose task first runs after both writes completed would otherwise overtake an
        # earlier one whose task was already waiting.
        write.add_done_callback(
            lambda _: self._deliver_written(queued, key, digest, skip_connection, received_at))
        return queued

    async def _complete(self, work: Frame | _Queued, key: IdempotencyKey, digest: bytes,
                        future: asyncio.Future[Sequenced], skip_connection: int,
                        received_at: float, numbering: _Numbering | None = None) -> None:
        """Numbers `work` (a frame, when numbering overlaps) or takes it numbered, then
        waits for its write and fans it out; settles `future` with the outcome."""
        try:
            if isinstance(work, _Queued):
                queued: _Queued | Sequenced = work
            else:
                queued = await self._queue_write(
                    work, channel_key(work.sender, work.receiver), key, digest,
                    skip_connection, received_at, numbering)
            if isinstance(queued, _Queued):
                queued = await self._fan_out_stored(queued)
        except BaseException as exc:
            self._settle(key, future, exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
        else:
            self._settle(key, future, queued)

    def _deliver_written(self, queued: _Queued, key: IdempotencyKey, digest: bytes,
                         skip_connection: int, received_at: float) -> None:
        """A message's write is done: if it was stored, remember its key and queue its
        delivery (a group's fan-out job, or both users' connections)."""
        write = queued.write
        if write.cancelled() or write.exception() is not None or not write.result().inserted:
            return  # its task answers the sender
        frame, seqnum = queued.frame, queued.seqnum
        self.remember(key, seqnum, digest)
        delivered = Frame(
            type=frame.type, sender=frame.sender, receiver=frame.receiver,
            timestamp=queued.server_ts, seqnum=seqnum, node_id=self._node_id,
            payload=frame.payload, extension=frame.extension,
        )
        if is_group_id(frame.receiver):
            self._queue_group_job(queued.channel,
                                  _GroupJob(delivered, skip_connection, received_at))
        else:
            # A user's own notification stream (sender = receiver) reaches their devices
            # once.
            self._deliver(tuple(dict.fromkeys((frame.receiver, frame.sender))), delivered,
                          skip_connection, received_at)

    async def _fan_out_stored(self, queued: _Queued) -> Sequenced:
        """Waits for the write (whose callback queued the delivery), then for what
        follows it: a group's room in the fan-out queue, a pair's inbox entries."""
        frame, seqnum, server_ts = queued.frame, queued.seqnum, queued.server_ts
        result = await queued.write
        if not result.inserted:
            # A resend this process no longer remembered: the store knew its key (the
            # number just allocated stays unused, a gap clients can fetch and find empty).
            if result.conflict:
                raise _conflict(frame)
            return await self._duplicate(queued.channel, KeyMatch(result.seqnum, None), frame)
        if is_group_id(frame.receiver):
            await self._wait_for_room()
        elif self._inboxes is not None:
            inboxes = self._inboxes
            await self._after_commit.run(
                f"inboxes of {frame.sender}-{frame.receiver} #{seqnum}",
                lambda: inboxes.pair(frame.sender, frame.receiver, seqnum, server_ts))
        return Sequenced(seqnum, server_ts, duplicate=False)

    def remember(self, key: IdempotencyKey, seqnum: int, digest: bytes | None) -> None:
        """Marks `key` as stored under `seqnum` (also for messages replayed from a log);
        `digest`: content_digest of its type and payload (None: unknown, not checked)."""
        self._recent.add(key, KeyMatch(seqnum, digest))

    async def _duplicate(self, channel: str, stored: KeyMatch, frame: Frame) -> Sequenced:
        if conflicts(stored.digest, frame.type, frame.payload):
            raise _conflict(frame)
        message = await self._messages.get(channel, stored.seqnum)
        return Sequenced(stored.seqnum, message.server_ts if message else 0, duplicate=True)

    def _deliver(self, users: list[int] | tuple[int, ...], frame: Frame, skip_connection: int,
                 received_at: float) -> int:
        """Queues `frame` to `users`' connections; a failure is logged, never raised: the
        message is stored and Acked, and devices catch up from history."""
        try:
            count = self._router.deliver(users, frame, skip_connection=skip_connection)
            if self._on_delivered is not None:
                self._on_delivered(frame, count,
                                   asyncio.get_running_loop().time() - received_at)
        except Exception:
            log.exception("delivery of %s #%s failed", channel_key(frame.sender, frame.receiver),
                          frame.seqnum)
            return 0
        return count

    # -- group fan-out -----------------------------------------------------------------

    def _queue_group_job(self, channel: str, job: _GroupJob) -> None:
        queue = self._group_queues.setdefault(channel, deque())
        queue.append(job)
        self._queued += 1
        self._idle.clear()
        if channel not in self._group_workers:
            self._group_workers[channel] = asyncio.create_task(
                self._group_worker(channel, queue), name=f"prim-group-fanout {channel}")

    async def _wait_for_room(self) -> None:
        """Back-pressure: the sender waits while more than `fanout_queue` jobs are queued
        (its own job keeps its place)."""
        while self._queued > self._fanout_limit:
            self._room.clear()
            await self._room.wait()

    async def _group_worker(self, channel: str, queue: deque[_GroupJob]) -> None:
        try:
            while queue:
                # Jobs stay queued (and counted) until their fan-out is done.
                batch = list(itertools.islice(queue, FANOUT_BATCH))
                try:
                    await self._fan_out(batch)
                except Exception:
                    log.exception("group fan-out failed for group %s seqnums %s-%s",
                                  batch[0].frame.receiver, batch[0].frame.seqnum,
                                  batch[-1].frame.seqnum)
                finally:
                    for _ in batch:
                        queue.popleft()
                    self._queued -= len(batch)
                    if self._queued <= self._fanout_limit:
                        self._room.set()
        finally:
            del self._group_workers[channel]
            del self._group_queues[channel]
            if not self._group_workers:
                self._idle.set()

    async def _fan_out(self, batch: list[_GroupJob]) -> None:
        """Delivers a group's queued messages (in seqnum order) to the members of the
        group at this moment, a slice of members at a time: within a slice every message
        goes to the slice's members (each frame still encoded once per slice), so a
        member's frames are in order and queued in one go."""
        group_id = batch[0].frame.receiver
        members = await self._social.list_member_ids(group_id)
        step = max(1, self._fanout_chunk // len(batch))
        for start in range(0, len(members), step):
            if start:
                await asyncio.sleep(0)  # let the loop serve others between slices
            part = members[start:start + step]
            for job in batch:
                self._deliver(part, job.frame, job.skip_connection, job.received_at)
        if self._inboxes is not None:
            # The group's news keeps its newest seqnum: the batch's last one says it all.
            inboxes, last = self._inboxes, batch[-1].frame
            await self._after_commit.run(
                f"inboxes of group {group_id} #{last.seqnum}",
                lambda: inboxes.group(group_id, last.seqnum, last.timestamp))


def _resolved(loop: asyncio.AbstractEventLoop, result: Sequenced) -> asyncio.Future[Sequenced]:
    future: asyncio.Future[Sequenced] = loop.create_future()
    future.set_result(result)
    return future


def _conflict(frame: Frame) -> ApiError:
    return ApiError(
        ErrorCode.IDEMPOTENCY_CONFLICT,
        f"timestamp {frame.timestamp} already identifies another message from this device "
        "to this conversation (a resend must repeat the same type and payload); send a new "
        "message with a new timestamp", "timestamp")
