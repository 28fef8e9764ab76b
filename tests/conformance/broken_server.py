"""A deliberately broken PRIM server, for tests that show the conformance suite fails when
the server does: the real node with one fault, started as a command that prints the ready
line (`python -m tests.conformance.broken_server FAULT`), as `prim serve` does.

Faults:
- ack-before-store: Acks (and delivers) before the write is durable; the write lands
  1.5 s later, or never if the server stops first.
- duplicate-resends: a resend of a stored message is delivered again.
- reorder: the relay in front swaps each delivered Text with the frame after it.
- skip-auth: any Auth is accepted; the token is not checked.

Lives only in the tests: nothing in the product can be configured like this.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from prim.conformance.relay import Relay, Upstream, parse_rule
from prim.runtime.config import load_config
from prim.runtime.storage.models import InsertResult, KeyMatch, Message
from prim.runtime.wire import Connection
from prim.runtime.wire.frame import Frame
from prim.services.message.gateway import MessageGateway, _Device
from prim.services.message.pipeline import MessagePipeline, Sequenced
from prim.services.message.rate_limit import TokenBucket
from prim.services.node import Node

FAULTS = ("ack-before-store", "duplicate-resends", "reorder", "skip-auth")
STORE_DELAY = 1.5
_pending: set[asyncio.Task[None]] = set()  # the late writes


def _break_pipeline_writes(node: Node) -> None:
    assert node.pipeline is not None
    writer = node.pipeline._writer
    real = writer.enqueue
    loop = asyncio.get_running_loop()

    def enqueue(message: Message) -> Awaitable[InsertResult]:
        async def later() -> None:
            await asyncio.sleep(STORE_DELAY)
            await real(message)

        _pending.add(task := loop.create_task(later()))
        task.add_done_callback(_pending.discard)
        done: asyncio.Future[InsertResult] = loop.create_future()
        done.set_result(InsertResult(seqnum=message.seqnum, inserted=True))
        return done

    writer.enqueue = enqueue  # type: ignore[method-assign]


def _break_resends() -> None:
    real = MessagePipeline._duplicate

    async def duplicate(self: MessagePipeline, channel: str, stored: KeyMatch,
                        frame: Frame) -> Sequenced:
        result = await real(self, channel, stored, frame)
        copy = Frame(type=frame.type, sender=frame.sender, receiver=frame.receiver,
                     timestamp=result.server_ts, seqnum=result.seqnum,
                     payload=frame.payload, extension=frame.extension)
        self._deliver((frame.receiver,), copy, 0, asyncio.get_running_loop().time())
        return result

    MessagePipeline._duplicate = duplicate  # type: ignore[method-assign]


def _skip_auth() -> None:
    real = MessageGateway.on_auth

    async def on_auth(self: MessageGateway, conn: Connection, token: str,
                      sender: int) -> Any:
        answer = await real(self, conn, token, sender)
        if isinstance(answer, int):
            return answer
        # Refused? Let it in anyway, as whoever it says it is.
        expiry = asyncio.get_running_loop().call_later(3600, lambda: None)
        self._devices[conn.id] = _Device(sender, "intruder", expiry)
        self._buckets[conn.id] = TokenBucket(self._frames_per_second)
        self._router.add(sender, conn)
        return sender

    MessageGateway.on_auth = on_auth  # type: ignore[method-assign]


async def main(fault: str) -> None:
    data = os.environ.get("PRIM_NODE__DATA_DIR") or tempfile.mkdtemp(prefix="prim-broken-")
    if fault == "duplicate-resends":
        _break_resends()
    if fault == "skip-auth":
        _skip_auth()
    relay: Relay | None = None
    overrides: dict[str, object] = {}
    if fault == "reorder":
        relay = Relay(Upstream("127.0.0.1", 1, Path(data)),
                      [parse_rule("reorder dir=s2c type=TEXT")],
                      cert_dir=Path(data) / "relay-tls")
        await relay.start()
        overrides["gateway.public_address"] = relay.quic_address
    config = load_config(overrides=overrides)  # PRIM_* variables from the runner
    node = Node(config)
    endpoints = await node.start()
    ready = json.loads(endpoints.ready_line())
    if fault == "ack-before-store":
        _break_pipeline_writes(node)
    if relay is not None:
        assert node.wire is not None
        relay.upstream = Upstream("127.0.0.1", node.wire.port, Path(endpoints.ca_cert),
                                  server_name="localhost")
        ready.update(quic=relay.quic_address, tcp=relay.tcp_address, ca_cert=relay.ca_cert)
    print(json.dumps(ready), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await node.stop()
    if relay is not None:
        await relay.close()


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in FAULTS:
        sys.exit(f"usage: python -m tests.conformance.broken_server {{{','.join(FAULTS)}}}")
    asyncio.run(main(sys.argv[1]))
