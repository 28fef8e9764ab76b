"""AttemptCounters on Redis, shared by every api process: the limits hold for the whole
deployment instead of once per process. Keys are `<prefix>attempt:<key>` with a
millisecond TTL; INCR and the TTL go in one MULTI so a counter never lives forever."""

from __future__ import annotations

from redis.asyncio import Redis


class RedisAttemptCounters:
    def __init__(self, client: Redis, *, prefix: str = "prim:", owns_client: bool = False) -> None:
        self._r = client
        self._prefix = prefix + "attempt:"
        self._owns_client = owns_client

    async def add(self, key: str, ttl_ms: int) -> int:
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.incr(self._prefix + key)
            pipe.pexpire(self._prefix + key, ttl_ms)
            value, _ = await pipe.execute()
        return int(value)

    async def get(self, key: str) -> int:
        value = await self._r.get(self._prefix + key)
        return int(value) if value is not None else 0

    async def put(self, key: str, value: int, ttl_ms: int) -> None:
        await self._r.set(self._prefix + key, value, px=ttl_ms)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._r.delete(*(self._prefix + k for k in keys))

    async def close(self) -> None:
        if self._owns_client:
            await self._r.aclose()
