"""A real node behind the fault-injecting relay, on the embedded and the PostgreSQL/Redis
wirings. The node's gateway.public_address names the relay, so the SDK (which dials the
node GetMyNode names) goes through the relay too."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from prim.clients.sdk import Backoff, PrimClient
from prim.conformance.relay import Relay, Rule, Upstream, parse_rule
from prim.services.node import Endpoints
from tests.api.accounts_helpers import PASSWORD, Account, new_account
from tests.api.conftest import RunningNode, started_node
from tests.api.conftest import anyio_backend as anyio_backend
from tests.api.conftest import backend as backend


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ["embedded", "postgres"], indirect=True)


@dataclass
class Relayed:
    relay: Relay
    node: RunningNode

    @property
    def endpoints(self) -> Endpoints:
        """The relay's endpoints, shaped like the node's (for tests.api's `dial`)."""
        return Endpoints(http=self.node.endpoints.http, quic=self.relay.quic_address,
                         tcp=self.relay.tcp_address, ca_cert=self.relay.ca_cert,
                         fingerprint=self.relay.fingerprint)

    async def account(self, nickname: str = "user") -> Account:
        return await new_account(self.node.http, nickname)

    async def sdk(self, transport: str = "quic", **options: object) -> PrimClient:
        settings: dict[str, object] = {"backoff": Backoff(initial=0.05, maximum=0.5)}
        settings.update(options)
        client = await PrimClient.sign_up(self.node.endpoints.http, "sdk", PASSWORD,
                                          **settings)  # type: ignore[arg-type]
        await client.connect(ca_file=self.relay.ca_cert, transports=(transport,))
        return client


OpenRelayed = Callable[..., Awaitable[Relayed]]


@pytest.fixture
async def relayed(backend: object, tmp_path: Path) -> AsyncIterator[OpenRelayed]:
    """`await relayed("drop dir=s2c type=ACK nth=1", seed=1)`: a relay with those rules in
    front of a fresh node (each call a new pair)."""
    async with AsyncExitStack() as stack:
        opened = itertools.count(1)

        async def open_relayed(*rules: str | Rule, seed: int | None = 0) -> Relayed:
            parsed = [parse_rule(r) if isinstance(r, str) else r for r in rules]
            n = next(opened)
            # The upstream is known once the node runs, and the node must name the relay.
            relay = Relay(Upstream("127.0.0.1", 1, tmp_path), parsed, seed=seed,
                          cert_dir=tmp_path / f"relay-tls{n}")
            await stack.enter_async_context(relay)
            node = await stack.enter_async_context(started_node(
                tmp_path / f"node{n}", backend,  # type: ignore[arg-type]
                **{"gateway.public_address": relay.quic_address}))
            assert node.node.wire is not None  # its endpoints name the relay, not itself
            relay.upstream = Upstream("127.0.0.1", node.node.wire.port,
                                      Path(node.endpoints.ca_cert), server_name="localhost")
            return Relayed(relay, node)

        yield open_relayed
