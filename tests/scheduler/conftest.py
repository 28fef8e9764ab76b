"""Fixtures for the cluster scheduler's tests: scheduler instances on one real Redis prefix
(each with its own client, as separate processes would have), an injectable clock, a
SQLite social store for group members, and fake message nodes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from prim.runtime.storage.factory import account_store, open_database, social_store
from prim.runtime.storage.models import Clock
from prim.runtime.storage.ports import AccountStore, OnlineState, SocialStore
from prim.runtime.storage.redis.online import RedisOnlineState
from prim.services.scheduler.cluster import ClusterScheduler, MessageNodeClient
from tests.scheduler.support import FakeClock, FakeMessageNodes, cluster_scheduler


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Backends:
    url: str
    prefix: str


@pytest.fixture
def backends(redis_url: str, redis_key_prefix: str) -> Backends:
    # Sync, so that the session's Redis check runs outside the event loop.
    return Backends(redis_url, redis_key_prefix)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def message_nodes() -> FakeMessageNodes:
    return FakeMessageNodes()


@pytest.fixture
async def users_and_groups() -> AsyncIterator[tuple[AccountStore, SocialStore]]:
    db = await open_database("sqlite:///:memory:")
    yield account_store(db), social_store(db)
    await db.close()


@pytest.fixture
async def online(backends: Backends) -> AsyncIterator[RedisOnlineState]:
    """The online state as the message nodes write it (same prefix as the schedulers)."""
    state = RedisOnlineState(Redis.from_url(backends.url), prefix=backends.prefix,
                             owns_client=True)
    yield state
    await state.close()


SchedulerFactory = Callable[..., Awaitable[ClusterScheduler]]


@pytest.fixture
async def new_scheduler(backends: Backends, clock: FakeClock, message_nodes: FakeMessageNodes,
                        users_and_groups: tuple[AccountStore, SocialStore]
                        ) -> AsyncIterator[SchedulerFactory]:
    """Makes scheduler instances that share only Redis (and the clock and the nodes)."""
    clients: list[Redis] = []

    async def make(*, message_node: MessageNodeClient | None = None,
                   scheduler_clock: Clock | None = None,
                   online: OnlineState | None = None) -> ClusterScheduler:
        client = Redis.from_url(backends.url)
        clients.append(client)
        return cluster_scheduler(client, backends.prefix, social=users_and_groups[1],
                                 message_node=message_node or message_nodes.client,
                                 clock=scheduler_clock or clock, online=online)

    yield make
    for client in clients:
        await client.aclose()
