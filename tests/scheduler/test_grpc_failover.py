"""Two cluster scheduler instances served over real gRPC (mutual TLS) and called through a
fail-over target, with message nodes reached over gRPC as in production. The instance in
use runs in a process of its own and is killed: nothing is lost, the other instance answers
from the same Redis state. A registered message node that cannot be reached is failed over
(relay) or skipped (disconnect)."""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from prim.generated.interfaces import MessageNodeServiceInterface
from prim.generated.prim.v1 import (
    DisconnectUserRequest,
    ErrorCode,
    Header,
    HeartbeatRequest,
    ListNodesRequest,
    MsgType,
    NodeInfo,
    NodeRole,
    PlaceUserRequest,
    RegisterNodeRequest,
    RelayRequest,
    WireFrame,
)
from prim.generated.rpc import (
    MessageNodeServiceGrpc,
    MessageNodeServiceRemote,
    SchedulerServiceGrpc,
    SchedulerServiceRemote,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.rpc.call import AddressTarget, FailoverTarget
from prim.runtime.rpc.channels import ChannelPool, RpcTls
from prim.runtime.rpc.server import RpcServer, Servable
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.storage.redis.online import RedisOnlineState
from prim.runtime.tls.certificates import ensure_dev_certificates
from tests.scheduler.conftest import Backends, SchedulerFactory
from tests.scheduler.support import FakeMessageNode

pytestmark = pytest.mark.anyio
CTX = CallContext()
TIMEOUT = 3.0
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tls(tmp_path: Path) -> RpcTls:
    dev = ensure_dev_certificates(tmp_path / "tls")
    return RpcTls(dev.cert_file, dev.key_file, dev.ca_file)


class Started:
    """gRPC servers, channel pools and processes a test started, all ended at its end."""

    def __init__(self, tls: RpcTls) -> None:
        self.tls = tls
        self.servers: list[RpcServer] = []
        self.pools: list[ChannelPool] = []
        self.processes: list[asyncio.subprocess.Process] = []

    async def serve(self, service: Servable) -> str:
        server = RpcServer([service], self.tls)
        port = await server.start("127.0.0.1", 0)
        self.servers.append(server)
        return f"127.0.0.1:{port}"

    async def scheduler_process(self, backends: Backends) -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.scheduler.scheduler_process", backends.url,
            backends.prefix, str(self.tls.cert_file), str(self.tls.key_file),
            str(self.tls.ca_file), cwd=REPO, stdout=asyncio.subprocess.PIPE)
        self.processes.append(proc)
        return proc

    def pool(self) -> ChannelPool:
        self.pools.append(ChannelPool(self.tls))
        return self.pools[-1]

    async def close(self) -> None:
        for pool in self.pools:
            pool.close()
        for server in self.servers:
            await server.close()
        for proc in self.processes:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


@pytest.fixture
async def started(tls: RpcTls) -> AsyncIterator[Started]:
    things = Started(tls)
    yield things
    await things.close()


def free_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


async def test_killing_the_scheduler_in_use_loses_nothing(
        started: Started, backends: Backends, new_scheduler: SchedulerFactory,
        online: RedisOnlineState) -> None:
    fakes = [FakeMessageNode(), FakeMessageNode()]
    node_addresses = [await started.serve(MessageNodeServiceGrpc(f)) for f in fakes]

    # Instance 1 in a process of its own (the fail-over target's first choice)...
    proc = await started.scheduler_process(backends)
    assert proc.stdout is not None
    port = int(await asyncio.wait_for(proc.stdout.readline(), timeout=30))
    # ...instance 2 here, noting which nodes it calls.
    pool = started.pool()
    called_from_here: list[int] = []

    def reach(node: NodeInfo) -> MessageNodeServiceInterface:
        called_from_here.append(node.node_id)
        return MessageNodeServiceRemote(AddressTarget(pool, node.rpc_address, timeout=TIMEOUT))

    here = await started.serve(SchedulerServiceGrpc(
        await new_scheduler(message_node=reach, scheduler_clock=wall_clock_ms)))
    client = SchedulerServiceRemote(FailoverTarget(
        started.pool(), [f"127.0.0.1:{port}", here], timeout=TIMEOUT))

    async def register(rpc_address: str, connections: int = 0) -> int:
        granted = await client.register_node(RegisterNodeRequest(node=NodeInfo(
            role=NodeRole.MESSAGE, address="quic:443", rpc_address=rpc_address,
            connections=connections)), CTX)
        return granted.node_id

    a, b = [await register(address) for address in node_addresses]
    # A node that registered, then died before its lease ran out.
    gone = await register(free_address(), connections=100)
    await online.add_connection(2, "phone", a)
    await online.add_connection(4, "phone", gone)
    relay_to_2 = RelayRequest(frame=WireFrame(header=Header(sender=1, receiver=2,
                                                            type=MsgType.ADD_FRIEND)))
    first = await client.relay(relay_to_2, CTX)
    assert (first.seqnum, len(fakes[0].submitted), len(fakes[1].submitted)) == (1, 1, 0)
    placed = await client.place_user(PlaceUserRequest(user_id=5), CTX)
    assert placed.node is not None and placed.node.node_id == a  # equal loads: lowest id
    assert called_from_here == []  # all of that was instance 1's work

    proc.kill()
    await proc.wait()

    # Instance 2 answers from the same state.
    await client.heartbeat(HeartbeatRequest(node_id=a, connections=3), CTX)
    again = await client.place_user(PlaceUserRequest(user_id=5), CTX)
    assert again.node is not None and again.node.node_id == a  # stable, though a is busier
    listed = await client.list_nodes(ListNodesRequest(role=NodeRole.MESSAGE), CTX)
    assert [(n.node_id, n.connections) for n in listed.nodes] == [(a, 3), (b, 0), (gone, 100)]
    second = await client.relay(relay_to_2, CTX)
    assert (second.seqnum, len(fakes[0].submitted)) == (2, 2)
    assert second.timestamp_ms > first.timestamp_ms  # the relay clock is shared through Redis
    assert called_from_here == [a]
    with pytest.raises(ApiError) as unknown:  # answers keep their codes across the wire
        await client.heartbeat(HeartbeatRequest(node_id=999), CTX)
    assert (unknown.value.code, unknown.value.field) == (ErrorCode.NOT_FOUND, "node_id")

    # The unreachable node: its user's relay is taken by the least loaded node (b), and a
    # disconnect counts the connections of the nodes that answered.
    relay_to_4 = RelayRequest(frame=WireFrame(header=Header(sender=1, receiver=4,
                                                            type=MsgType.ADD_FRIEND)))
    third = await client.relay(relay_to_4, CTX)
    assert (third.seqnum, len(fakes[1].submitted)) == (1, 1)
    closed = await client.disconnect_user(DisconnectUserRequest(user_id=2), CTX)
    assert closed.connections_closed == 2
    assert [len(f.disconnects) for f in fakes] == [1, 1]
