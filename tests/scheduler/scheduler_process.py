"""A cluster scheduler served over gRPC in a process of its own, so that a test can kill it
for real (SIGKILL drops its connections, which closing a server in-process does not):

    python -m tests.scheduler.scheduler_process REDIS_URL PREFIX CERT KEY CA

It prints its port on stdout, then serves until killed. Message nodes are reached over
gRPC at their registered rpc_address, with the wall clock, as in production.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from redis.asyncio import Redis

from prim.generated.interfaces import MessageNodeServiceInterface
from prim.generated.prim.v1 import NodeInfo
from prim.generated.rpc import MessageNodeServiceRemote, SchedulerServiceGrpc
from prim.runtime.rpc.call import AddressTarget
from prim.runtime.rpc.channels import ChannelPool, RpcTls
from prim.runtime.rpc.server import RpcServer
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.factory import open_database, social_store
from tests.scheduler.support import cluster_scheduler


async def serve(url: str, prefix: str, cert: str, key: str, ca: str) -> None:
    tls = RpcTls(Path(cert), Path(key), Path(ca))
    pool = ChannelPool(tls)

    def reach(node: NodeInfo) -> MessageNodeServiceInterface:
        return MessageNodeServiceRemote(AddressTarget(pool, node.rpc_address, timeout=3))

    db = await open_database("sqlite:///:memory:")
    sched = cluster_scheduler(Redis.from_url(url), prefix, social=social_store(db),
                              message_node=reach, clock=wall_clock_ms)
    server = RpcServer([SchedulerServiceGrpc(sched)], tls)
    print(await server.start("127.0.0.1", 0), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(*sys.argv[1:6]))
