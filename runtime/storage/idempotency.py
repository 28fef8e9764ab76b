"""The idempotency key of a sequenced message and the digest stored with it.

The key is (sender, receiver, sending device, client timestamp): two devices of one user
may send in the same millisecond. The digest of the original (type, payload) tells a resend
(same digest: answered with the first copy's seqnum) from a different message that reuses
the key (refused). It is taken at the first write, so later edits and withdrawals, which
change the stored payload, do not change it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from .models import Message

# sender, receiver, device, client timestamp
IdempotencyKey = tuple[int, int, str, int]


def content_digest(type_: int, payload: bytes) -> bytes:
    return hashlib.blake2b(type_.to_bytes(2, "big") + payload, digest_size=16).digest()


def conflicts(stored: bytes | None, type_: int, payload: bytes) -> bool:
    """True when a message with this key was stored with another type or payload."""
    return stored is not None and stored != content_digest(type_, payload)


# What a batch INSERT ... RETURNING gives back per inserted row: where it went and its key.
InsertedRow = tuple[str, int, int, int, str, int]  # channel, seqnum, sender, receiver,
#                                                     device, client timestamp


def inserted_flags(messages: Sequence[Message], returned: Iterable[Sequence[Any]]) -> list[bool]:
    """Which of `messages` a multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING wrote,
    from the rows it returned (in any order). A row (one per primary key) is claimed by
    the first message that matches it in place and key, as a row-by-row insert in the
    same order would have written it; the others found a row already there."""
    left: set[InsertedRow] = {
        (str(r[0]), int(r[1]), int(r[2]), int(r[3]), str(r[4]), int(r[5])) for r in returned}
    flags = []
    for m in messages:
        key = (m.channel, m.seqnum, m.sender, m.receiver, m.device, m.client_ts)
        flags.append(key in left)
        left.discard(key)
    return flags
