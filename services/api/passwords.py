"""Password hashing with scrypt (hashlib, no extra dependency): slow, salted, and the cost
parameters stored with each hash so they can be raised later without breaking logins."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets

_SCHEME = "scrypt"
_R, _P, _DKLEN = 8, 1, 32


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, log_n: int = 14) -> str:
    """`scrypt$<log_n>$<r>$<p>$<salt>$<key>`; log_n=14 costs ~50 ms and 16 MiB."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=1 << log_n, r=_R, p=_P,
                         maxmem=256 * 1024 * 1024, dklen=_DKLEN)
    return f"{_SCHEME}${log_n}${_R}${_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, log_n, r, p, salt, key = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = _unb64(key)
        actual = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=1 << int(log_n),
                                r=int(r), p=int(p), maxmem=256 * 1024 * 1024,
                                dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


async def hash_password_async(password: str, log_n: int = 14) -> str:
    """hash_password off the event loop (scrypt holds the CPU for tens of milliseconds)."""
    return await asyncio.to_thread(hash_password, password, log_n)


async def verify_password_async(password: str, stored: str) -> bool:
    return await asyncio.to_thread(verify_password, password, stored)
