"""The generated gRPC adapters over real mutual-TLS sockets: answers, ApiError codes and
fields across the wire, fail-over between addresses, and refusal of a peer without a
certificate from the deployment's CA."""

from __future__ import annotations

import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from grpclib.client import Channel

from prim.generated.interfaces import SeqnumServiceInterface
from prim.generated.prim.v1 import (
    AllocateManyRequest,
    AllocateManyResponse,
    AllocateRequest,
    AllocateResponse,
    ErrorCode,
    NewestRequest,
    NewestResponse,
    SeqnumServiceStub,
)
from prim.generated.rpc import SeqnumServiceGrpc, SeqnumServiceRemote
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.rpc.call import AddressTarget, FailoverTarget
from prim.runtime.rpc.channels import ChannelPool, RpcTls
from prim.runtime.rpc.server import RpcServer
from prim.runtime.tls.certificates import ensure_dev_certificates

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Counter(SeqnumServiceInterface):
    def __init__(self) -> None:
        self.next = 1

    async def allocate(self, request: AllocateRequest, ctx: CallContext) -> AllocateResponse:
        if request.channel == "bad":
            raise ApiError(ErrorCode.INVALID_ARGUMENT, "no such channel", "channel")
        if request.channel == "boom":
            raise RuntimeError("a bug")
        first, self.next = self.next, self.next + max(request.count, 1)
        return AllocateResponse(first=first, count=max(request.count, 1))

    async def allocate_many(self, request: AllocateManyRequest,
                            ctx: CallContext) -> AllocateManyResponse:
        raise ApiError(ErrorCode.UNAVAILABLE, "not today")

    async def newest(self, request: NewestRequest, ctx: CallContext) -> NewestResponse:
        return NewestResponse(seqnum=self.next - 1)


@pytest.fixture
def tls(tmp_path: Path) -> RpcTls:
    dev = ensure_dev_certificates(tmp_path / "tls")
    return RpcTls(dev.cert_file, dev.key_file, dev.ca_file)


@pytest.fixture
async def server(tls: RpcTls) -> AsyncIterator[RpcServer]:
    srv = RpcServer([SeqnumServiceGrpc(Counter())], tls)
    await srv.start("127.0.0.1", 0)
    yield srv
    await srv.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_calls_and_errors_cross_the_wire(tls: RpcTls, server: RpcServer) -> None:
    pool = ChannelPool(tls)
    remote = SeqnumServiceRemote(AddressTarget(pool, f"127.0.0.1:{server.port}"))
    got = await remote.allocate(AllocateRequest(channel="u1-2", count=3), CallContext())
    assert (got.first, got.count) == (1, 3)
    assert (await remote.allocate(AllocateRequest(channel="x"), CallContext())).first == 4
    with pytest.raises(ApiError) as refused:
        await remote.allocate(AllocateRequest(channel="bad"), CallContext())
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ARGUMENT, "channel")
    assert refused.value.message == "no such channel"
    with pytest.raises(ApiError) as crashed:
        await remote.allocate(AllocateRequest(channel="boom"), CallContext())
    assert crashed.value.code == ErrorCode.INTERNAL
    # An UNAVAILABLE the service chose is an answer: it is not mistaken for a dead peer.
    with pytest.raises(ApiError) as unavailable:
        await remote.allocate_many(AllocateManyRequest(), CallContext())
    assert unavailable.value.code == ErrorCode.UNAVAILABLE
    assert unavailable.value.message == "not today"
    pool.close()


async def test_failover_skips_an_address_that_does_not_answer(tls: RpcTls,
                                                              server: RpcServer) -> None:
    pool = ChannelPool(tls)
    dead = f"127.0.0.1:{_free_port()}"
    target = FailoverTarget(pool, [dead, f"127.0.0.1:{server.port}"], timeout=2)
    remote = SeqnumServiceRemote(target)
    assert (await remote.allocate(AllocateRequest(channel="a"), CallContext())).first == 1
    # ...and sticks to the one that answered.
    assert (await remote.allocate(AllocateRequest(channel="a"), CallContext())).first == 2
    only_dead = SeqnumServiceRemote(FailoverTarget(pool, [dead], timeout=2))
    with pytest.raises(ApiError) as down:
        await only_dead.allocate(AllocateRequest(channel="a"), CallContext())
    assert down.value.code == ErrorCode.UNAVAILABLE
    pool.close()


async def test_a_client_without_a_ca_certificate_is_refused(tls: RpcTls,
                                                            server: RpcServer) -> None:
    ctx = ssl.create_default_context(cafile=str(tls.ca_file))  # no client certificate
    ctx.set_alpn_protocols(["h2"])
    channel = Channel("127.0.0.1", server.port, ssl=ctx)
    with pytest.raises((OSError, ssl.SSLError, Exception)) as refused:
        await SeqnumServiceStub(channel).allocate(AllocateRequest(channel="a"), timeout=3)
    assert not isinstance(refused.value, AssertionError)
    channel.close()
