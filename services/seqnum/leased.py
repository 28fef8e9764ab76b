"""Sequence numbers when several seqnum instances share one segment store.

The WeChat seqsvr allocator (allocator.py) plus a lease per section, so that a channel's
numbers come from one instance at a time:

- Before handing out a number of a section the instance holds its lease. Locally the lease
  counts as valid until (local time when the acquire/renew request started + ttl - safety
  margin): the store measured its expiry from a later moment, so the instance stops before
  any successor can start, as long as the clocks' rates agree within the margin.
- On acquiring a section the instance resumes at the store's ceiling, which is above every
  number any previous owner handed out (an owner hands out only numbers under a ceiling it
  persisted first).
- Ceilings are raised with `save_leased`, which refuses once the lease is lost: that fencing
  is what keeps a stalled instance (a long GC pause, a skewed clock) from handing out
  numbers its successor hands out too.
- A background task renews the leases of sections used recently and lets idle ones lapse,
  so a section moves freely to another instance once nobody here needs it.

The common path (lease valid, number under the ceiling) does no I/O.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.errors import ApiError
from prim.runtime.tasks import cancel_and_wait

from .allocator import DEFAULT_SECTIONS, DEFAULT_STEP, section_of
from .ports import LeaseStore

log = logging.getLogger("prim.seqnum")

DEFAULT_TTL_MS = 10_000


@dataclass(slots=True)
class _HeldSection:
    ceiling: int  # persisted under our lease
    floor: int  # the ceiling when we acquired it: where a channel not seen since resumes
    valid_until: float  # local (monotonic) end of the lease, safety margin included
    confirmed_at: float  # local start of the request that last confirmed the lease
    last_used: float
    channels: dict[str, int] = field(default_factory=dict)  # channel -> last number handed out


class LeasedSeqnumAllocator:
    """`owner` must be unique among live instances (e.g. the node id): a restarted instance
    with the same owner takes its own leases back at once."""

    def __init__(self, store: LeaseStore, owner: str, *, ttl_ms: int = DEFAULT_TTL_MS,
                 safety_margin_ms: int | None = None, idle_ms: int | None = None,
                 step: int = DEFAULT_STEP, sections: int = DEFAULT_SECTIONS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        margin = ttl_ms // 5 if safety_margin_ms is None else safety_margin_ms
        if step < 1:
            raise ValueError("step must be positive")
        if not owner:
            raise ValueError("owner must name this instance")
        if not 0 <= margin < ttl_ms:
            raise ValueError("the safety margin must be shorter than the ttl")
        self.owner = owner
        self._store = store
        self._ttl_ms = ttl_ms
        self._life = (ttl_ms - margin) / 1000  # seconds a lease counts as held locally
        self._idle = (ttl_ms if idle_ms is None else idle_ms) / 1000
        self._step = step
        self._sections = sections
        self._clock = clock
        self._held: dict[int, _HeldSection] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._renewer: asyncio.Task[None] | None = None
        self._closed = False

    async def start(self) -> None:
        """Starts renewing leases in the background (sections are acquired on first use)."""
        if self._renewer is None:
            self._renewer = asyncio.create_task(self._renew_forever(),
                                                name=f"seqnum-leases-{self.owner}")

    async def allocate(self, channel: str, count: int = 1) -> int:
        """Takes `count` consecutive numbers for `channel`; returns the first. ApiError
        UNAVAILABLE when another live instance holds the channel's section."""
        if count < 1:
            raise ValueError("count must be positive")
        section = section_of(channel, self._sections)
        lock = self._lock(section)
        # An uncontended asyncio.Lock is taken without yielding, so the common path costs no
        # scheduling; the lock keeps a section's store calls (and its channels' numbers) in
        # call order.
        async with lock:
            held = await self._held_now(section, channel)
            last = held.channels.get(channel, held.floor)
            new_last = last + count
            if new_last > held.ceiling:
                await self._raise_ceiling(section, channel, held, new_last + self._step)
            now = self._clock()
            if now >= held.valid_until:  # the store answered too slowly to trust the lease
                raise ApiError(ErrorCode.UNAVAILABLE,
                               f"the lease of section {section} ran out while the segment "
                               "store answered; try again")
            held.channels[channel] = new_last
            held.last_used = now
            return last + 1

    async def newest(self, channel: str) -> int:
        """The newest number handed out for `channel`; ApiError UNAVAILABLE when another
        live instance holds its section. A section not held yet is acquired (as by
        allocate): its floor is above every number handed out before."""
        section = section_of(channel, self._sections)
        lock = self._lock(section)
        async with lock:
            held = await self._held_now(section, channel)
            return held.channels.get(channel, held.floor)

    def _lock(self, section: int) -> asyncio.Lock:
        lock = self._locks.get(section)
        if lock is None:
            lock = self._locks[section] = asyncio.Lock()
        return lock

    async def _held_now(self, section: int, channel: str) -> _HeldSection:
        """The section's lease, taken or renewed when this instance does not hold it now."""
        if self._closed:
            raise ApiError(ErrorCode.UNAVAILABLE,
                           f"seqnum instance {self.owner} is shutting down; try another")
        held = self._held.get(section)
        if held is None or self._clock() >= held.valid_until:
            held = await self._acquire(section, channel, held)
        return held

    def held_sections(self) -> set[int]:
        """The sections whose lease this instance holds now (by its local reckoning)."""
        now = self._clock()
        return {s for s, h in self._held.items() if now < h.valid_until}

    async def renew_leases(self) -> None:
        """One round of the background task: renews the sections used within the idle time,
        forgets the others once their lease has run out."""
        now = self._clock()
        wanted = []
        for section, held in list(self._held.items()):
            if now - held.last_used > self._idle:
                if now >= held.valid_until:
                    del self._held[section]  # lapsed: acquired afresh on its next use
            elif now < held.valid_until:
                wanted.append(section)
        if not wanted:
            return
        started = self._clock()
        renewed = await self._store.renew(self.owner, wanted, self._ttl_ms)
        for section in wanted:
            current = self._held.get(section)
            if current is None:
                continue
            if section in renewed:
                current.valid_until = max(current.valid_until, started + self._life)
                current.confirmed_at = max(current.confirmed_at, started)
            elif current.confirmed_at <= started:
                # Lost (expired, or taken by another instance): stop using it now; the next
                # allocation acquires it again or learns who holds it.
                log.warning("seqnum %s lost the lease of section %d", self.owner, section)
                current.valid_until = 0.0

    async def close(self, *, release: bool = True) -> None:
        """Stops handing out numbers, then (with `release`) gives the leases up so another
        instance can take them at once. Without it the leases run out as after a crash."""
        self._closed = True
        await cancel_and_wait(self._renewer)
        self._renewer = None
        # Wait out the allocations that are talking to the store, so none hands out a number
        # after its lease is given up.
        for lock in list(self._locks.values()):
            async with lock:
                pass
        for held in self._held.values():
            held.valid_until = 0.0
        if release:
            await self._store.release(self.owner)

    # -- store calls -------------------------------------------------------------------------
    async def _acquire(self, section: int, channel: str,
                       old: _HeldSection | None) -> _HeldSection:
        started = self._clock()
        try:
            lease = await self._store.acquire(section, self.owner, self._ttl_ms)
        except Exception as exc:
            raise self._store_failed(exc) from exc
        if not lease.granted:
            self._held.pop(section, None)
            raise ApiError(ErrorCode.UNAVAILABLE,
                           f"section {section} of channel {channel} is leased to seqnum "
                           f"instance {lease.holder}; try another instance")
        valid_until = started + self._life
        if old is not None and old.ceiling == lease.ceiling:
            # Nobody raised the ceiling since we held it, so nobody handed out a number of
            # this section meanwhile: what we counted still stands.
            old.valid_until, old.confirmed_at = valid_until, started
            return old
        held = _HeldSection(ceiling=lease.ceiling, floor=lease.ceiling, valid_until=valid_until,
                            confirmed_at=started, last_used=started)
        self._held[section] = held
        return held

    async def _raise_ceiling(self, section: int, channel: str, held: _HeldSection,
                             ceiling: int) -> None:
        started = self._clock()
        try:
            saved = await self._store.save_leased(section, ceiling, self.owner, self._ttl_ms)
        except Exception as exc:
            raise self._store_failed(exc) from exc
        if saved is None:
            self._held.pop(section, None)
            raise ApiError(ErrorCode.UNAVAILABLE,
                           f"seqnum instance {self.owner} lost the lease of section {section} "
                           f"(channel {channel}); try again")
        held.ceiling = saved
        held.valid_until = max(held.valid_until, started + self._life)
        held.confirmed_at = max(held.confirmed_at, started)

    def _store_failed(self, exc: Exception) -> ApiError:
        log.warning("seqnum %s: the segment store failed: %r", self.owner, exc)
        return ApiError(ErrorCode.UNAVAILABLE,
                        f"seqnum instance {self.owner} cannot reach its segment store; "
                        "try another instance")

    async def _renew_forever(self) -> None:
        interval = self._ttl_ms / 3000
        while True:
            await asyncio.sleep(interval)
            try:
                await self.renew_leases()
            except Exception:
                # Leases this round did not renew run out locally on their own.
                log.warning("seqnum %s could not renew its leases", self.owner, exc_info=True)
