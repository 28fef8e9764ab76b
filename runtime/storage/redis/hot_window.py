"""A Redis hot window in front of a durable MessageStore: the last N messages per channel.

Recent history is what clients read most (opening a chat, catching up after a short
disconnect), so those reads skip the database. Writes go to the database first and then to
the window, so Redis never holds a message the database lacks.

Per channel: win:{c} is a zset (score = seqnum, member = encoded message) and winfloor:{c}
the lowest seqnum from which the window is complete. A window is only trusted when both
keys exist (eviction may drop either); otherwise it restarts at the next written message.
All writes to the channel must go through this class, or the window goes stale.

Once the database holds a write, a failed window update is not the write's failure: the
channel's window is dropped instead (reads fall back to the database until it restarts),
so the caller never reports a stored message as unsent and the window never hides it.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from redis.asyncio import Redis

from ..codec import decode_message, encode_message
from ..idempotency import IdempotencyKey
from ..models import InsertResult, KeyMatch, Message
from ..ports import MessageStore

log = logging.getLogger("prim.storage.hot_window")

# KEYS win, floor; ARGV seqnum, blob, capacity, ttl_ms
_ADD = """
local seq = tonumber(ARGV[1])
local floor = redis.call('GET', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 0 or not floor then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], ARGV[1])
elseif seq < tonumber(floor) then
  return 0
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local cap = tonumber(ARGV[3])
local n = redis.call('ZCARD', KEYS[1])
if n > cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  redis.call('SET', KEYS[2], first[2])
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
"""
# KEYS win, floor; ARGV seqnum, blob: replace a cached message (edit / withdraw).
_REPLACE = """
if redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1]) > 0 then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
"""
# KEYS win, floor; ARGV direction ('f' or 'b'), bound, limit. Returns {floor, items...}
# or an empty table when the window is unusable.
_READ = """
local floor = redis.call('GET', KEYS[2])
if not floor or redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local items
if ARGV[1] == 'f' then
  if tonumber(ARGV[2]) < tonumber(floor) then return {} end
  items = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf', 'LIMIT', 0, ARGV[3])
else
  items = redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '-inf', 'LIMIT', 0, ARGV[3])
end
table.insert(items, 1, floor)
return items
"""


class RedisHotWindowMessageStore:
    def __init__(
        self,
        durable: MessageStore,
        client: Redis,
        *,
        capacity: int = 200,
        ttl_ms: int = 24 * 3600 * 1000,
        prefix: str = "prim:",
        owns_client: bool = False,
    ) -> None:
        if capacity <= 0:
            raise ValueError("hot window capacity must be positive")
        self.durable = durable
        self._r = client
        self._capacity = capacity
        self._ttl_ms = ttl_ms
        self._p = prefix
        self._owns = owns_client
        self._add = client.register_script(_ADD)
        self._replace = client.register_script(_REPLACE)
        self._read = client.register_script(_READ)

    def _keys(self, channel: str) -> list[str]:
        return [f"{self._p}win:{{{channel}}}", f"{self._p}winfloor:{{{channel}}}"]

    async def _cache(self, messages: Sequence[Message]) -> None:
        try:
            async with self._r.pipeline(transaction=False) as pipe:
                for m in messages:
                    await self._add(
                        keys=self._keys(m.channel),
                        args=[m.seqnum, encode_message(m), self._capacity, self._ttl_ms],
                        client=pipe,
                    )
                await pipe.execute()
        except Exception as exc:
            log.warning("hot window update failed (%s); dropping the windows it touched", exc)
            await self._drop({m.channel for m in messages})

    async def _drop(self, channels: Iterable[str]) -> None:
        """Forgets the windows of `channels` (one DEL each: the keys of different channels
        may live in different cluster slots)."""
        try:
            async with self._r.pipeline(transaction=False) as pipe:
                for channel in channels:
                    pipe.delete(*self._keys(channel))
                await pipe.execute()
        except Exception:
            log.exception("could not drop the hot windows of %s; they may miss a message "
                          "until they expire", sorted(channels))

    async def insert(self, message: Message) -> InsertResult:
        result = await self.durable.insert(message)
        if result.inserted:
            await self._cache([message])
        return result

    async def insert_many(self, messages: Sequence[Message]) -> list[InsertResult]:
        results = await self.durable.insert_many(messages)
        fresh = [m for m, r in zip(messages, results, strict=True) if r.inserted]
        if fresh:
            await self._cache(fresh)
        return results

    async def find_by_idempotency_key(
        self, sender: int, receiver: int, client_ts: int, device: str = ""
    ) -> KeyMatch | None:
        return await self.durable.find_by_idempotency_key(sender, receiver, client_ts, device)

    async def find_by_idempotency_keys(
        self, keys: Sequence[IdempotencyKey]
    ) -> list[KeyMatch | None]:
        return await self.durable.find_by_idempotency_keys(keys)

    async def get(self, channel: str, seqnum: int) -> Message | None:
        hits: list[Any] = await self._r.zrangebyscore(self._keys(channel)[0], seqnum, seqnum)
        if hits:
            return decode_message(hits[0])
        return await self.durable.get(channel, seqnum)

    async def read_forward(self, channel: str, from_seqnum: int, limit: int) -> list[Message]:
        if limit <= 0:
            return []
        reply: list[Any] = await self._read(
            keys=self._keys(channel), args=["f", from_seqnum, limit]
        )
        if not reply:
            return await self.durable.read_forward(channel, from_seqnum, limit)
        return [decode_message(b) for b in reply[1:]]

    async def read_backward(self, channel: str, before_seqnum: int, limit: int) -> list[Message]:
        if limit <= 0:
            return []
        reply: list[Any] = await self._read(
            keys=self._keys(channel), args=["b", before_seqnum, limit]
        )
        if not reply:
            return await self.durable.read_backward(channel, before_seqnum, limit)
        cached = [decode_message(b) for b in reply[1:]]
        if len(cached) == limit:
            return cached
        # The window ran out: the rest is older than its floor, in the database.
        floor = int(reply[0])
        bound = min(before_seqnum, floor)
        older = await self.durable.read_backward(channel, bound, limit - len(cached))
        return cached + older

    async def last_seqnum(self, channel: str) -> int:
        return await self.durable.last_seqnum(channel)

    async def count_after(
        self, channel: str, after_seqnum: int, cap: int, *, types: Collection[int],
        not_from: int = 0,
    ) -> int:
        return await self.durable.count_after(channel, after_seqnum, cap, types=types,
                                              not_from=not_from)

    async def _refresh(self, message: Message | None) -> Message | None:
        if message is not None:
            try:
                await self._replace(
                    keys=self._keys(message.channel),
                    args=[message.seqnum, encode_message(message)],
                )
            except Exception as exc:
                log.warning("hot window refresh failed (%s); dropping the window", exc)
                await self._drop([message.channel])
        return message

    async def edit(
        self, channel: str, seqnum: int, payload: bytes, edited_at: int
    ) -> Message | None:
        return await self._refresh(await self.durable.edit(channel, seqnum, payload, edited_at))

    async def withdraw(self, channel: str, seqnum: int) -> Message | None:
        return await self._refresh(await self.durable.withdraw(channel, seqnum))

    async def close(self) -> None:
        if self._owns:
            await self._r.aclose()
