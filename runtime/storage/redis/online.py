"""OnlineState on Redis, shared by every message node and scheduler.

Keys (all under a configurable prefix; ``{user}`` hash tags keep a user's keys in one
cluster slot): conn:{u} hash device->node, node:{u} the placed node, last:{u} last-online
ms (the inbox and read markers are redis/inbox.py's, under the same prefix). Conditional
and monotonic updates run as Lua scripts so that racing nodes cannot interleave a read and
a write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

# KEYS[1] hash, ARGV[1] field, ARGV[2] expected value: delete only if it still matches.
_HDEL_IF = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
"""
# KEYS[1] string, ARGV[1] expected value.
_DEL_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS[1] string, ARGV[1] value: keep the maximum.
_SMAX = """
local cur = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1]) end
return 0
"""


class RedisOnlineState:
    def __init__(self, client: Redis, *, prefix: str = "prim:", owns_client: bool = False) -> None:
        self._r = client
        self._p = prefix
        self._owns = owns_client
        self._hdel_if = client.register_script(_HDEL_IF)
        self._del_if = client.register_script(_DEL_IF)
        self._smax = client.register_script(_SMAX)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "prim:") -> RedisOnlineState:
        return cls(Redis.from_url(url), prefix=prefix, owns_client=True)

    def _k(self, kind: str, user_id: int) -> str:
        return f"{self._p}{kind}:{{{user_id}}}"

    async def add_connection(self, user_id: int, device_id: str, node_id: int) -> None:
        await self._r.hset(self._k("conn", user_id), device_id, str(node_id))

    async def remove_connection(
        self, user_id: int, device_id: str, node_id: int | None = None
    ) -> bool:
        key = self._k("conn", user_id)
        if node_id is None:
            return bool(await self._r.hdel(key, device_id))
        return bool(await self._hdel_if(keys=[key], args=[device_id, str(node_id)]))

    async def get_connections(self, user_id: int) -> dict[str, int]:
        raw: dict[Any, Any] = await self._r.hgetall(self._k("conn", user_id))
        return {_s(k): int(v) for k, v in raw.items()}

    async def get_connections_many(self, user_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        users = list(dict.fromkeys(user_ids))
        if not users:
            return {}
        async with self._r.pipeline(transaction=False) as pipe:
            for user_id in users:
                pipe.hgetall(self._k("conn", user_id))
            replies: list[dict[Any, Any]] = await pipe.execute()
        return {user_id: {_s(k): int(v) for k, v in raw.items()}
                for user_id, raw in zip(users, replies, strict=True) if raw}

    async def set_user_node(self, user_id: int, node_id: int) -> None:
        await self._r.set(self._k("node", user_id), str(node_id))

    async def get_user_node(self, user_id: int) -> int | None:
        value = await self._r.get(self._k("node", user_id))
        return None if value is None else int(value)

    async def clear_user_node(self, user_id: int, node_id: int | None = None) -> bool:
        key = self._k("node", user_id)
        if node_id is None:
            return bool(await self._r.delete(key))
        return bool(await self._del_if(keys=[key], args=[str(node_id)]))

    async def set_last_online(self, user_id: int, ts: int) -> None:
        await self._smax(keys=[self._k("last", user_id)], args=[str(ts)])

    async def get_last_online(self, user_id: int) -> int | None:
        value = await self._r.get(self._k("last", user_id))
        return None if value is None else int(value)

    async def forget_user(self, user_id: int) -> None:
        await self._r.delete(*(self._k(kind, user_id) for kind in ("conn", "node", "last")))

    async def close(self) -> None:
        if self._owns:
            await self._r.aclose()


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
