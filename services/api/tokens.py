"""Access tokens: 256 random bits shown to the client once; only their SHA-256 is stored,
so a leaked database does not leak usable tokens."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "prim_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_device_id() -> str:
    return secrets.token_hex(8)
