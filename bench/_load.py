"""The load of `prim bench message`, the same for PRIM and for an XMPP server: senders in the
bench process, receivers in a process of their own (`python -m prim.bench._load`), so the
two sides do not share one interpreter's CPU, as in the issue's method.

Every message is a 100-byte text whose first 20 characters are the send time
(`time.perf_counter_ns`, CLOCK_MONOTONIC: the same clock in both processes). A flood
sends its whole count at once (no window, as an XMPP client does); a paced sender sends
message i at t0 + i / rate, catching up without a pause when it falls behind (open loop,
so a slow server shows as latency, not as a lower offered rate).

The receiver process reads one JSON line of parameters on stdin, connects, prints READY,
collects until it has the expected number of messages (or its timeout passes) and prints
one JSON line: the latencies (ns) and the time of the last delivery.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STAMP_DIGITS = 20
_PAD = "x" * 80
BODY_BYTES = STAMP_DIGITS + len(_PAD)  # 100


def body() -> str:
    return f"{time.perf_counter_ns():0{STAMP_DIGITS}d}{_PAD}"


def latency_ns(text: bytes | str) -> int:
    return time.perf_counter_ns() - int(text[:STAMP_DIGITS])


@dataclass
class Received:
    latencies_ns: list[int] = field(default_factory=list)
    last_ns: int = 0


# -- PRIM -------------------------------------------------------------------------------

async def prim_clients(params: dict[str, Any]) -> list[Any]:
    from prim.runtime.tls.trust import Trust
    from prim.runtime.wire.asyncio.connect import connect
    from prim.runtime.wire.settings import ClientSettings

    host, port = params["quic"].rsplit(":", 1)
    trust = Trust(ca_file=Path(params["ca"]))
    settings = ClientSettings(ping_interval=None, max_send_queue_frames=100_000)
    accounts = params["accounts"]
    clients: list[Any] = []
    # In batches, with time for each handshake: hundreds at once on a loaded machine
    # would miss the default QUIC timeout.
    for start in range(0, len(accounts), 50):
        clients += await asyncio.gather(*(
            connect(host, int(port), token=token, user_id=uid, trust=trust,
                    server_name="localhost", transports=("quic",), settings=settings,
                    quic_timeout=10.0, timeout=30.0)
            for uid, token in accounts[start:start + 50]))
    return clients


async def prim_receive(params: dict[str, Any], got: Received, done: asyncio.Event) -> None:
    from prim.generated.prim.v1 import MsgType
    from prim.runtime.wire.client_errors import ConnectionClosedError

    clients = await prim_clients(params)
    expected = params["expected"]

    async def read(client: Any) -> None:
        with suppress(ConnectionClosedError):
            while True:
                frame = await client.receive()
                if frame.type == MsgType.TEXT and frame.seqnum:
                    got.latencies_ns.append(latency_ns(frame.payload))
                    got.last_ns = time.perf_counter_ns()
                    if len(got.latencies_ns) >= expected:
                        done.set()

    readers = [asyncio.create_task(read(c)) for c in clients]
    print("READY", flush=True)
    try:
        await done.wait()
    finally:
        for r in readers:
            r.cancel()
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


class PrimSenders:
    """One connected client per sender; Acks (and Errors) are read and counted."""

    def __init__(self, clients: list[Any], peers: list[int]) -> None:
        from prim.generated.prim.v1 import MsgType

        self._clients, self._peers = clients, peers
        self._text = MsgType.TEXT
        self._ts = time.time_ns() // 1_000_000  # client timestamps: unique per sender
        self.acks = 0
        self.errors = 0
        self._readers = [asyncio.create_task(self._read(c)) for c in clients]

    async def _read(self, client: Any) -> None:
        from prim.generated.prim.v1 import MsgType
        from prim.runtime.wire.client_errors import ConnectionClosedError

        with suppress(ConnectionClosedError):
            while True:
                frame = await client.receive()
                if frame.type == MsgType.ACK:
                    self.acks += 1
                elif frame.type == MsgType.ERROR:
                    self.errors += 1

    async def send(self, i: int) -> None:
        from prim.runtime.wire.frame import Frame

        client = self._clients[i]
        self._ts += 1
        await client.send(Frame(type=self._text, sender=client.user_id,
                                receiver=self._peers[i], timestamp=self._ts,
                                payload=body().encode()))

    async def close(self) -> None:
        for r in self._readers:
            r.cancel()
        await asyncio.gather(*(c.close() for c in self._clients), return_exceptions=True)


# -- XMPP (slixmpp) ---------------------------------------------------------------------

async def xmpp_clients(params: dict[str, Any],
                       on_body: Callable[[str], None] | None = None) -> list[Any]:
    import slixmpp

    loop = asyncio.get_running_loop()

    async def one(jid: str, password: str) -> Any:
        client = slixmpp.ClientXMPP(jid, password, loop=loop)
        client.ssl_context.check_hostname = False
        client.ssl_context.verify_mode = ssl.CERT_NONE  # the throwaway instance's own cert
        started: asyncio.Future[None] = loop.create_future()

        def session_start(_: Any) -> None:
            client.send_presence()
            if not started.done():
                started.set_result(None)

        def failed(_: Any) -> None:
            if not started.done():
                started.set_exception(ConnectionError(f"{jid}: XMPP login failed"))

        client.add_event_handler("session_start", session_start)
        client.add_event_handler("failed_auth", failed)
        if on_body is not None:
            client.add_event_handler(
                "message", lambda msg: on_body(msg["body"]) if msg["body"] else None)
        client.connect("127.0.0.1", params["port"])
        await asyncio.wait_for(started, 60)
        return client

    # One at a time: ejabberd's SQLite (one connection) logs each of them in in turn anyway.
    return [await one(j, p) for j, p in params["users"]]


async def xmpp_receive(params: dict[str, Any], got: Received, done: asyncio.Event) -> None:
    expected = params["expected"]

    def on_body(text: str) -> None:
        got.latencies_ns.append(latency_ns(text))
        got.last_ns = time.perf_counter_ns()
        if len(got.latencies_ns) >= expected:
            done.set()

    clients = await xmpp_clients(params, on_body)
    await asyncio.sleep(0.3)  # presence settles: delivered live, not as offline messages
    print("READY", flush=True)
    try:
        await done.wait()
    finally:
        for c in clients:
            c.disconnect()


class XmppSenders:
    def __init__(self, clients: list[Any], peers: list[str]) -> None:
        self._clients, self._peers = clients, peers
        self.acks = 0  # XMPP has no per-message Ack: nothing to count
        self.errors = 0

    async def send(self, i: int) -> None:
        self._clients[i].send_message(mto=self._peers[i], mbody=body(), mtype="chat")
        if i == 0:
            await asyncio.sleep(0)

    async def close(self) -> None:
        for c in self._clients:
            c.disconnect()
        await asyncio.sleep(0.2)


# -- the receiver process ---------------------------------------------------------------

class Receivers:
    """The receiver process of one scenario."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "prim.bench._load"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(params) + "\n")
        self.proc.stdin.close()

    async def ready(self) -> None:
        assert self.proc.stdout is not None
        line = await asyncio.to_thread(self.proc.stdout.readline)
        if line.strip() != "READY":
            self.proc.kill()
            raise RuntimeError(f"the receiver process did not start: {line!r}")

    async def result(self) -> Received:
        assert self.proc.stdout is not None
        line = await asyncio.to_thread(self.proc.stdout.readline)
        await asyncio.to_thread(self.proc.wait)
        if not line:
            return Received()
        data = json.loads(line)
        return Received(list(data["latencies_ns"]), int(data["last_ns"]))


def receiver_main() -> None:
    params = json.loads(sys.stdin.readline())
    got = Received()

    async def main() -> None:
        done = asyncio.Event()
        receive: Callable[[dict[str, Any], Received, asyncio.Event],
                          Coroutine[Any, Any, None]] = (
            prim_receive if params["kind"] == "prim" else xmpp_receive)
        task = asyncio.create_task(receive(params, got, done))
        with suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), params["timeout"])
        done.set()
        with suppress(Exception):
            await asyncio.wait_for(task, 5)

    asyncio.run(main())
    print(json.dumps({"latencies_ns": got.latencies_ns, "last_ns": got.last_ns}), flush=True)


if __name__ == "__main__":
    receiver_main()
