"""What every role process shares: the scheduler client (fail-over between instances), the
channel pool over mutual TLS, and the registration of a node with its heartbeats."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from prim.generated.interfaces import SchedulerServiceInterface
from prim.generated.prim.v1 import (
    ErrorCode,
    HeartbeatRequest,
    NodeInfo,
    RegisterNodeRequest,
    UnregisterNodeRequest,
)
from prim.generated.rpc import SchedulerServiceRemote
from prim.runtime.config import Config
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.rpc.call import FailoverTarget
from prim.runtime.rpc.channels import ChannelPool
from prim.runtime.tasks import cancel_and_wait

log = logging.getLogger("prim.cluster")


# The load a node reports in its heartbeats (its open connections).
LoadGauge = Callable[[], int]


class ClusterConfigError(ValueError):
    """The configuration cannot run this role; the message says which key to set."""


def scheduler_client(config: Config, pool: ChannelPool) -> SchedulerServiceInterface:
    addresses = config.cluster.schedulers
    if not addresses:
        raise ClusterConfigError(
            f"role {config.node.role!r} needs the scheduler addresses: set cluster.schedulers "
            "(e.g. PRIM_CLUSTER__SCHEDULERS=127.0.0.1:7100,127.0.0.1:7101)")
    # Longer than a scheduler's own calls to message nodes (5 s each, with one fail-over),
    # so a relay that the scheduler is still retrying is not abandoned and sent again.
    return SchedulerServiceRemote(FailoverTarget(pool, addresses, timeout=15.0))


def rpc_address(config: Config, port: int) -> str:
    return config.cluster.rpc_public_address or f"{config.cluster.rpc_host}:{port}"


class Registration:
    """Keeps one node registered: registers at start, heartbeats every
    cluster.heartbeat_seconds (registering again if a scheduler forgot it, e.g. after its
    lease ran out while the schedulers were unreachable), unregisters at stop."""

    def __init__(self, scheduler: SchedulerServiceInterface, node: NodeInfo, *,
                 interval: float, load: LoadGauge | None = None) -> None:
        self._scheduler = scheduler
        self._node = node
        self._interval = interval
        self._load = load
        self._task: asyncio.Task[None] | None = None
        self.registered = False

    async def start(self) -> None:
        await self._register()
        self._task = asyncio.create_task(self._beat(), name="prim-heartbeat")

    async def _register(self) -> None:
        granted = await self._scheduler.register_node(RegisterNodeRequest(node=self._node),
                                                      CallContext())
        self._node.node_id = granted.node_id
        self.registered = True

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            connections = self._load() if self._load is not None else 0
            try:
                await self._scheduler.heartbeat(HeartbeatRequest(
                    node_id=self._node.node_id, connections=connections), CallContext())
            except ApiError as exc:
                if exc.code == ErrorCode.NOT_FOUND:
                    log.warning("the scheduler forgot node %d; registering again",
                                self._node.node_id)
                    with contextlib.suppress(ApiError):
                        await self._register()
                else:
                    log.warning("heartbeat failed: %s", exc)
            except Exception:
                log.exception("heartbeat failed; trying again at the next one")

    async def update(self) -> None:
        """Registers again: the node's fields changed (a renewed certificate's hash)."""
        await self._register()

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        if self.registered:
            with contextlib.suppress(ApiError):
                await self._scheduler.unregister_node(
                    UnregisterNodeRequest(node_id=self._node.node_id), CallContext())
            self.registered = False

