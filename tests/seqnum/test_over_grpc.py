"""Two seqnum instances served over real mutual-TLS gRPC on one PostgreSQL store, and a
message node's SeqnumClient in front of them: batched calls, unique numbers in call order
per channel, and fail-over to the survivor (once the dead instance's leases run out) with
no number handed out twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from prim.generated.interfaces import SeqnumServiceInterface
from prim.generated.rpc import SeqnumServiceGrpc, SeqnumServiceRemote
from prim.runtime.rpc.call import AddressTarget
from prim.runtime.rpc.channels import ChannelPool, RpcTls
from prim.runtime.rpc.server import RpcServer
from prim.runtime.storage.postgres.seqnum import PostgresSeqnumStore
from prim.services.seqnum.client import InstanceId, SeqnumClient
from prim.services.seqnum.leased import LeasedSeqnumAllocator
from prim.services.seqnum.service import SeqnumService

from .test_client import Recording, assert_in_call_order, channels_won_by
from .test_leased_allocator import SECTIONS

pytestmark = pytest.mark.anyio

TTL_MS = 1_500


@dataclass
class Instance:
    owner: str
    allocator: LeasedSeqnumAllocator
    server: RpcServer

    async def crash(self) -> None:
        """The process dies: its listener goes away, its leases are never released."""
        await self.server.close()
        await self.allocator.close(release=False)


@pytest.fixture
async def instances(lease_store: PostgresSeqnumStore,
                    tls: RpcTls) -> AsyncIterator[dict[str, Instance]]:
    started: dict[str, Instance] = {}
    for owner in ("a", "b"):
        allocator = LeasedSeqnumAllocator(lease_store, owner, ttl_ms=TTL_MS, step=20,
                                          sections=SECTIONS)
        await allocator.start()
        server = RpcServer([SeqnumServiceGrpc(SeqnumService(allocator))], tls)
        await server.start("127.0.0.1", 0)
        started[owner] = Instance(owner, allocator, server)
    yield started
    for inst in started.values():
        await inst.server.close()
        await inst.allocator.close()


async def test_batches_and_fails_over_without_duplicates(instances: dict[str, Instance],
                                                         tls: RpcTls) -> None:
    pool = ChannelPool(tls)
    remotes = {owner: Recording(SeqnumServiceRemote(AddressTarget(
        pool, f"127.0.0.1:{inst.server.port}", timeout=2.0))) for owner, inst in
        instances.items()}
    listed: list[tuple[InstanceId, SeqnumServiceInterface]] = list(remotes.items())
    seqnums = SeqnumClient(lambda: listed, sections=SECTIONS, failover_timeout=10.0)
    on_a = channels_won_by("a", ["a", "b"], 4)
    on_b = channels_won_by("b", ["a", "b"], 4)
    channels = on_a + on_b
    wanted = [channels[i % len(channels)] for i in range(100)]

    got = await asyncio.gather(*(seqnums.allocate(c) for c in wanted))
    calls = list(zip(wanted, got, strict=True))
    assert_in_call_order(calls)
    calls_before = {owner: len(r.calls) for owner, r in remotes.items()}
    assert calls_before == {"a": 1, "b": 1}  # 100 allocations, one AllocateMany each
    before = {c: max(n for ch, n in calls if ch == c) for c in channels}

    await instances["a"].crash()
    wanted_after = [channels[i % len(channels)] for i in range(100)]
    got_after = await asyncio.gather(*(seqnums.allocate(c) for c in wanted_after))
    calls += list(zip(wanted_after, got_after, strict=True))

    # Every number of a channel is unique and the channel's numbers rise in call order,
    # across the fail-over too.
    assert_in_call_order(calls)
    for channel, number in zip(wanted_after, got_after, strict=True):
        assert number > before[channel]
    # `a`'s channels went to `b` (after `a`'s leases ran out); `a` answered nothing more.
    assert len(remotes["a"].calls) > calls_before["a"]
    served_by_b = {i.channel for call in remotes["b"].calls[1:] for i in call.items}
    assert set(on_a) <= served_by_b
    # `b` first refused them (the leases of the dead `a` still ran), and stayed batched.
    assert 2 < len(remotes["b"].calls) < 50
    await seqnums.close()
    pool.close()
