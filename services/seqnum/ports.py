"""The two narrow interfaces of the seqnum service.

`SeqnumSource` is what a consumer of numbers needs (the message pipeline, SeqnumService):
the in-process `SeqnumAllocator`, the leased one, and the network `SeqnumClient` all fit it,
so a message node is wired with whichever its deployment has. `LeaseStore` is the segment
store that several seqnum instances share (PostgresSeqnumStore).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from prim.runtime.storage.postgres.seqnum import SectionLease


class SeqnumSource(Protocol):
    async def allocate(self, channel: str, count: int = 1) -> int:
        """Takes `count` consecutive numbers of `channel`; returns the first. A channel's
        numbers are handed out in call order."""
        ...

    async def newest(self, channel: str) -> int:
        """The newest number handed out for `channel` (0: none), taking none; never below
        one handed out, possibly above (numbers skipped)."""
        ...


class LeaseStore(Protocol):
    async def acquire(self, section: int, owner: str, ttl_ms: int) -> SectionLease: ...

    async def save_leased(self, section: int, ceiling: int, owner: str,
                          ttl_ms: int) -> int | None: ...

    async def renew(self, owner: str, sections: Iterable[int], ttl_ms: int) -> set[int]: ...

    async def release(self, owner: str) -> None: ...
