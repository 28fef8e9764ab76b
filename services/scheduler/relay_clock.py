"""Relay timestamps that no two scheduler instances ever mint twice, and the device id a
relay is sent from.

(sender, receiver, device, timestamp) is the idempotency key of a relayed event downstream,
so a relay without a timestamp must get one that no other relay used: one Redis counter
shared by every instance, moved by an atomic script to max(now, last + 1). It stays close to
the wall clock and keeps increasing even when instances' clocks disagree or go back. The
device part is random per start (`new_relay_device`), so a relay never meets a key stored
before a restart, whatever the clock did meanwhile.

The client and prefix come from a redis://...?prefix= URL through `factory.redis_client`,
like the node registry's.
"""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

# KEYS[1] the last timestamp handed out; ARGV[1] now (ms).
_NEXT = """
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local ts = math.max(tonumber(ARGV[1]), last + 1)
redis.call('SET', KEYS[1], string.format('%d', ts))
return ts
"""


def new_relay_device() -> str:
    """The device id of one process's relays: never the same twice, nor a client's."""
    return f"relay:{secrets.token_hex(8)}"


class RedisRelayClock:
    def __init__(self, client: Redis, *, prefix: str = "prim:",
                 owns_client: bool = False) -> None:
        self._r = client
        self._key = f"{prefix}relay:last_ts"
        self._owns = owns_client
        self._next = client.register_script(_NEXT)

    async def next_timestamp(self, now: int) -> int:
        """A timestamp (ms) at or after ``now`` and above every one handed out before."""
        return int(await self._next(keys=[self._key], args=[str(now)]))

    async def close(self) -> None:
        if self._owns:
            await self._r.aclose()
