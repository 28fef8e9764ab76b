"""The idempotency key of a sequenced message and the digest stored with it.

The key is (sender, receiver, sending device, client timestamp): two devices of one user
may send in the same millisecond. The digest of the original (type, payload) tells a resend
(same digest: answered with the first copy's seqnum) from a different message that reuses
the key (refused). It is taken at the first write, so later edits and withdrawals, which
change the stored payload, do not change it.
"""

from __future__ import annotations

import hashlib

# sender, receiver, device, client timestamp
IdempotencyKey = tuple[int, int, str, int]


def content_digest(type_: int, payload: bytes) -> bytes:
    return hashlib.blake2b(type_.to_bytes(2, "big") + payload, digest_size=16).digest()


def conflicts(stored: bytes | None, type_: int, payload: bytes) -> bool:
    """True when a message with this key was stored with another type or payload."""
    return stored is not None and stored != content_digest(type_, payload)
