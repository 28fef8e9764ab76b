"""The scheduler's node registry on Redis, shared by every scheduler instance: which nodes
of each role are registered, their addresses, load and last heartbeat, and the claims that
make concurrent placements of one user agree.

Keys (under a configurable prefix, as for the online state; build the client and prefix
from a redis://...?prefix= URL with `factory.redis_client`): nodes:{role} hash node id ->
bytes(NodeInfo); nodes:next_id the counter fresh ids come from; placing:{user} the node a
scheduler just chose for the user (it expires on Redis's own clock: it only has to outlive
a race). A NodeInfo is changed only by compare-and-set on its bytes, so a heartbeat racing
an unregister or a re-registration can never write back a stale record.

Liveness is decided against the ``now`` the caller passes (the scheduler's clock, ms):
every scheduler instance must therefore run with synchronised clocks (NTP), or one
instance may call a node dead that another still sees alive.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from redis.asyncio import Redis

from prim.generated.prim.v1 import NodeInfo, NodeRole
from prim.generated.wire import MAX_NODE_ID

#: An entry past its lease for this many leases is deleted: its node must register again.
FORGET_AFTER_LEASES = 10
#: Attempts at a compare-and-set before giving up (each failure means another writer won).
_CAS_ATTEMPTS = 16

# KEYS[1] the id counter; ARGV[1] the id asked for (0: a fresh one). A requested id lifts
# the counter above it so that later fresh ids never collide with it.
_CLAIM_ID = """
local wanted = tonumber(ARGV[1])
if wanted == 0 then return redis.call('INCR', KEYS[1]) end
if tonumber(redis.call('GET', KEYS[1]) or '0') < wanted then
  redis.call('SET', KEYS[1], ARGV[1])
end
return wanted
"""
# KEYS[1] hash; ARGV[1] field, ARGV[2] expected bytes, ARGV[3] new bytes (absent: delete).
_HASH_CAS = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
else redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1
"""
# KEYS[1] the user's claim; ARGV[1] the candidate node, ARGV[2] claim lifetime ms,
# ARGV[3..] the live node ids. A claim on a live node stands; otherwise the candidate's
# replaces it. Returns the node that holds the claim now.
_CLAIM_PLACEMENT = """
local current = redis.call('GET', KEYS[1])
if current then
  for i = 3, #ARGV do
    if ARGV[i] == current then return tonumber(current) end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return tonumber(ARGV[1])
"""


class NodeIdsExhausted(Exception):
    """The fresh-id counter passed the largest node id a frame header can carry."""


class RedisNodeRegistry:
    """``client`` must return bytes (no decode_responses): records are protobuf bytes."""

    def __init__(self, client: Redis, *, prefix: str = "prim:",
                 owns_client: bool = False) -> None:
        self._r = client
        self._p = prefix
        self._owns = owns_client
        self._claim_id = client.register_script(_CLAIM_ID)
        self._hash_cas = client.register_script(_HASH_CAS)
        self._claim_placement = client.register_script(_CLAIM_PLACEMENT)

    def _role_key(self, role: NodeRole) -> str:
        return f"{self._p}nodes:{NodeRole(role).name.lower()}"

    async def register(self, node: NodeInfo, *, now: int) -> NodeInfo:
        """Stores ``node`` under the id it asks for, or a fresh one when it asks for 0;
        returns the record stored (with the id granted and ``now`` as its heartbeat)."""
        node_id = int(await self._claim_id(keys=[f"{self._p}nodes:next_id"],
                                           args=[str(node.node_id)]))
        if node_id > MAX_NODE_ID:
            raise NodeIdsExhausted(f"node id {node_id} does not fit a frame header")
        stored = NodeInfo(node_id=node_id, role=node.role, address=node.address,
                          tcp_address=node.tcp_address, rpc_address=node.rpc_address,
                          connections=node.connections, last_heartbeat_at_ms=now,
                          webtransport_url=node.webtransport_url,
                          websocket_url=node.websocket_url,
                          webtransport_certificate_hashes=list(
                              node.webtransport_certificate_hashes))
        await self._r.hset(self._role_key(node.role), str(node_id), bytes(stored))
        return stored

    async def heartbeat(self, node_id: int, connections: int, *, now: int) -> bool:
        """Refreshes every role the node is registered in; False when it is in none."""
        keys = [self._role_key(role) for role in NodeRole]
        async with self._r.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hget(key, str(node_id))
            records: list[bytes | None] = await pipe.execute()
        found = False
        for key, raw in zip(keys, records, strict=True):
            if raw is not None:
                found |= await self._refresh(key, node_id, raw, connections, now)
        return found

    async def _refresh(self, key: str, node_id: int, raw: bytes | None, connections: int,
                       now: int) -> bool:
        for _ in range(_CAS_ATTEMPTS):
            if raw is None:
                return False
            node = NodeInfo.parse(raw)
            node.connections = connections
            node.last_heartbeat_at_ms = now
            if await self._hash_cas(keys=[key], args=[str(node_id), raw, bytes(node)]):
                return True
            fresh: Any = await self._r.hget(key, str(node_id))
            raw = fresh
        raise RuntimeError(f"heartbeat of node {node_id} kept losing to other writers")

    async def unregister(self, node_id: int) -> None:
        async with self._r.pipeline(transaction=False) as pipe:
            for role in NodeRole:
                pipe.hdel(self._role_key(role), str(node_id))
            await pipe.execute()

    async def _records(self, role: NodeRole) -> list[tuple[NodeInfo, bytes]]:
        raw: dict[Any, Any] = await self._r.hgetall(self._role_key(role))
        records = [(NodeInfo.parse(value), value) for value in raw.values()]
        return sorted(records, key=lambda record: record[0].node_id)

    async def nodes(self, role: NodeRole) -> list[NodeInfo]:
        """Every registered node of ``role``, live or not, by node id."""
        return [node for node, _ in await self._records(role)]

    async def live_nodes(self, role: NodeRole, *, now: int, lease_ms: int) -> list[NodeInfo]:
        """The nodes of ``role`` whose last heartbeat is within the lease, by node id.
        Entries silent for FORGET_AFTER_LEASES leases are deleted on the way."""
        live: list[NodeInfo] = []
        for node, raw in await self._records(role):
            silent = now - node.last_heartbeat_at_ms
            if silent <= lease_ms:
                live.append(node)
            elif silent > FORGET_AFTER_LEASES * lease_ms:
                # Only the very record read: a heartbeat that landed meanwhile keeps it.
                await self._hash_cas(keys=[self._role_key(role)],
                                     args=[str(node.node_id), raw])
        return live

    async def claim_placement(self, user_id: int, candidate: int, live_ids: Collection[int],
                              *, hold_ms: int) -> int:
        """Agrees on the node of a user being placed: the node another scheduler claimed
        within ``hold_ms`` if it is among ``live_ids``, else ``candidate``."""
        return int(await self._claim_placement(
            keys=[f"{self._p}placing:{{{user_id}}}"],
            args=[str(candidate), str(hold_ms), *map(str, live_ids)],
        ))

    async def close(self) -> None:
        if self._owns:
            await self._r.aclose()
