"""Per-channel sequence numbers that never go backwards, even across crashes.

The WeChat seqsvr design: channels are hashed into sections; each section has a ceiling that
is persisted *before* any number below it is handed out. Numbers are counted in memory and
the store is written only when a channel crosses its section's ceiling (once per `step`
numbers of the section). After a restart every channel of a section resumes at the
section's persisted ceiling, so a crash can skip numbers but never reuse one.

This allocator assumes it is the store's only user (the embedded node); several seqnum
instances sharing one store use LeasedSeqnumAllocator (leased.py).
"""

from __future__ import annotations

import asyncio
import zlib

from prim.runtime.storage.ports import SeqnumStore

DEFAULT_SECTIONS = 1 << 16
DEFAULT_STEP = 10_000


def section_of(channel: str, sections: int = DEFAULT_SECTIONS) -> int:
    """A stable section for a channel (crc32: the same in every process, unlike hash())."""
    return zlib.crc32(channel.encode()) % sections


class SeqnumAllocator:
    def __init__(self, store: SeqnumStore, *, step: int = DEFAULT_STEP,
                 sections: int = DEFAULT_SECTIONS) -> None:
        if step < 1:
            raise ValueError("step must be positive")
        self._store = store
        self._step = step
        self._sections = sections
        self._current: dict[str, int] = {}  # channel -> last number handed out
        self._floor: dict[int, int] = {}  # section -> ceiling found at start-up
        self._ceiling: dict[int, int] = {}  # section -> persisted ceiling
        self._locks: dict[int, asyncio.Lock] = {}

    async def start(self) -> None:
        """Loads the persisted ceilings; must run before the first allocate()."""
        loaded = await self._store.load()
        self._floor = dict(loaded)
        self._ceiling = dict(loaded)

    async def allocate(self, channel: str, count: int = 1) -> int:
        """Takes `count` consecutive numbers for `channel`; returns the first."""
        if count < 1:
            raise ValueError("count must be positive")
        section = section_of(channel, self._sections)
        lock = self._locks.get(section)
        if lock is None:
            lock = self._locks[section] = asyncio.Lock()
        # An uncontended asyncio.Lock is taken without yielding, so the common path (no
        # store write) costs no scheduling; the lock only orders writers of one section.
        async with lock:
            last = self._current.get(channel, self._floor.get(section, 0))
            new_last = last + count
            if new_last > self._ceiling.get(section, 0):
                self._ceiling[section] = await self._store.save(section, new_last + self._step)
            self._current[channel] = new_last
            return last + 1

    async def newest(self, channel: str) -> int:
        """The last number handed out for `channel` by this process (or the floor)."""
        section = section_of(channel, self._sections)
        return self._current.get(channel, self._floor.get(section, 0))
