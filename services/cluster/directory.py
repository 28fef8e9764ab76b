"""The live nodes of one role, as the scheduler's registry lists them: node id -> a remote
interface that reaches the node over gRPC.

The list is cached and refreshed in the background (and at once when an unknown node id
is asked for), so a call to a peer costs no registry round trip."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from prim.generated.interfaces import SchedulerServiceInterface
from prim.generated.prim.v1 import ListNodesRequest, NodeInfo, NodeRole
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.tasks import cancel_and_wait

log = logging.getLogger("prim.cluster.directory")

T = TypeVar("T")


class NodeDirectory(Generic[T]):
    def __init__(self, scheduler: SchedulerServiceInterface, role: NodeRole,
                 connect: Callable[[str], T], *, self_id: int = 0,
                 refresh_seconds: float = 2.0) -> None:
        """`connect(rpc_address)` makes the remote interface of one node."""
        self._scheduler = scheduler
        self._role = role
        self._connect = connect
        self._self_id = self_id
        self._refresh_seconds = refresh_seconds
        self._nodes: dict[int, NodeInfo] = {}
        self._remotes: dict[str, T] = {}
        self._task: asyncio.Task[None] | None = None
        self._asked_at = -1.0e9  # loop time of the last refresh made for an unknown id

    async def start(self) -> None:
        await self.refresh()
        self._task = asyncio.create_task(self._loop(), name=f"prim-directory-{self._role.name}")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def refresh(self) -> None:
        try:
            listed = await self._scheduler.list_nodes(ListNodesRequest(role=self._role),
                                                      CallContext())
        except ApiError as exc:
            log.warning("cannot list the %s nodes (%s); keeping the last list",
                        self._role.name.lower(), exc)
            return
        nodes = {n.node_id: n for n in listed.nodes}
        live_addresses = {n.rpc_address for n in nodes.values()}
        for address in [a for a in self._remotes if a not in live_addresses]:
            del self._remotes[address]
        self._nodes = nodes

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._refresh_seconds)
            try:
                await self.refresh()
            except Exception:
                log.exception("refreshing the %s nodes failed", self._role.name.lower())



    def live(self) -> list[tuple[int, T]]:
        """(node id, remote) of every live node but this process itself, by id."""
        return [(i, self._remote(n)) for i, n in sorted(self._nodes.items())
                if i != self._self_id and n.rpc_address]

    async def is_live(self, node_id: int) -> bool:
        """Whether another node of this role is live (looked up when not known yet)."""
        return await self.get(node_id) is not None

    async def get(self, node_id: int) -> T | None:
        """The node, or None when the registry does not list it as live."""
        if node_id == self._self_id:
            return None
        node = self._nodes.get(node_id)
        now = asyncio.get_running_loop().time()
        # An unknown id may be a node that just registered: ask again, but at most once a
        # second (a crashed node's connections linger in the online state and would
        # otherwise cost a registry call per delivery).
        if node is None and now - self._asked_at >= 1.0:
            self._asked_at = now
            await self.refresh()
            node = self._nodes.get(node_id)
        if node is None or not node.rpc_address:
            return None
        return self._remote(node)

    def _remote(self, node: NodeInfo) -> T:
        remote = self._remotes.get(node.rpc_address)
        if remote is None:
            remote = self._remotes[node.rpc_address] = self._connect(node.rpc_address)
        return remote
