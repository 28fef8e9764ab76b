"""SDK and chat-client tests: a real node on the embedded backends, reached over real
sockets (HTTP, QUIC, TLS/TCP) exactly as an application reaches it."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from prim.clients.sdk import Backoff, ChatEvent, Message, PrimClient
from prim.services.node import Endpoints, Node
from tests.api.conftest import Backend, backend_named, node_config

PASSWORD = "correct horse battery"
_names = itertools.count(1)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Server:
    node: Node | None  # None: a cluster (one process per role) is under test
    endpoints: Endpoints
    cluster: Any = None  # the shared ClusterThread, when a cluster is under test

    async def settle(self) -> None:
        """Waits until everything Acked so far is in history (at once on one node; the
        msgprocessor's lag on a cluster)."""
        if self.cluster is not None:
            from tests.cluster.node_shim import settle

            await settle(self.cluster)

    async def client(self, nickname: str | None = None, **options: object) -> PrimClient:
        """A new account, logged in and connected."""
        name = nickname or f"user{next(_names)}"
        client = await PrimClient.sign_up(self.endpoints.http, name, PASSWORD,
                                          **_settings(options))  # type: ignore[arg-type]
        await client.connect(ca_file=self.endpoints.ca_cert, gateway=self.endpoints.quic)
        return client


def _settings(options: dict[str, object]) -> dict[str, object]:
    """Quick reconnects (tests drop connections on purpose), then the test's options."""
    return {"backoff": Backoff(initial=0.05, maximum=0.5), **options}


@pytest.fixture(params=["embedded", "postgres", "cluster"])
def wiring(request: pytest.FixtureRequest) -> Any:
    """A `Backend` for a node of the test's own (embedded, or PostgreSQL/Redis); the
    session's shared cluster otherwise. A sync fixture: the backend fixtures run their own
    event loops."""
    if request.param == "cluster":
        return request.getfixturevalue("shared_cluster")
    return backend_named(request.param, request)


@pytest.fixture
async def server(tmp_path: Path, wiring: Any) -> AsyncIterator[Server]:
    if not isinstance(wiring, Backend):
        # The api, and message-1 as the gateway clients fall back to.
        api, node = wiring.ready("api-1"), wiring.ready("message-1")
        yield Server(None, Endpoints(http=api["http"], quic=node["quic"], tcp=node["tcp"],
                                     ca_cert=api["ca_cert"], fingerprint=api["fingerprint"]),
                     wiring)
        return
    node = Node(node_config(tmp_path, wiring))
    endpoints = await node.start()
    yield Server(node, endpoints)
    await node.stop()


async def befriend(a: PrimClient, b: PrimClient) -> None:
    await a.add_friend(b.user_id, "hi, it's me")
    await b.accept_friend(a.user_id)


class Events:
    """Collects a client's events in the background (an async generator must not be
    cancelled mid-step, so tests never wait_for() on it directly)."""

    def __init__(self, client: PrimClient) -> None:
        self.queue: asyncio.Queue[ChatEvent] = asyncio.Queue()
        self.task = asyncio.create_task(self._pump(client))

    async def _pump(self, client: PrimClient) -> None:
        async for event in client:
            await self.queue.put(event)

    async def next(self, *kinds: type, timeout: float = 5.0,
                   where: Callable[[Any], bool] = lambda e: True) -> ChatEvent:
        """The next event of one of `kinds` that `where` accepts (others are passed over)."""
        async with asyncio.timeout(timeout):
            while True:
                event = await self.queue.get()
                if (not kinds or isinstance(event, kinds)) and where(event):
                    return event

    async def messages(self, n: int, timeout: float = 5.0) -> list[Message]:
        out: list[Message] = []
        for _ in range(n):
            event = await self.next(Message, timeout=timeout)
            assert isinstance(event, Message)
            out.append(event)
        return out

    async def quiet(self, kinds: tuple[type, ...] = (Message,), within: float = 0.5) -> bool:
        """True when no event of `kinds` arrives within `within` seconds."""
        try:
            event = await self.next(*kinds, timeout=within)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected {event}")

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task
