"""Signed-in users calling the friend, group and message endpoints over real HTTP, and
readers for what those calls leave behind (business messages in history)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import betterproto2
import httpx

from prim.generated.prim.v1 import MsgType
from prim.runtime.wire.frame import Frame
from tests.api.accounts_helpers import Account, dial, new_account
from tests.api.conftest import RunningNode
from tests.message.wire_users import client_ts, send_and_ack

Json = dict[str, Any]
M = TypeVar("M", bound=betterproto2.Message)


@dataclass(frozen=True)
class User:
    """An account and the HTTP client it calls with."""

    account: Account
    http: httpx.AsyncClient

    @property
    def id(self) -> int:
        return self.account.user_id

    async def call(self, method: str, path: str, body: Json | None = None,
                   params: Json | None = None) -> httpx.Response:
        return await self.http.request(method, path, json=body, params=params,
                                       headers=self.account.auth)

    async def ok(self, method: str, path: str, body: Json | None = None,
                 params: Json | None = None) -> Json:
        response = await self.call(method, path, body, params)
        assert response.status_code == 200, (method, path, response.text)
        data: Json = response.json()
        return data


async def users(rn: RunningNode, count: int) -> list[User]:
    return [User(await new_account(rn.http, f"user{i}"), rn.http) for i in range(count)]


async def befriend(a: User, b: User) -> None:
    await a.ok("POST", "/v1/friend-requests", {"user_id": str(b.id)})
    await b.ok("POST", f"/v1/friend-requests/{a.id}/accept", {})


async def make_group(owner: User, members: Sequence[User] = (),
                     admins: Sequence[User] = (), password: str = "") -> int:
    """A group made over HTTP: members join by request and approval; admins are granted."""
    group = await owner.ok("POST", "/v1/groups", {"name": "g", "join_password": password})
    gid = int(group["groupId"])
    for user in [*members, *admins]:
        await user.ok("POST", f"/v1/groups/{gid}/join-requests", {"password": password})
        await owner.ok("POST", f"/v1/groups/{gid}/join-requests/{user.id}/approve", {})
    for user in admins:
        await owner.ok("PUT", f"/v1/groups/{gid}/admins/{user.id}", {})
    return gid


async def send_texts(rn: RunningNode, user: User, receiver: int, *bodies: str) -> list[int]:
    """Sends each body as a Text over the wire and returns the seqnums the Acks gave."""
    client = await dial(rn.endpoints, user.account)
    try:
        seqnums = []
        for body in bodies:
            ack, _ = await send_and_ack(client, Frame(
                type=MsgType.TEXT, sender=user.id, receiver=receiver, timestamp=client_ts(),
                payload=body.encode()))
            seqnums.append(ack.seqnum)
        return seqnums
    finally:
        await client.close()


async def history(user: User, peer: int, **params: Any) -> list[Json]:
    data = await user.ok("GET", f"/v1/conversations/{peer}/messages", params=params or None)
    messages: list[Json] = data.get("messages", [])
    return messages


def payload(message: Json, cls: type[M]) -> M:
    return cls.parse(base64.b64decode(message.get("payload", "")))


def events(messages: list[Json], msg_type: str, cls: type[M]) -> list[M]:
    """The payloads of the messages of one type (e.g. "MSG_TYPE_ADD_FRIEND"), in order."""
    return [payload(m, cls) for m in messages if m["type"] == msg_type]


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Waits for something done off the request's path (group fan-out records inboxes)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.02)
