"""The shared test cluster seen as the single-node tests see a `Node`: storage ports on
the cluster's PostgreSQL and Redis (opened on the test's event loop), its configuration,
the clock, and the scheduler over gRPC. Tests that call `running_node.node.<port>` to
arrange state (users, sessions, friendships) or check it work unchanged against the
cluster; what they exercise goes over the real sockets of the api and a message node."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from prim.generated.interfaces import SchedulerServiceInterface
from prim.generated.rpc import SchedulerServiceRemote
from prim.runtime.config import Config, load_config
from prim.runtime.rpc.call import FailoverTarget
from prim.runtime.rpc.channels import ChannelPool, RpcTls
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.factory import Storage, StorageConfig, open_storage
from prim.runtime.storage.models import Clock
from prim.services.node import Endpoints
from tests.cluster.harness import ClusterThread


@dataclass
class ClusterNodeShim:
    config: Config
    storage: Storage
    scheduler: SchedulerServiceInterface
    pool: ChannelPool
    clock: Clock = field(default=wall_clock_ms)

    async def stop(self) -> None:
        await self.storage.close()
        self.pool.close()


async def open_shim(cluster: ClusterThread, tmp: Path) -> tuple[ClusterNodeShim, Endpoints]:
    api = cluster.cluster.members["api-1"]
    config = load_config(environ=api.env)
    s = config.storage
    storage = await open_storage(StorageConfig(
        database=s.database, online=s.online, log="memory://",
        seqnum=f"file:{tmp / 'seqnum.json'}", blobs=s.blobs))
    tls = config.tls
    pool = ChannelPool(RpcTls(Path(tls.cert_file), Path(tls.key_file), Path(tls.ca_file)))
    scheduler = SchedulerServiceRemote(FailoverTarget(pool, config.cluster.schedulers))
    node = cluster.ready("message-1")
    endpoints = Endpoints(http=str(api.ready["http"]), quic=str(node["quic"]),
                          tcp=str(node["tcp"]), ca_cert=str(api.ready["ca_cert"]),
                          fingerprint=str(api.ready["fingerprint"]))
    return ClusterNodeShim(config, storage, scheduler, pool), endpoints


def _counter(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} missing from the metrics")


async def settle(cluster: ClusterThread, timeout: float = 20.0) -> None:
    """Waits until everything Acked so far is in PostgreSQL: every message node has
    shipped its write-ahead log, and the msgprocessor has fetched (and so written) at
    least as many records as were shipped. History and inboxes follow the live stream by
    this lag on a cluster; tests that read them right after writing call this first."""
    members = cluster.cluster.members.values()
    nodes = [str(m.ready["metrics"]) for m in members if m.role == "message"]
    processors = [str(m.ready["metrics"]) for m in members if m.role == "msgprocessor"]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with httpx.AsyncClient(timeout=5) as http:
        while True:
            shipped = pending = 0.0
            for url in nodes:
                text = (await http.get(url)).text
                shipped += _counter(text, "prim_cluster_wal_shipped_total")
                pending += _counter(text, "prim_cluster_wal_pending")
            fetched = 0.0
            for url in processors:
                text = (await http.get(url)).text
                fetched += _counter(text, "prim_msgprocessor_fetched_total")
            if pending == 0 and fetched >= shipped:
                return
            if loop.time() > deadline:
                raise AssertionError(f"the cluster did not settle in {timeout} s "
                                     f"(shipped {shipped}, pending {pending}, "
                                     f"fetched {fetched})")
            await asyncio.sleep(0.05)


def settling_client(cluster: ClusterThread, base_url: str) -> httpx.AsyncClient:
    """An HTTP client for the api whose reads of history and inboxes first wait for the
    cluster to settle (see `settle`)."""

    async def before(request: httpx.Request) -> None:
        path = request.url.path
        if request.method == "GET" and (path.endswith("/messages") or path == "/v1/inbox"
                                        or path.endswith("/read-marker")):
            await settle(cluster)

    return httpx.AsyncClient(base_url=base_url, timeout=30, event_hooks={"request": [before]})
