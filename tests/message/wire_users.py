"""Helpers for message-service tests: users with sessions, friendships and groups made
through the storage ports, and wire clients connected to the node under test."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from pathlib import Path

from prim.generated.prim.v1 import AckPayload, MsgType
from prim.runtime.storage.models import GroupRole
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.asyncio.connect import connect
from prim.runtime.wire.frame import Frame
from prim.services.api.tokens import new_device_id, new_token, token_hash
from tests.api.conftest import RunningNode

_timestamps = itertools.count(1_700_000_000_000)


def client_ts() -> int:
    """A distinct client timestamp per message (the idempotency key's last part)."""
    return next(_timestamps)


@dataclass
class User:
    user_id: int
    token: str


async def make_user(rn: RunningNode, nickname: str = "u") -> User:
    storage = rn.node.storage
    assert storage is not None
    user = await storage.accounts.create_user(nickname, "not-a-real-hash")
    token = new_token()
    await storage.accounts.create_session(token_hash(token), user.user_id, new_device_id(),
                                          rn.node.clock() + 3_600_000)
    return User(user.user_id, token)


async def befriend(rn: RunningNode, a: User, b: User) -> None:
    storage = rn.node.storage
    assert storage is not None
    await storage.social.create_friend_request(a.user_id, b.user_id)
    await storage.social.accept_friend_request(a.user_id, b.user_id)


async def make_group(rn: RunningNode, owner: User, members: list[User],
                     admins: list[User] | None = None) -> int:
    storage = rn.node.storage
    assert storage is not None
    group = await storage.social.create_group(owner.user_id, "g")
    for m in members:
        role = GroupRole.ADMIN if m in (admins or []) else GroupRole.MEMBER
        await storage.social.add_member(group.group_id, m.user_id, role)
    return group.group_id


async def new_device(rn: RunningNode, user: User) -> User:
    """Another session (device) of the same user."""
    storage = rn.node.storage
    assert storage is not None
    token = new_token()
    await storage.accounts.create_session(token_hash(token), user.user_id, new_device_id(),
                                          rn.node.clock() + 3_600_000)
    return User(user.user_id, token)


async def dial(rn: RunningNode, user: User, transport: str = "quic") -> Client:
    host, port = rn.endpoints.quic.rsplit(":", 1)
    # Tests dial dozens at once on two shared cores, with the server in the same process:
    # a handshake may take longer than the clients' default fallback timer.
    return await connect(host, int(port), token=user.token, user_id=user.user_id,
                         trust=Trust(ca_file=Path(rn.endpoints.ca_cert)),
                         transports=(transport,), server_name="localhost",
                         quic_timeout=10.0)


def text(sender: User, receiver: int, body: str, ts: int | None = None) -> Frame:
    return Frame(type=MsgType.TEXT, sender=sender.user_id, receiver=receiver,
                 timestamp=client_ts() if ts is None else ts, payload=body.encode())


async def next_frame(client: Client, *, skip: tuple[int, ...] = (MsgType.TYPING,),
                     timeout: float = 5.0) -> Frame:
    while True:
        frame = await asyncio.wait_for(client.receive(), timeout)
        if frame.type not in skip:
            return frame


async def send_and_ack(client: Client, frame: Frame) -> tuple[Frame, AckPayload]:
    """Sends `frame` and waits for its Ack (copies of other messages are passed over)."""
    await client.send(frame)
    while True:
        ack = await next_frame(client)
        if ack.type != MsgType.ACK and ack.seqnum:
            continue  # a delivered message (someone else's, or a copy of our own)
        break
    assert ack.type == MsgType.ACK, ack
    assert ack.timestamp == frame.timestamp
    return ack, AckPayload.parse(ack.payload)


async def nothing_arrives(client: Client, within: float = 0.3) -> bool:
    try:
        frame = await asyncio.wait_for(client.receive(), within)
    except TimeoutError:
        return True
    raise AssertionError(f"unexpected frame {frame}")
