"""Password hashing with scrypt (hashlib, no extra dependency): slow, salted, and the cost
parameters stored with each hash so they can be raised later without breaking logins.

scrypt is the cheapest way to make the server burn CPU, so it runs in a pool of its own
(ScryptPool): a few threads (hashlib releases the GIL) and a bounded queue; past the queue a
check is refused at once with UNAVAILABLE instead of piling up work, and the shared default
executor (DNS, file I/O) never waits behind password hashing."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.errors import ApiError

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


class ScryptPool:
    """`threads` hashes at once and at most `queue` waiting; more is UNAVAILABLE (503)."""

    def __init__(self, threads: int, queue: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=threads,
                                            thread_name_prefix="prim-scrypt")
        self._capacity = threads + queue
        self._busy = 0

    async def hash(self, password: str, log_n: int) -> str:
        async with self._slot():
            return await asyncio.get_running_loop().run_in_executor(
                self._executor, hash_password, password, log_n)

    async def verify(self, password: str, stored: str) -> bool:
        async with self._slot():
            return await asyncio.get_running_loop().run_in_executor(
                self._executor, verify_password, password, stored)

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        if self._busy >= self._capacity:
            raise ApiError(ErrorCode.UNAVAILABLE, "the server is checking too many passwords "
                           "right now; try again in a second", retry_after_ms=1000)
        self._busy += 1
        try:
            yield
        finally:
            self._busy -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
