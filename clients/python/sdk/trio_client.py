"""The SDK for trio programs: `open_trio_client()` logs in, asks GetMyNode for the node and
connects through the trio wire driver (runtime/wire/trio):

    async with open_trio_client(base_url, user_id, password, ca_file=ca) as client:
        sent = await client.send_text(peer_id, "hi")
        async for event in client.events():   # the same event types as PrimClient's
            ...

Smaller than `PrimClient`: one connection (no reconnect, no gap filling, no store); a
sequenced frame is resent as it was (same timestamp: stored once) until its Ack or Error
comes or `send_timeout` passes. HTTP calls go through `client.http`, the generated client,
which runs on trio as well.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import trio

from prim.generated.http_client import PrimHttpClient
from prim.generated.prim.v1 import AckPayload, Error, GetMyNodeRequest, MsgType
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.client_errors import ConnectionClosedError
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.settings import wall_clock_ms
from prim.runtime.wire.trio.client import Client
from prim.runtime.wire.trio.connect import open_client

from .client import Sent
from .errors import SendRefused, SendTimeout
from .events import ChatEvent, decode_frame, payload_of
from .session import Session, log_in


class TrioClient:
    def __init__(self, session: Session, http: PrimHttpClient, wire: Client, *,
                 ack_timeout: float, send_timeout: float) -> None:
        self.session = session
        self.http = http
        self.user_id = session.user_id
        self.ack_timeout = ack_timeout
        self.send_timeout = send_timeout
        self._wire = wire
        self._answers: dict[int, Frame] = {}  # client timestamp -> its Ack or Error
        self._answered = trio.Event()
        self._last_ts = 0
        self._events_in, self._events_out = trio.open_memory_channel[ChatEvent | None](
            1000)

    async def send_text(self, peer_id: int, text: str) -> Sent:
        return await self.send(MsgType.TEXT, peer_id, text.encode("utf-8"))

    async def send(self, type_: MsgType, peer_id: int, payload: bytes) -> Sent:
        """Sends a sequenced frame and waits for its Ack (raises SendRefused on an Error,
        SendTimeout when none came within send_timeout)."""
        self._last_ts = max(wall_clock_ms(), self._last_ts + 1)
        frame = Frame(type=type_, sender=self.user_id, receiver=peer_id,
                      timestamp=self._last_ts, payload=payload)
        with trio.move_on_after(self.send_timeout):
            while True:
                await self._wire.send(frame)
                with trio.move_on_after(self.ack_timeout):
                    while frame.timestamp not in self._answers:
                        await self._answered.wait()
                    return _result(frame, self._answers.pop(frame.timestamp))
        raise SendTimeout(peer_id, frame.timestamp, self.send_timeout)

    async def events(self) -> AsyncIterator[ChatEvent]:
        """What the server delivers, decoded as PrimClient's events; ends when the
        connection closes."""
        while (event := await self._events_out.receive()) is not None:
            yield event

    async def _read(self) -> None:
        try:
            while True:
                frame = await self._wire.receive()
                if frame.type == MsgType.ACK or _answers_a_send(frame):
                    key = frame.timestamp if frame.type == MsgType.ACK else _ref(frame)
                    self._answers[key] = frame
                    self._answered.set()
                    self._answered = trio.Event()
                    continue
                await self._events_in.send(decode_frame(frame, self.user_id))
        except ConnectionClosedError:
            await self._events_in.send(None)


@asynccontextmanager
async def open_trio_client(base_url: str, user_id: int, password: str, *,
                           ca_file: str | Path, device_name: str = "python sdk (trio)",
                           ack_timeout: float = 5.0, send_timeout: float = 60.0,
                           ) -> AsyncIterator[TrioClient]:
    """A logged-in, connected `TrioClient` for the lifetime of the block."""
    http = PrimHttpClient(base_url)
    try:
        session = await log_in(http, base_url, user_id, password, device_name)
        node = await http.nodes.get_my_node(GetMyNodeRequest())
        host, _, port = (node.quic_address or node.tcp_address).rpartition(":")
        if host.strip("[]") in ("", "0.0.0.0", "::"):
            host = "127.0.0.1"
        async with open_client(host.strip("[]"), int(port), token=session.access_token,
                               user_id=session.user_id,
                               trust=Trust(ca_file=Path(ca_file))) as wire:
            client = TrioClient(session, http, wire, ack_timeout=ack_timeout,
                                send_timeout=send_timeout)
            async with trio.open_nursery() as nursery:
                nursery.start_soon(client._read)
                try:
                    yield client
                finally:
                    nursery.cancel_scope.cancel()
    finally:
        await http.aclose()


def _answers_a_send(frame: Frame) -> bool:
    if frame.type != MsgType.ERROR:
        return False
    return _ref(frame) != 0


def _ref(frame: Frame) -> int:
    """The client timestamp an Error answers (0: none, or no readable Error)."""
    error = payload_of(frame.type, frame.payload, Error)
    return error.ref_timestamp_ms if error is not None else 0


def _result(frame: Frame, answer: Frame) -> Sent:
    if answer.type == MsgType.ERROR:
        error = payload_of(answer.type, answer.payload, Error) or Error()
        raise SendRefused(error.code, error.message)
    ack = payload_of(answer.type, answer.payload, AckPayload) or AckPayload()
    return Sent(answer.seqnum, ack.server_timestamp_ms, frame.timestamp, ack.duplicate)
