"""People of a cluster test: accounts made over the api's HTTP (the SDK's session calls),
and wire connections opened to a chosen message node."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from prim.clients.sdk import PrimClient
from prim.generated.prim.v1 import Direction, ListHistoryRequest, MsgType
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.asyncio.connect import connect
from prim.runtime.wire.frame import Frame
from tests.cluster.harness import ClusterThread

PASSWORD = "correct horse battery"
_names = itertools.count(1)
_timestamps = itertools.count(1_700_000_000_000)

T = TypeVar("T")


@dataclass
class Person:
    sdk: PrimClient  # HTTP calls as this user (and, if connected, a wire connection)
    cluster: ClusterThread

    @property
    def user_id(self) -> int:
        return self.sdk.user_id

    async def dial(self, node: str, transport: str = "quic") -> Client:
        """A wire connection of this device to message node `node` (e.g. "message-2")."""
        ready = self.cluster.ready(node)
        host, port = str(ready["quic"]).rsplit(":", 1)
        return await connect(host, int(port), token=self.sdk.session.access_token,
                             user_id=self.user_id,
                             trust=Trust(ca_file=Path(str(ready["ca_cert"]))),
                             transports=(transport,), server_name="localhost")

    async def device(self) -> Person:
        """Another session (device) of the same account."""
        api = self.cluster.ready("api-1")["http"]
        other = await PrimClient.log_in(str(api), self.user_id, PASSWORD)
        return Person(other, self.cluster)


async def person(cluster: ClusterThread, name: str = "") -> Person:
    api = str(cluster.ready("api-1")["http"])
    sdk = await PrimClient.sign_up(api, name or f"user{next(_names)}", PASSWORD)
    return Person(sdk, cluster)


async def friends(a: Person, b: Person) -> None:
    await a.sdk.add_friend(b.user_id, "hi")
    await b.sdk.accept_friend(a.user_id)


def text(sender: Person, receiver: int, body: str, ts: int | None = None) -> Frame:
    return Frame(type=MsgType.TEXT, sender=sender.user_id, receiver=receiver,
                 timestamp=next(_timestamps) if ts is None else ts, payload=body.encode())


async def next_of(client: Client, *types: int, timeout: float = 10.0) -> Frame:
    """The next frame of one of `types` (others are passed over)."""
    async with asyncio.timeout(timeout):
        while True:
            frame = await client.receive()
            if frame.type in types:
                return frame


async def send_acked(client: Client, frame: Frame) -> Frame:
    await client.send(frame)
    async with asyncio.timeout(10):
        while True:
            got = await client.receive()
            if got.type == MsgType.ACK and got.timestamp == frame.timestamp:
                return got
            if got.type == MsgType.ERROR:
                raise AssertionError(f"refused: {got}")


async def eventually(check: Callable[[], Awaitable[T | None]], *, timeout: float = 20.0,
                     what: str = "the condition") -> T:
    """Polls `check` until it returns something (the msgprocessor persists a little after
    the Ack: history is eventually consistent with the live stream)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value is not None and value is not False:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.2)


async def history_texts(p: Person | PrimClient, peer: int) -> list[tuple[int, str]]:
    """Every Text of the conversation, (seqnum, text) oldest first (all pages)."""
    sdk = p.sdk if isinstance(p, Person) else p
    out: list[tuple[int, str]] = []
    token = ""
    while True:
        page = await sdk.http.messages.list_history(ListHistoryRequest(
            peer_id=peer, direction=Direction.FORWARD, page_size=200, page_token=token))
        out += [(m.seqnum, m.payload.decode()) for m in page.messages
                if m.type == MsgType.TEXT]
        token = page.next_page_token
        if not token:
            return out
