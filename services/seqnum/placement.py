"""Which seqnum instance serves a section: rendezvous (highest-random-weight) hashing.

Every process that knows the same live instances computes the same answer with no shared
state (message nodes, the scheduler's SelectSeqnumNode), and when an instance joins or
leaves only the sections it wins or held move. The weight is a blake2b digest of the
instance id and the section: stable across processes and Python versions, unlike hash().
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TypeVar

from .allocator import DEFAULT_SECTIONS, section_of

InstanceId = TypeVar("InstanceId", bound=str | int)


def weight(instance_id: str | int, section: int) -> int:
    """The instance's score for `section`; ids are compared by their decimal/str form, so
    node id 7 and "7" score the same."""
    digest = hashlib.blake2b(f"{instance_id}/{section}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def rendezvous_order(section: int, instance_ids: Iterable[InstanceId]) -> list[InstanceId]:
    """The instances in the order a caller should try them for `section`: the winner first,
    then the one that wins once the winner is gone, and so on."""
    return sorted(set(instance_ids), key=lambda i: (weight(i, section), str(i)), reverse=True)


def instance_for_section(section: int,
                         instance_ids: Iterable[InstanceId]) -> InstanceId | None:
    """The winner for `section`, or None when there is no instance."""
    order = rendezvous_order(section, instance_ids)
    return order[0] if order else None


def instance_for_channel(channel: str, instance_ids: Iterable[InstanceId], *,
                         sections: int = DEFAULT_SECTIONS) -> InstanceId | None:
    """The winner for the section of `channel` (as the allocator hashes it)."""
    return instance_for_section(section_of(channel, sections), instance_ids)
