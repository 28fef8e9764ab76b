"""`SeqnumClient`: a message node's allocator when the seqnum service runs elsewhere.

It has the allocator's `allocate(channel, count) -> first` and keeps its promise that a
channel's numbers are handed out in call order.

Batching: the allocations requested in one event-loop moment, and those requested while a
call to an instance is in flight, leave together as one AllocateMany per instance (one call
in flight per instance). The requests of one channel in a batch travel as one item (count =
their sum) and the numbers are split back in call order; a channel has at most one item on
the way at a time, so its numbers come back in call order even across fail-over.

Placement: a channel's section goes to the live instance that rendezvous hashing picks
(placement.py). Once an instance has answered for a section the section sticks to it while
it stays listed: after a fail-over the survivor keeps the lease, and knocking on the
rendezvous winner first would cost a refusal per call.

Fail-over: an instance that cannot be reached, or that answers UNAVAILABLE for an item (the
section is leased to another instance), is skipped for that item and the next one in the
section's order is tried, with a fresh instance list. When every instance refused, the
client backs off briefly and starts another round, until `failover_timeout`, then raises
UNAVAILABLE; the pipeline answers its client with that, and the client resends.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from prim.generated.interfaces import SeqnumServiceInterface
from prim.generated.prim.v1 import (
    AllocateManyRequest,
    AllocateRequest,
    AllocateResult,
    ErrorCode,
    NewestRequest,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError

from .allocator import DEFAULT_SECTIONS, section_of
from .placement import rendezvous_order
from .service import MAX_COUNT, MAX_ITEMS

log = logging.getLogger("prim.seqnum.client")

#: A seqnum instance's id: its node id (what the scheduler lists), or any stable name.
InstanceId = str | int
#: The live seqnum instances: (instance id, the service, usually a SeqnumServiceRemote).
Instances = Sequence[tuple[InstanceId, SeqnumServiceInterface]]
InstanceSource = Callable[[], Awaitable[Instances] | Instances]

# Forced refreshes of the instance list (on a failure) closer together than this reuse it.
_MIN_REFRESH = 0.1


@dataclass(slots=True)
class _Request:
    count: int
    future: asyncio.Future[int]


@dataclass(slots=True, eq=False)
class _Item:
    """The requests of one channel that travel together, with their fail-over state."""

    channel: str
    section: int
    requests: list[_Request]
    count: int
    deadline: float
    refused_by: set[InstanceId] = field(default_factory=set)  # in the current round
    rounds: int = 0
    last_error: str = ""


class SeqnumClient:
    def __init__(self, instances: InstanceSource, *,
                 refresh: Callable[[], Awaitable[None]] | None = None,
                 failover_timeout: float = 15.0, refresh_interval: float = 5.0,
                 max_batch: int = 1000, backoff: float = 0.05, max_backoff: float = 1.0,
                 suspect_for: float = 5.0, sections: int = DEFAULT_SECTIONS) -> None:
        """`instances` lists the live seqnum instances (sync or async; e.g. the scheduler's
        ListNodes(role=SEQNUM) mapped to SeqnumServiceRemote(AddressTarget(...))); it is
        called at most every `refresh_interval` seconds, and after failures, then after
        `refresh` (when given: makes a cached list, such as a NodeDirectory's, re-read the
        registry). An instance that could not be reached is tried last for `suspect_for`
        seconds."""
        if not 1 <= max_batch <= MAX_ITEMS:
            raise ValueError(f"max_batch must be within 1..{MAX_ITEMS}")
        self._source = instances
        self._refresh = refresh
        self._failover_timeout = failover_timeout
        self._refresh_interval = refresh_interval
        self._max_batch = max_batch
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._suspect_for = suspect_for
        self._sections = sections
        self._instances: list[tuple[InstanceId, SeqnumServiceInterface]] = []
        self._remotes: dict[InstanceId, SeqnumServiceInterface] = {}
        self._checked_at: float | None = None  # last attempt to list the instances
        self._listing_ok = False
        self._refresh_lock = asyncio.Lock()
        self._waiting: dict[str, deque[_Request]] = {}  # channel -> not yet sent
        self._busy: dict[str, _Item] = {}  # channel -> its item on the way
        self._lanes: dict[InstanceId, deque[_Item]] = {}  # instance -> items for its call
        self._sending: set[InstanceId] = set()  # instances with a call loop running
        self._sticky: dict[int, InstanceId] = {}  # section -> instance that last answered
        self._suspect_until: dict[InstanceId, float] = {}
        self._dispatch_scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    async def allocate(self, channel: str, count: int = 1) -> int:
        """Takes `count` consecutive numbers for `channel`; returns the first. ApiError
        UNAVAILABLE when no instance could allocate them within the fail-over timeout."""
        if not 1 <= count <= MAX_COUNT:
            raise ValueError(f"count must be within 1..{MAX_COUNT}")
        if self._closed:
            raise ApiError(ErrorCode.UNAVAILABLE, "the seqnum client is closed")
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(channel, deque()).append(_Request(count, future))
        if channel not in self._busy:
            self._schedule_dispatch()
        return await future

    async def newest(self, channel: str) -> int:
        """The newest number handed out for `channel` (SeqnumService.Newest), from the
        instance that holds its section: the others refuse with UNAVAILABLE and the next is
        tried, as for an allocation, within the fail-over timeout. Not batched: it is asked
        for Edits and read receipts, not for every message."""
        loop = asyncio.get_running_loop()
        probe = _Item(channel, section_of(channel, self._sections), [], 0,
                      loop.time() + self._failover_timeout)
        while True:
            for instance in self._candidates(probe, await self._live(force=probe.rounds > 0)):
                remote = self._remotes.get(instance)
                if remote is None:
                    continue
                try:
                    answer = await remote.newest(NewestRequest(channel=channel), CallContext())
                except ApiError as exc:
                    if exc.code != ErrorCode.UNAVAILABLE:
                        raise
                    probe.refused_by.add(instance)
                    probe.last_error = f"{instance}: {exc.message}"
                    continue
                self._sticky[probe.section] = instance
                return answer.seqnum
            remaining = probe.deadline - loop.time()
            if remaining <= 0:
                raise ApiError(ErrorCode.UNAVAILABLE,
                               f"no seqnum instance answered the newest number of channel "
                               f"{channel} within {self._failover_timeout:g} s (last: "
                               f"{probe.last_error or 'no seqnum instance is listed'})")
            await asyncio.sleep(min(self._backoff * 2 ** probe.rounds, self._max_backoff,
                                    remaining))
            probe.rounds += 1
            probe.refused_by.clear()

    async def close(self) -> None:
        """Stops; pending allocations fail with UNAVAILABLE."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for item in list(self._busy.values()):
            self._fail(item, ErrorCode.UNAVAILABLE, "the seqnum client is closed")
        for queue in self._waiting.values():
            for request in queue:
                if not request.future.done():
                    request.future.set_exception(
                        ApiError(ErrorCode.UNAVAILABLE, "the seqnum client is closed"))
        self._waiting.clear()

    # -- batching ------------------------------------------------------------------------------
    def _schedule_dispatch(self) -> None:
        # The dispatch runs at the loop's next turn, so it collects this whole moment.
        if not self._dispatch_scheduled and not self._closed:
            self._dispatch_scheduled = True
            self._spawn(self._dispatch())

    async def _dispatch(self) -> None:
        instances = await self._live()
        self._dispatch_scheduled = False
        now = asyncio.get_running_loop().time()
        for channel in list(self._waiting):
            if channel not in self._busy:
                item = self._take(channel, now)
                if item is not None:
                    self._route(item, instances)

    def _take(self, channel: str, now: float) -> _Item | None:
        """The channel's next item: its waiting requests, in call order, up to MAX_COUNT."""
        queue = self._waiting[channel]
        taken: list[_Request] = []
        total = 0
        while queue and (not taken or total + queue[0].count <= MAX_COUNT):
            request = queue.popleft()
            if not request.future.done():  # a caller that gave up needs no numbers
                taken.append(request)
                total += request.count
        if not queue:
            del self._waiting[channel]
        if not taken:
            return None
        item = _Item(channel, section_of(channel, self._sections), taken, total,
                     now + self._failover_timeout)
        self._busy[channel] = item
        return item

    # -- placement and fail-over ---------------------------------------------------------------
    def _candidates(self, item: _Item, instances: Instances) -> list[InstanceId]:
        """The instances to try for the item, best first, minus those that refused it."""
        order = rendezvous_order(item.section, [iid for iid, _ in instances])
        sticky = self._sticky.get(item.section)
        if sticky in order:
            order.remove(sticky)
            order.insert(0, sticky)
        now = asyncio.get_running_loop().time()
        order.sort(key=lambda iid: self._suspect_until.get(iid, 0.0) > now)  # stable
        return [iid for iid in order if iid not in item.refused_by]

    def _route(self, item: _Item, instances: Instances) -> None:
        candidates = self._candidates(item, instances)
        if candidates:
            self._enqueue(candidates[0], item)
        else:
            self._spawn(self._reroute(item))

    def _enqueue(self, instance: InstanceId, item: _Item) -> None:
        self._lanes.setdefault(instance, deque()).append(item)
        if instance not in self._sending:
            self._sending.add(instance)
            self._spawn(self._send(instance))

    def _refused(self, item: _Item, instance: InstanceId, message: str) -> None:
        item.refused_by.add(instance)
        item.last_error = f"{instance}: {message}"
        if self._sticky.get(item.section) == instance:
            del self._sticky[item.section]
        self._spawn(self._reroute(item))

    async def _reroute(self, item: _Item) -> None:
        loop = asyncio.get_running_loop()
        while True:
            candidates = self._candidates(item, await self._live(force=True))
            if candidates:
                self._enqueue(candidates[0], item)
                return
            # Every listed instance refused in this round: wait a little, then another.
            remaining = item.deadline - loop.time()
            if remaining <= 0:
                self._fail(item, ErrorCode.UNAVAILABLE,
                           f"no seqnum instance could allocate numbers of channel "
                           f"{item.channel} within {self._failover_timeout:g} s (last: "
                           f"{item.last_error or 'no seqnum instance is listed'}); try again")
                return
            await asyncio.sleep(min(self._backoff * 2 ** item.rounds, self._max_backoff,
                                    remaining))
            item.rounds += 1
            item.refused_by.clear()

    async def _live(self, *, force: bool = False) -> Instances:
        """The instance list, listed afresh when it is older than the refresh interval (or,
        with `force`, than a short minimum)."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        if self._checked_at is not None:
            limit = self._refresh_interval if self._listing_ok and not force else _MIN_REFRESH
            if started - self._checked_at < limit:
                return self._instances
        async with self._refresh_lock:
            if self._checked_at is not None and self._checked_at >= started:
                return self._instances  # listed by another caller while we waited
            try:
                if force and self._refresh is not None:
                    await self._refresh()
                listed = self._source()
                if inspect.isawaitable(listed):
                    listed = await listed
            except Exception as exc:
                log.warning("cannot list the seqnum instances: %r", exc)
                self._listing_ok = False
            else:
                self._instances = list(listed)
                self._remotes = dict(self._instances)
                self._listing_ok = True
            self._checked_at = loop.time()
        return self._instances

    # -- the calls -----------------------------------------------------------------------------
    async def _send(self, instance: InstanceId) -> None:
        """Sends the instance's waiting items, one AllocateMany at a time."""
        lane = self._lanes[instance]
        try:
            while lane:
                batch = [lane.popleft() for _ in range(min(len(lane), self._max_batch))]
                remote = self._remotes.get(instance)
                if remote is None:
                    for item in batch:
                        self._refused(item, instance, "no longer listed")
                    continue
                await self._call(instance, remote, batch)
                # One turn of the loop, so the channels this call freed (and whose callers
                # kept allocating meanwhile) are dispatched into the next call too.
                await asyncio.sleep(0)
        finally:
            self._sending.discard(instance)
            if not lane and self._lanes.get(instance) is lane:
                del self._lanes[instance]

    async def _call(self, instance: InstanceId, remote: SeqnumServiceInterface,
                    batch: list[_Item]) -> None:
        request = AllocateManyRequest(
            items=[AllocateRequest(channel=item.channel, count=item.count) for item in batch])
        try:
            response = await remote.allocate_many(request, CallContext())
        except ApiError as exc:
            if exc.code != ErrorCode.UNAVAILABLE:
                for item in batch:
                    self._fail(item, exc.code, exc.message, exc.field)
                return
            # Not reached (or it dropped the call): the others first for a while.
            log.warning("seqnum instance %s: %s", instance, exc.message or exc.code.name)
            self._suspect_until[instance] = asyncio.get_running_loop().time() + self._suspect_for
            for item in batch:
                self._refused(item, instance, exc.message or "unreachable")
            return
        except Exception as exc:
            log.exception("seqnum instance %s failed", instance)
            for item in batch:
                self._fail(item, ErrorCode.INTERNAL, f"seqnum instance {instance} failed: {exc!r}")
            return
        self._suspect_until.pop(instance, None)
        if len(response.results) != len(batch):
            for item in batch:
                self._fail(item, ErrorCode.INTERNAL,
                           f"seqnum instance {instance} answered {len(response.results)} "
                           f"results for {len(batch)} items")
            return
        for item, result in zip(batch, response.results, strict=True):
            self._settle(instance, item, result)

    def _settle(self, instance: InstanceId, item: _Item, result: AllocateResult) -> None:
        error = result.error
        if error is not None and error.code != ErrorCode.UNSPECIFIED:
            if error.code == ErrorCode.UNAVAILABLE:
                self._refused(item, instance, error.message)
            else:
                self._fail(item, error.code, error.message, error.field)
            return
        got = result.allocated
        if got is None or got.count != item.count or got.first < 1:
            self._fail(item, ErrorCode.INTERNAL,
                       f"seqnum instance {instance} answered {got!r} for {item.count} numbers")
            return
        self._sticky[item.section] = instance
        first = got.first
        # In call order: the callers' tasks wake in this order, so a channel's messages are
        # queued in seqnum order as with the in-process allocator.
        for request in item.requests:
            if not request.future.done():
                request.future.set_result(first)
            first += request.count
        self._finish(item)

    def _fail(self, item: _Item, code: ErrorCode, message: str, field: str = "") -> None:
        for request in item.requests:
            if not request.future.done():
                request.future.set_exception(ApiError(code, message, field))
        self._finish(item)

    def _finish(self, item: _Item) -> None:
        if self._busy.get(item.channel) is item:
            del self._busy[item.channel]
        if item.channel in self._waiting:
            self._schedule_dispatch()

    # -- tasks ---------------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        if self._closed:  # close() fails what is still on the way
            coro.close()
            return
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("seqnum client task failed", exc_info=task.exception())
