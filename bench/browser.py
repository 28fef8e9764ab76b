"""Browser transports benchmark: WebSocket and WebTransport beside QUIC and TLS/TCP, same run.

    python -m prim.bench.browser [--seconds 2]

One server process (the wire runtime answering Echo, every listener on: QUIC and TLS/TCP
on one port, WebSocket over TLS and WebTransport on the browser port) and, from this
process, one connection per transport: 100-byte Echo round trips per second, and
pipelined Echo frames per second (200 in flight; on WebSocket one frame per message, as a
browser sends them). QUIC and TLS/TCP are the baselines. Loopback only, about half a
minute. Numbers, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path

from websockets.asyncio.client import connect as websocket_connect

from prim.bench.transport import BATCH, PAYLOAD, _AcceptAll
from prim.generated.prim.v1 import MsgType
from prim.runtime.tls import ServerIdentity, Trust, ensure_dev_certificates
from prim.runtime.wire.asyncio import WireServer, connect
from prim.runtime.wire.asyncio.webtransport_client import webtransport
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.frame import Frame, encode_frame
from prim.runtime.wire.settings import ServerSettings

USER = 42


def serve_main(cert_dir: Path) -> None:
    async def main() -> None:
        certs = ensure_dev_certificates(cert_dir)
        server = WireServer(_AcceptAll(), ServerIdentity(certs.cert_file, certs.key_file),
                            ServerSettings(port=0, browser_port=0, websocket_tls=True))
        await server.start()
        print(f"URLS {server.port} {server.websocket_url} {server.webtransport_url}",
              flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())




async def _rates(one: Callable[[], Awaitable[None]], batch: Callable[[], Awaitable[None]],
                 seconds: float) -> tuple[float, float]:
    """(round trips/s, pipelined frames/s) over `seconds` each."""
    rates: list[float] = []
    for step, per in ((one, 1), (batch, BATCH)):
        n = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            await step()
            n += per
        rates.append(n / (time.perf_counter() - started))
    return rates[0], rates[1]


async def _runtime(port: int, ca: Path, transport: str, seconds: float) -> tuple[float, float]:
    client = await connect("127.0.0.1", port, token="x", user_id=USER,
                           trust=Trust(ca_file=ca), transports=[transport])
    frame = Frame(type=MsgType.ECHO, sender=USER, payload=PAYLOAD)

    async def one() -> None:
        await client.echo(PAYLOAD)

    async def batch() -> None:
        for _ in range(BATCH):
            await client.send(frame)
        for _ in range(BATCH):
            await client.receive()

    try:
        return await _rates(one, batch, seconds)
    finally:
        await client.close()


async def _websocket(url: str, ca: Path, seconds: float) -> tuple[float, float]:
    context = ssl.create_default_context(cafile=str(ca))
    echo = encode_frame(Frame(type=MsgType.ECHO, sender=USER, payload=PAYLOAD))
    async with websocket_connect(url, ssl=context) as ws:
        await ws.send(encode_frame(Frame(type=MsgType.AUTH, sender=USER, payload=b"x")))
        await ws.recv()
        decoder = FrameDecoder()

        async def frames(n: int) -> None:
            got = 0
            while got < n:
                message = await ws.recv()
                assert isinstance(message, bytes)
                decoder.feed(message)
                got += len(decoder.frames())

        async def one() -> None:
            await ws.send(echo)
            await frames(1)

        async def batch() -> None:
            for _ in range(BATCH):
                await ws.send(echo)
            await frames(BATCH)

        return await _rates(one, batch, seconds)


async def _webtransport(url: str, ca: Path, seconds: float) -> tuple[float, float]:
    authority = url.removeprefix("https://").split("/")[0]
    host, port = authority.rsplit(":", 1)
    echo = Frame(type=MsgType.ECHO, sender=USER, payload=PAYLOAD)
    async with webtransport(host, int(port), str(ca)) as client:
        client.send(Frame(type=MsgType.AUTH, sender=USER, payload=b"x"))
        await client.receive()

        async def one() -> None:
            client.send(echo)
            await client.receive()

        async def batch() -> None:
            client.send(*([echo] * BATCH))
            for _ in range(BATCH):
                await client.receive()

        return await _rates(one, batch, seconds)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="prim bench browser", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--cert-dir", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.serve:
        serve_main(args.cert_dir)
        return 0
    with tempfile.TemporaryDirectory(prefix="prim-bench-browser-") as tmp:
        cert_dir = Path(tmp)
        ca = ensure_dev_certificates(cert_dir).ca_file
        process = subprocess.Popen(
            [sys.executable, "-m", "prim.bench.browser", "--serve", "--cert-dir", tmp],
            stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            line = process.stdout.readline().split()
            if not line or line[0] != "URLS":
                raise RuntimeError(f"the server did not start: {line!r}")
            port, ws_url, wt_url = int(line[1]), line[2], line[3]
            runs: list[tuple[str, Callable[[], Coroutine[None, None, tuple[float, float]]]]] = [
                ("QUIC (baseline)", lambda: _runtime(port, ca, "quic", args.seconds)),
                ("TLS/TCP (baseline)", lambda: _runtime(port, ca, "tcp", args.seconds)),
                ("WebSocket (wss)", lambda: _websocket(ws_url, ca, args.seconds)),
                ("WebTransport", lambda: _webtransport(wt_url, ca, args.seconds)),
            ]
            print(f"{'transport':<22}{'round trips/s':>15}{'pipelined frames/s':>20}")
            for name, run in runs:
                rtt, piped = asyncio.run(run())
                print(f"{name:<22}{rtt:>15,.0f}{piped:>20,.0f}")
        finally:
            process.terminate()
            process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
