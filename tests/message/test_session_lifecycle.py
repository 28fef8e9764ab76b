"""What an accepted connection leaves behind, on both wirings (issue #10): nothing once it
closes, even when it closes while its Auth is being checked or just after it; at most
gateway.max_connections_per_user per user; closed when its token expires."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.client_errors import AuthenticationFailed
from prim.runtime.wire.frame import Frame, encode_frame
from prim.runtime.wire.settings import ClientSettings
from prim.services.api.tokens import new_device_id, new_token, token_hash
from prim.services.node import Node
from tests.api.conftest import Backend, RunningNode, node_config
from tests.message.wire_users import User, dial, make_user
from tests.transport.test_malformed_input import error_code, raw_connection

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def started(backend: Backend, tmp_path: Path, **overrides: object
                  ) -> AsyncIterator[RunningNode]:
    node = Node(node_config(tmp_path, backend, **overrides))
    endpoints = await node.start()
    try:
        yield RunningNode(node, endpoints, None, backend.name)  # type: ignore[arg-type]
    finally:
        await node.stop()


def port_of(rn: RunningNode) -> int:
    return int(rn.endpoints.quic.rsplit(":", 1)[1])


def trust_of(rn: RunningNode) -> Trust:
    return Trust(ca_file=Path(rn.endpoints.ca_cert))


def auth_bytes(user: User) -> bytes:
    return encode_frame(Frame(type=MsgType.AUTH, sender=user.user_id,
                              payload=user.token.encode()))


async def assert_left_nothing(rn: RunningNode, user: User) -> None:
    storage = rn.node.storage
    assert storage is not None
    for _ in range(100):  # on_close runs right after the close (its awaits in turn)
        if (not rn.node.router.is_online(user.user_id)
                and not await storage.online.get_connections(user.user_id)
                and await storage.online.get_user_node(user.user_id) is None):
            break
        await asyncio.sleep(0.05)
    assert not rn.node.router.is_online(user.user_id)
    assert rn.node.router.connection_count == 0
    assert await storage.online.get_connections(user.user_id) == {}
    assert await storage.online.get_user_node(user.user_id) is None


def hold(target: Any, name: str) -> tuple[asyncio.Event, asyncio.Event]:
    """Makes `target.name` wait (once entered: `entered` is set) until `release` is set."""
    original: Callable[..., Awaitable[Any]] = getattr(target, name)
    entered, release = asyncio.Event(), asyncio.Event()

    async def held(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        await release.wait()
        return await original(*args, **kwargs)

    setattr(target, name, held)
    return entered, release


@pytest.mark.parametrize("transport", ["tcp", "quic"])
async def test_closed_while_auth_is_checked_leaves_nothing(
    backend: Backend, tmp_path: Path, transport: str,
) -> None:
    async with started(backend, tmp_path) as rn:
        user = await make_user(rn)
        assert rn.node.storage is not None
        entered, release = hold(rn.node.storage.online, "add_connection")
        async with raw_connection(transport, port_of(rn), trust_of(rn)) as raw:
            raw.send(auth_bytes(user))
            await asyncio.wait_for(entered.wait(), 5)
            await raw.end()
        await asyncio.sleep(0.3)  # the close reaches the server while on_auth waits
        release.set()
        await assert_left_nothing(rn, user)


@pytest.mark.parametrize("transport", ["tcp", "quic"])
async def test_closed_right_after_auth_leaves_nothing(
    backend: Backend, tmp_path: Path, transport: str,
) -> None:
    async with started(backend, tmp_path) as rn:
        user = await make_user(rn)
        for _ in range(3):
            async with raw_connection(transport, port_of(rn), trust_of(rn)) as raw:
                raw.send(auth_bytes(user))
                await raw.end()
        client = await dial(rn, user, transport)  # and after a normal session too
        await client.close()
        await assert_left_nothing(rn, user)


async def test_a_store_failure_during_auth_leaves_nothing(
    backend: Backend, tmp_path: Path,
) -> None:
    async with started(backend, tmp_path) as rn:
        user = await make_user(rn)
        storage = rn.node.storage
        assert storage is not None

        async def unavailable(*args: Any) -> None:
            raise ConnectionError("online store down (on purpose)")

        storage.online.set_user_node = unavailable  # type: ignore[method-assign]
        with pytest.raises(AuthenticationFailed) as failed:
            await dial(rn, user)
        assert failed.value.code == ErrorCode.INTERNAL
        assert not rn.node.router.is_online(user.user_id)
        assert rn.node.router.connection_count == 0


async def test_connections_per_user_are_capped(backend: Backend, tmp_path: Path) -> None:
    async with started(backend, tmp_path, **{"gateway.max_connections_per_user": 2}) as rn:
        user, other = await make_user(rn), await make_user(rn)
        first, second = await dial(rn, user), await dial(rn, user, "tcp")
        with pytest.raises(AuthenticationFailed) as refused:
            await dial(rn, user)
        assert refused.value.code == ErrorCode.RATE_LIMITED
        assert "max_connections_per_user" in refused.value.message
        bystander = await dial(rn, other)  # a per-user limit: others still get in
        await first.close()
        for _ in range(50):
            if len(rn.node.router.connections(user.user_id)) < 2:
                break
            await asyncio.sleep(0.05)
        third = await dial(rn, user)
        for client in (second, third, bystander):
            await client.close()


async def test_a_connection_is_closed_when_its_token_expires(
    backend: Backend, tmp_path: Path,
) -> None:
    async with started(backend, tmp_path) as rn:
        storage = rn.node.storage
        assert storage is not None
        account = await storage.accounts.create_user("short", "not-a-real-hash")
        token = new_token()
        await storage.accounts.create_session(token_hash(token), account.user_id,
                                              new_device_id(), rn.node.clock() + 800)
        user = User(account.user_id, token)
        host, port = rn.endpoints.quic.rsplit(":", 1)
        from prim.runtime.wire.asyncio.connect import connect

        client = await connect(host, int(port), token=token, user_id=user.user_id,
                               trust=trust_of(rn), server_name="localhost",
                               settings=ClientSettings(ping_interval=0.2))
        for _ in range(60):
            if client.closed is not None:
                break
            await asyncio.sleep(0.05)
        assert client.closed is not None and client.closed.code == ErrorCode.UNAUTHENTICATED
        await client.close()
        await assert_left_nothing(rn, user)


async def test_the_auth_deadline_holds_on_the_node(backend: Backend, tmp_path: Path) -> None:
    async with started(backend, tmp_path, **{"gateway.auth_timeout": 0.3}) as rn:
        async with raw_connection("tcp", port_of(rn), trust_of(rn)) as raw:
            raw.send(b"\x00")  # one byte, never a whole Auth frame
            frames = await raw.frames_until_close(timeout=3.0)
        assert [error_code(f) for f in frames] == [ErrorCode.AUTH_REQUIRED]
