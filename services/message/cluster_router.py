"""Delivery on a cluster node: this node's connections at once (the `LocalRouter`), and
every other node that holds a connection of a receiver through `MessageNodeService.Deliver`
(PRIM's node mesh).

`deliver` never waits: the frame goes to the local connections (it is a `LocalRouter`)
and into one forwarding queue. A dispatcher takes the queue in order, finds where the
receivers are connected (one online-state round trip per batch) and appends to a queue per
peer node; each peer queue
is sent by its own task, one `Deliver` call at a time, so frames reach a node in the order
they were delivered here (a channel's seqnum order) and a slow or dead peer holds up only
its own queue. Frames for a peer that cannot be reached are dropped after a retry: they are
durable already, and the receiver's client fills the gap from history.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from prim.generated.interfaces import MessageNodeServiceInterface
from prim.generated.prim.v1 import DeliverRequest, Delivery
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage.ports import OnlineState
from prim.runtime.wire.frame import Frame
from prim.services.cluster.directory import NodeDirectory
from prim.services.message.router import LocalRouter
from prim.services.message.wire_frames import to_wire_frame

log = logging.getLogger("prim.message.cluster_router")

MAX_BATCH = 512
# Deliveries held for one peer; beyond this the oldest are dropped (and counted): a peer
# that stays this far behind is served from history by its clients instead.
MAX_QUEUED = 100_000


@dataclass(slots=True)
class ForwardStats:
    forwarded: int = 0  # deliveries handed to a peer node
    dropped: int = 0  # deliveries lost to an unreachable peer (clients fill the gap)
    calls: int = 0  # Deliver calls made
    per_node: dict[int, int] = field(default_factory=dict)


class _PeerQueue:
    def __init__(self) -> None:
        self.items: deque[Delivery] = deque()
        self.ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None


class ClusterRouter(LocalRouter):
    """This node's connections (the LocalRouter it is), plus forwarding to the others."""

    def __init__(self, *, node_id: int, online: OnlineState,
                 peers: NodeDirectory[MessageNodeServiceInterface]) -> None:
        super().__init__()
        self._node_id = node_id
        self._online = online
        self._peers = peers
        self._outbox: deque[tuple[list[int], Frame]] = deque()
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._queues: dict[int, _PeerQueue] = {}
        self.stats = ForwardStats()

    def deliver(self, user_ids: Iterable[int], frame: Frame, *, skip_connection: int = 0) -> int:
        users = list(user_ids)
        count = super().deliver(users, frame, skip_connection=skip_connection)
        self._outbox.append((users, frame))
        self._wake.set()
        return count

    def deliver_here(self, user_ids: Iterable[int], frame: Frame) -> int:
        """Frames a peer forwarded: this node's connections only, never forwarded again."""
        return super().deliver(user_ids, frame)

    # -- forwarding ----------------------------------------------------------------------

    async def start(self) -> None:
        self._dispatcher = asyncio.create_task(self._dispatch(), name="prim-forward")

    async def stop(self) -> None:
        tasks = [t for t in [self._dispatcher, *(q.task for q in self._queues.values())] if t]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._dispatcher = None
        self._queues.clear()

    async def _dispatch(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._outbox:
                batch = [self._outbox.popleft()
                         for _ in range(min(len(self._outbox), MAX_BATCH))]
                try:
                    await self._route(batch)
                except Exception:
                    log.exception("forwarding %d deliveries failed", len(batch))
                    self.stats.dropped += len(batch)

    async def _route(self, batch: list[tuple[list[int], Frame]]) -> None:
        users = {u for receivers, _ in batch for u in receivers}
        where = await self._online.get_connections_many(list(users))
        for receivers, frame in batch:
            by_node: dict[int, list[int]] = {}
            for user in receivers:
                for node in set(where.get(user, {}).values()):
                    if node != self._node_id:
                        by_node.setdefault(node, []).append(user)
            if not by_node:
                continue
            wire = to_wire_frame(frame)
            for node, node_users in by_node.items():
                self._enqueue(node, Delivery(frame=wire, user_ids=node_users))

    def _enqueue(self, node_id: int, delivery: Delivery) -> None:
        queue = self._queues.get(node_id)
        if queue is None:
            queue = self._queues[node_id] = _PeerQueue()
            queue.task = asyncio.create_task(self._send(node_id, queue),
                                             name=f"prim-forward-{node_id}")
        queue.items.append(delivery)
        if len(queue.items) > MAX_QUEUED:
            queue.items.popleft()
            self.stats.dropped += 1
        queue.ready.set()

    async def _send(self, node_id: int, queue: _PeerQueue) -> None:
        while True:
            await queue.ready.wait()
            queue.ready.clear()
            while queue.items:
                batch = [queue.items.popleft() for _ in range(min(len(queue.items), MAX_BATCH))]
                try:
                    live = await self._send_batch(node_id, batch)
                except Exception:
                    log.exception("forwarding %d frames to node %d failed", len(batch), node_id)
                    self.stats.dropped += len(batch)
                    continue
                if not live:
                    # The node left the registry: its queue and this task go with it.
                    self.stats.dropped += len(queue.items)
                    queue.items.clear()
                    if self._queues.get(node_id) is queue:
                        del self._queues[node_id]
                    return

    async def _send_batch(self, node_id: int, batch: list[Delivery]) -> bool:
        """Sends one batch; False when the node is not in the registry (any more)."""
        request = DeliverRequest(deliveries=batch, from_node_id=self._node_id)
        for attempt in range(2):
            peer = await self._peers.get(node_id)
            if peer is None:
                self.stats.dropped += len(batch)
                return False
            try:
                await peer.deliver(request, CallContext())
            except ApiError as exc:
                if attempt == 0:
                    log.warning("node %d did not take %d frames (%s); retrying", node_id,
                                len(batch), exc)
                    await asyncio.sleep(0.2)
                    continue
                break
            self.stats.calls += 1
            self.stats.forwarded += len(batch)
            self.stats.per_node[node_id] = self.stats.per_node.get(node_id, 0) + len(batch)
            return True
        log.warning("dropped %d frames for node %d (not reachable); receivers fill the gap "
                    "from history", len(batch), node_id)
        self.stats.dropped += len(batch)
        return True
