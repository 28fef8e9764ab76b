"""The Python SDK's driver: each connection is a `PrimClient` (clients/python/sdk, asyncio)
made from the session the runner logged in, and everything it yields is reported as the
frame it stands for. The SDK fills gaps and catches up from history itself; such
messages are reported with `from_history`. A send is the SDK's own (its timestamp, its
resends); its Ack is reported under the timestamp the case gave the frame, so the case's
references still name it. What the SDK does not let an application do (raw bytes, a
chosen header, Auth by hand, typing, ...) is declared unsupported in the hello.

    python -m prim.conformance.drivers.sdk
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from prim.clients.sdk import Backoff, PrimClient
from prim.clients.sdk.errors import PrimClientError, SendRefused
from prim.clients.sdk.events import (
    ChatEvent,
    ConnectionNotice,
    Edited,
    ErrorNotice,
    FriendNotice,
    GroupNotice,
    Message,
    ReadReceipt,
    RelationshipNotice,
    Sequenced,
    Typing,
    Withdrawn,
)
from prim.clients.sdk.session import Session
from prim.conformance.drivers.asyncio_stdio import Reporter, serve
from prim.conformance.drivers.dispatch import error_frame, failed
from prim.generated.http_client import PrimHttpClient
from prim.generated.prim.v1 import (
    AckPayload,
    CaseTransport,
    DriverConnect,
    DriverHello,
    DriverResult,
    DriverSend,
    DriverStatus,
    EditPayload,
    Error,
    ErrorCode,
    FriendEvent,
    GroupEvent,
    MsgType,
    ObservedFrame,
    ReadReceiptPayload,
    RelationshipEvent,
    WithdrawPayload,
)
from prim.runtime.wire.client_errors import AuthenticationFailed

UNSUPPORTED = ["raw_bytes", "explicit_header", "explicit_auth", "echo", "typing",
               "read_receipt", "extension", "fallback", "stop_reading"]


def _frame(event: ChatEvent, me: int) -> ObservedFrame | None:
    """The frame an SDK event stands for (None: nothing a case can match)."""
    if isinstance(event, Sequenced):
        def seq(type_: MsgType, payload: bytes) -> ObservedFrame:
            return ObservedFrame(type=type_, payload=payload, sender=event.sender,
                                 receiver=event.receiver, seqnum=event.seqnum,
                                 timestamp=event.timestamp, from_history=event.from_history)

        if isinstance(event, Message):
            return seq(event.type, event.payload)
        if isinstance(event, Edited):
            return seq(MsgType.EDIT, bytes(EditPayload(target_seqnum=event.target_seqnum,
                                                       new_payload=event.new_payload)))
        if isinstance(event, Withdrawn):
            return seq(MsgType.WITHDRAW, bytes(WithdrawPayload(target_seqnum=event.target_seqnum)))
        if isinstance(event, FriendNotice):
            return seq(MsgType.REMOVE_FRIEND if event.removed else MsgType.ADD_FRIEND,
                       bytes(FriendEvent(kind=event.kind, requester_id=event.requester_id,
                                         target_id=event.target_id, message=event.message)))
        if isinstance(event, GroupNotice):
            kind = (MsgType.JOIN_GROUP if event.kind.value <= 4  # requested..joined
                    else MsgType.LEAVE_GROUP)
            return seq(kind, bytes(GroupEvent(kind=event.kind, group_id=event.group_id,
                                              user_id=event.user_id, actor_id=event.actor_id,
                                              message=event.message)))
        if isinstance(event, RelationshipNotice):
            return seq(MsgType.SET_RELATIONSHIP,
                       bytes(RelationshipEvent(user_id=event.user_id, blocked=event.blocked)))
        return None
    if isinstance(event, ReadReceipt):
        receiver = me if event.conversation == event.reader else event.conversation
        return ObservedFrame(type=MsgType.READ_RECEIPT, sender=event.reader, receiver=receiver,
                             payload=bytes(ReadReceiptPayload(seqnum=event.seqnum)))
    if isinstance(event, Typing):
        return ObservedFrame(type=MsgType.TYPING, sender=event.user_id, receiver=me)
    if isinstance(event, ErrorNotice):
        return ObservedFrame(type=MsgType.BE_OFFLINE if event.offline else MsgType.ERROR,
                             receiver=me, payload=bytes(Error(
            code=event.code, message=event.message, ref_timestamp_ms=event.ref_timestamp_ms)))
    return None


@dataclass
class _Connection:
    client: PrimClient
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


class SdkDriver:
    def __init__(self, reporter: Reporter) -> None:
        self._reporter = reporter
        self._connections: dict[str, _Connection] = {}

    async def connect(self, c: DriverConnect) -> DriverResult:
        await self.disconnect(c.connection)
        http = PrimHttpClient(c.http_base_url)
        http.set_token(c.access_token)
        session = Session(base_url=c.http_base_url, user_id=c.user_id,
                          access_token=c.access_token, expires_at_ms=0, device_id=c.device_id)
        client = PrimClient(session, http, ack_timeout=2.0, send_timeout=20.0,
                            backoff=Backoff(initial=0.05, maximum=0.5))
        transports = {CaseTransport.QUIC: ("quic",), CaseTransport.TCP: ("tcp",)}.get(
            c.transport, ("quic", "tcp"))
        try:
            await client.connect(ca_file=c.ca_file, gateway=f"{c.host}:{c.port}",
                                 transports=transports)
        except AuthenticationFailed as exc:  # observed, for the case to match
            await client.close()
            self._reporter.frame(c.connection, error_frame(exc.code, exc.message, c.user_id))
            self._reporter.closed(c.connection, str(exc))
            return DriverResult(status=DriverStatus.OK, detail="Auth was refused")
        except (PrimClientError, OSError) as exc:
            await client.close()
            return failed(str(exc))
        conn = _Connection(client)
        self._connections[c.connection] = conn
        self._spawn(conn, self._pump(c.connection, client))
        return DriverResult(status=DriverStatus.OK, transport=client.connection.transport or "")

    def _spawn(self, conn: _Connection, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(job)
        conn.tasks.add(task)
        task.add_done_callback(conn.tasks.discard)

    async def _pump(self, name: str, client: PrimClient) -> None:
        async for event in client:
            if isinstance(event, ConnectionNotice):
                if event.state in ("disconnected", "failed"):
                    self._reporter.closed(name, event.detail or event.state)
                continue
            frame = _frame(event, client.user_id)
            if frame is not None:
                self._reporter.frame(name, frame)

    async def send(self, s: DriverSend) -> DriverResult:
        conn = self._connections.get(s.connection)
        if conn is None:
            return failed(f"no connection {s.connection}")
        frame = s.frame
        assert frame is not None
        if frame.type == MsgType.PING:
            self._spawn(conn, self._ping(s.connection, conn.client))
        else:
            self._spawn(conn, self._deliver(s.connection, conn.client, frame))
        return DriverResult(status=DriverStatus.OK)

    async def _ping(self, name: str, client: PrimClient) -> None:
        with contextlib.suppress(PrimClientError, OSError):
            await client.connection.ping()
            self._reporter.frame(name, ObservedFrame(type=MsgType.PONG,
                                                     receiver=client.user_id))

    async def _deliver(self, name: str, client: PrimClient, frame: ObservedFrame) -> None:
        try:
            sent = await client.send(MsgType(frame.type), frame.receiver, frame.payload)
        except SendRefused as exc:
            self._reporter.frame(name, error_frame(exc.code, str(exc), client.user_id,
                                                   frame.timestamp))
            return
        except PrimClientError as exc:
            self._reporter.frame(name, error_frame(ErrorCode.UNAVAILABLE, str(exc),
                                                   client.user_id))
            return
        self._reporter.frame(name, ObservedFrame(
            type=MsgType.ACK, receiver=client.user_id, seqnum=sent.seqnum,
            timestamp=frame.timestamp,
            payload=bytes(AckPayload(server_timestamp_ms=sent.server_timestamp_ms,
                                     duplicate=sent.duplicate))))

    async def disconnect(self, name: str) -> None:
        conn = self._connections.pop(name, None)
        if conn is None:
            return
        with contextlib.suppress(Exception):
            await conn.client.close()
        for task in list(conn.tasks):
            task.cancel()
        await asyncio.gather(*conn.tasks, return_exceptions=True)

    async def close(self) -> None:
        for name in list(self._connections):
            await self.disconnect(name)


HELLO = DriverHello(name="python-sdk", version="1", unsupported_features=UNSUPPORTED)


def main() -> None:
    asyncio.run(serve(HELLO, SdkDriver))


if __name__ == "__main__":
    main()
