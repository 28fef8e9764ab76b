"""InboxStore on Redis, shared by every node of a cluster (and the PostgreSQL wiring).

Keys (under the online state's prefix, ``{user}`` hash tags keep a user's keys in one
cluster slot): inbox:{u} zset peer->last ts plus inboxseq:{u} hash peer->last seqnum,
read:{u} hash channel->marker. Monotonic updates run as Lua scripts so that racing nodes
cannot interleave a read and a write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from ..models import InboxEntry, Page
from ..paging import check_limit

_INT64_MAX = (1 << 63) - 1

# KEYS[1] hash, ARGV[1] field, ARGV[2] value: keep the maximum; returns it.
_HMAX = """
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local new = tonumber(ARGV[2])
if new > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]); return new end
return cur
"""
# KEYS[1] inbox zset, KEYS[2] inboxseq hash; ARGV peer, seqnum, ts.
_INBOX = """
redis.call('ZADD', KEYS[1], 'GT', ARGV[3], ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
return 0
"""


class RedisInboxStore:
    def __init__(self, client: Redis, *, prefix: str = "prim:", owns_client: bool = False) -> None:
        self._r = client
        self._p = prefix
        self._owns = owns_client
        self._hmax = client.register_script(_HMAX)
        self._inbox = client.register_script(_INBOX)

    def _k(self, kind: str, user_id: int) -> str:
        return f"{self._p}{kind}:{{{user_id}}}"

    async def record_inbox(self, user_id: int, peer_id: int, seqnum: int, ts: int) -> None:
        await self._inbox(
            keys=[self._k("inbox", user_id), self._k("inboxseq", user_id)],
            args=[str(peer_id), str(seqnum), str(ts)],
        )

    async def record_inbox_many(self, user_ids: Sequence[int], peer_id: int, seqnum: int,
                                ts: int) -> None:
        # One round trip; each user's keys stay in their own slot.
        async with self._r.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                await self._inbox(
                    keys=[self._k("inbox", user_id), self._k("inboxseq", user_id)],
                    args=[str(peer_id), str(seqnum), str(ts)], client=pipe)
            await pipe.execute()

    async def record_inbox_entries(self, entries: Sequence[tuple[int, int, int, int]]) -> None:
        if not entries:
            return
        async with self._r.pipeline(transaction=False) as pipe:
            for user_id, peer_id, seqnum, ts in entries:
                await self._inbox(
                    keys=[self._k("inbox", user_id), self._k("inboxseq", user_id)],
                    args=[str(peer_id), str(seqnum), str(ts)], client=pipe)
            await pipe.execute()

    async def get_inbox(
        self, user_id: int, since: int, *, offset: int = 0, limit: int = 100
    ) -> Page[InboxEntry]:
        check_limit(limit)
        offset = min(offset, _INT64_MAX)  # Redis's LIMIT takes signed 64-bit integers
        # Redis orders equal times by member, descending: stable from page to page.
        pairs: Any = await self._r.zrevrangebyscore(
            self._k("inbox", user_id), "+inf", since, start=offset, num=limit + 1,
            withscores=True)
        more = len(pairs) > limit
        pairs = pairs[:limit]
        if not pairs:
            return Page([], None)
        peers = [_s(p) for p, _ in pairs]
        seqs: list[Any] = await self._r.hmget(self._k("inboxseq", user_id), peers)
        entries = [
            InboxEntry(int(peer), int(seq or 0), int(ts))
            for peer, (_, ts), seq in zip(peers, pairs, seqs, strict=True)
        ]
        return Page(entries, offset + limit if more else None)

    async def set_read_marker(self, user_id: int, channel: str, seqnum: int) -> int:
        value = await self._hmax(keys=[self._k("read", user_id)], args=[channel, str(seqnum)])
        return int(value)

    async def get_read_markers(self, user_id: int, channels: Sequence[str]) -> dict[str, int]:
        if not channels:
            return {}
        values: list[Any] = await self._r.hmget(self._k("read", user_id), list(channels))
        return {c: int(v or 0) for c, v in zip(channels, values, strict=True)}

    async def forget_user(self, user_id: int) -> None:
        await self._r.delete(*(self._k(kind, user_id) for kind in ("inbox", "inboxseq", "read")))

    async def close(self) -> None:
        if self._owns:
            await self._r.aclose()


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
