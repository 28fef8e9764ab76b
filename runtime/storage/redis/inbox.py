"""InboxStore on Redis, shared by every node of a cluster (and the PostgreSQL wiring).

Keys (under the online state's prefix, ``{user}`` hash tags keep a user's keys in one
cluster slot): inbox:{u} zset peer->last ts plus inboxseq:{u} hash peer->last seqnum,
read:{u} hash channel->marker. A group's news is kept once, under inbox:{g} and inboxseq:{g}
with the group as its own peer; a member's inbox merges it in when read. Monotonic updates
run as Lua scripts so that racing nodes cannot interleave a read and a write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from redis.asyncio import Redis

from ..models import InboxEntry, Page, is_group_id
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
        await self.record_inbox_entries([(user_id, peer_id, seqnum, ts)])

    async def record_inbox_entries(self, entries: Sequence[tuple[int, int, int, int]]) -> None:
        if not entries:
            return
        # One round trip; each user's keys stay in their own slot.
        async with self._r.pipeline(transaction=False) as pipe:
            for user_id, peer_id, seqnum, ts in entries:
                await self._inbox(
                    keys=[self._k("inbox", user_id), self._k("inboxseq", user_id)],
                    args=[str(peer_id), str(seqnum), str(ts)], client=pipe)
            await pipe.execute()

    async def get_inbox(
        self, user_id: int, since: int, *, groups: Mapping[int, int] | None = None,
        offset: int = 0, limit: int = 100,
    ) -> Page[InboxEntry]:
        check_limit(limit)
        offset = min(offset, _INT64_MAX)  # Redis's LIMIT takes signed 64-bit integers
        if not groups:
            return _page(await self._own(user_id, since, offset, limit + 1), offset, limit,
                         skipped=offset)
        # The user's own entries up to the end of the page, merged with their groups'.
        own = await self._own(user_id, since, 0, min(offset + limit + 1, _INT64_MAX))
        async with self._r.pipeline(transaction=False) as pipe:
            for group in groups:
                pipe.zscore(self._k("inbox", group), str(group))
                pipe.hget(self._k("inboxseq", group), str(group))
            found: list[Any] = await pipe.execute()
        news = [
            InboxEntry(group, int(seq or 0), int(ts))
            for (group, joined_at), ts, seq in zip(groups.items(), found[::2], found[1::2],
                                                   strict=True)
            if ts is not None and ts >= max(since, joined_at)
        ]
        return _page(own + news, offset, limit, skipped=0)

    async def _own(self, user_id: int, since: int, start: int, num: int) -> list[InboxEntry]:
        """The user's one-to-one entries from ``since`` on, in Redis's order (time, then
        member, descending); a group's entries under the user, written before a group's news
        was kept once, are folded into the group's own first."""
        while True:
            pairs: Any = await self._r.zrevrangebyscore(
                self._k("inbox", user_id), "+inf", since, start=start, num=num,
                withscores=True)
            if not pairs:
                return []
            peers = [_s(p) for p, _ in pairs]
            seqs: list[Any] = await self._r.hmget(self._k("inboxseq", user_id), peers)
            entries = [
                InboxEntry(int(peer), int(seq or 0), int(ts))
                for peer, (_, ts), seq in zip(peers, pairs, seqs, strict=True)
            ]
            legacy = [e for e in entries if is_group_id(e.peer_id)]
            if not legacy:
                return entries
            await self.record_inbox_entries(
                [(e.peer_id, e.peer_id, e.last_seqnum, e.last_ts) for e in legacy])
            names = [str(e.peer_id) for e in legacy]
            await self._r.zrem(self._k("inbox", user_id), *names)
            await self._r.hdel(self._k("inboxseq", user_id), *names)

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


def _page(entries: list[InboxEntry], offset: int, limit: int, *,
          skipped: int) -> Page[InboxEntry]:
    """The page at ``offset`` of ``entries`` (whose first ``skipped`` were left out)."""
    # Redis's own order, so that the merged page continues the zset's.
    entries.sort(key=lambda e: (e.last_ts, str(e.peer_id)), reverse=True)
    first = offset - skipped
    more = len(entries) > first + limit
    return Page(entries[first:first + limit], offset + limit if more else None)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
