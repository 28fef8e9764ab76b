"""Transport benchmark: the wire runtime beside bare QUIC / bare TLS echo, same run.

    python -m prim.bench.transport [--seconds 2] [--idle 1000]

(a) frames encoded and decoded per second (in process);
(b) 100-byte round trips per second and pipelined frames per second, on one connection and
    on 100 concurrent connections, over QUIC and TLS/TCP, against a server in a separate
    process: the PRIM runtime server (Echo answered by the sans-IO core) and a minimal echo
    server (QUIC streams on the default engine / asyncio TLS) that only copies bytes back;
(c) server memory per idle connection: RSS growth of the server process with `--idle` QUIC
    connections open, divided by their number.

Both servers run side by side and every measurement is taken on one and then at once on
the other, so a busy machine skews both alike.

Loopback only; the whole run is bounded (about a minute). Numbers, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from prim.generated.prim.v1 import MsgType
from prim.generated.wire import HEADER_SIZE
from prim.runtime.tls import ServerIdentity, Trust, ensure_dev_certificates
from prim.runtime.wire.asyncio import WireServer, connect
from prim.runtime.wire.decoder import FrameDecoder
from prim.runtime.wire.frame import Frame, encode_frame
from prim.runtime.wire.handler import AuthRejected, Connection, ConnectionHandler
from prim.runtime.wire.quic_engine import ENGINE_ENV, ENGINES, load
from prim.runtime.wire.settings import ServerSettings

PAYLOAD = b"p" * 100
FRAME_SIZE = HEADER_SIZE + len(PAYLOAD)  # what the bare echo moves per "frame"
BATCH = 200  # frames in flight per pipelined round
CONNECTIONS = 100


# -- (a) codec --------------------------------------------------------------------------

def bench_codec(seconds: float) -> tuple[float, float]:
    frame = Frame(type=MsgType.TEXT, sender=42, receiver=7, timestamp=1, payload=PAYLOAD)
    n = 0
    deadline = time.perf_counter() + seconds / 2
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        for _ in range(1000):
            encode_frame(frame)
        n += 1000
    encoded = n / (time.perf_counter() - started)
    buffer = encode_frame(frame) * 1000
    n = 0
    deadline = time.perf_counter() + seconds / 2
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        decoder = FrameDecoder()
        for i in range(0, len(buffer), 4096):  # as a stream delivers it
            decoder.feed(buffer[i:i + 4096])
            n += len(decoder.frames())
    decoded = n / (time.perf_counter() - started)
    return encoded, decoded


# -- servers (run in a child process) ---------------------------------------------------

class _AcceptAll(ConnectionHandler):
    async def on_auth(self, conn: Connection, token: str, sender: int) -> int | AuthRejected:
        return sender

    async def on_frame(self, conn: Connection, frame: Frame) -> None:
        conn.send(frame)


async def _serve_runtime(cert_dir: Path) -> int:
    certs = ensure_dev_certificates(cert_dir)
    server = WireServer(_AcceptAll(), ServerIdentity(certs.cert_file, certs.key_file),
                        ServerSettings(port=0))
    await server.start()
    return server.port


async def _bare_echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
    writer.close()


async def _serve_bare(cert_dir: Path) -> int:
    certs = ensure_dev_certificates(cert_dir)
    identity = ServerIdentity(certs.cert_file, certs.key_file)
    tasks: set[asyncio.Task[None]] = set()

    def on_stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.get_running_loop().create_task(_bare_echo(reader, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    engine = load()  # $PRIM_QUIC_ENGINE, set by start_server
    for attempt in range(10):
        tcp = await asyncio.start_server(_bare_echo, "127.0.0.1", 0,
                                         ssl=identity.ssl_context())
        port = int(tcp.sockets[0].getsockname()[1])
        try:  # the same number for UDP: on a shared machine another process may hold it
            await engine.serve("127.0.0.1", port, configuration=identity.quic_configuration(
                120.0, configuration=engine.configuration), stream_handler=on_stream)
        except OSError:
            tcp.close()
            if attempt == 9:
                raise
            continue
        return port
    raise AssertionError("unreachable")


def serve_main(kind: str, cert_dir: Path) -> None:
    async def main() -> None:
        port = await (_serve_runtime if kind == "runtime" else _serve_bare)(cert_dir)
        print(f"PORT {port}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


@dataclass
class ServerProcess:
    process: subprocess.Popen[str]
    port: int

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_server(kind: str, cert_dir: Path, engine: str | None = None) -> ServerProcess:
    env = dict(os.environ, **({ENGINE_ENV: engine} if engine else {}))
    process = subprocess.Popen(
        [sys.executable, "-m", "prim.bench.transport", "--serve", kind, "--cert-dir",
         str(cert_dir)], stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        process.kill()
        raise RuntimeError(f"{kind} server did not start: {line!r}")
    return ServerProcess(process, int(line.split()[1]))


# -- clients ----------------------------------------------------------------------------

class Peer:
    """One connection: round trip and pipelined batch, in the runtime or the bare way."""

    async def round_trip(self) -> None: ...
    async def batch(self) -> None: ...
    async def close(self) -> None: ...


class RuntimePeer(Peer):
    def __init__(self, client: object) -> None:
        from prim.runtime.wire.asyncio import Client

        assert isinstance(client, Client)
        self.client = client
        self.frame = Frame(type=MsgType.ECHO, sender=client.user_id, payload=PAYLOAD)

    async def round_trip(self) -> None:
        await self.client.echo(PAYLOAD)

    async def batch(self) -> None:
        for _ in range(BATCH):
            await self.client.send(self.frame)
        for _ in range(BATCH):
            await self.client.receive()

    async def close(self) -> None:
        await self.client.close()


class BarePeer(Peer):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 closer: Callable[[], Awaitable[None]]) -> None:
        self.reader, self.writer, self._closer = reader, writer, closer
        self.one = b"x" * FRAME_SIZE
        self.many = self.one * BATCH

    async def round_trip(self) -> None:
        self.writer.write(self.one)
        await self.reader.readexactly(FRAME_SIZE)

    async def batch(self) -> None:
        self.writer.write(self.many)
        await self.reader.readexactly(len(self.many))

    async def close(self) -> None:
        await self._closer()


async def open_runtime(port: int, trust: Trust, transport: str, uid: int) -> RuntimePeer:
    client = await connect("127.0.0.1", port, token=f"user:{uid}", user_id=uid, trust=trust,
                           transports=[transport], quic_timeout=20.0, timeout=20.0)
    return RuntimePeer(client)


async def open_bare(port: int, trust: Trust, transport: str, uid: int,
                    engine: str | None = None) -> BarePeer:
    if transport == "tcp":
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=trust.ssl_context(), server_hostname="127.0.0.1")

        async def close_tcp() -> None:
            writer.close()

        return BarePeer(reader, writer, close_tcp)
    quic = load(engine)
    stack = contextlib.AsyncExitStack()
    protocol = await stack.enter_async_context(quic.connect(
        "127.0.0.1", port, configuration=trust.quic_configuration(
            "127.0.0.1", 120.0, configuration=quic.configuration)))
    reader, writer = await protocol.create_stream()
    return BarePeer(reader, writer, stack.aclose)


Opener = Callable[[int, Trust, str, int], Awaitable[Peer]]
OPENERS: dict[str, Opener] = {"runtime": open_runtime, "bare": open_bare}


async def open_many(opener: Opener, port: int, trust: Trust, transport: str,
                    count: int) -> list[Peer]:
    gate = asyncio.Semaphore(16)  # keep handshakes from timing each other out

    async def one(uid: int) -> Peer:
        async with gate:
            return await opener(port, trust, transport, uid)

    return list(await asyncio.gather(*(one(1 + i) for i in range(count))))


async def rate(peers: list[Peer], op: str, seconds: float, per_op: int) -> float:
    deadline = time.perf_counter() + seconds
    done = 0

    async def loop(peer: Peer) -> None:
        nonlocal done
        step = peer.round_trip if op == "rt" else peer.batch
        while time.perf_counter() < deadline:
            await step()
            done += per_op

    started = time.perf_counter()
    await asyncio.gather(*(loop(p) for p in peers))
    return done / (time.perf_counter() - started)


async def bench_rates(servers: dict[str, ServerProcess], trust: Trust,
                      seconds: float) -> dict[str, dict[tuple[str, str], float]]:
    """Each measurement runs on the runtime and then at once on the bare server, so both
    see the same machine load."""
    out: dict[str, dict[tuple[str, str], float]] = {kind: {} for kind in servers}
    for transport in ("quic", "tcp"):
        ones: dict[str, list[Peer]] = {}
        manys: dict[str, list[Peer]] = {}
        for kind, server in servers.items():
            ones[kind] = [await OPENERS[kind](server.port, trust, transport, 1)]
            await rate(ones[kind], "rt", 0.2, 1)  # warm up
        for kind in servers:
            out[kind][(transport, "round trips/s, 1 conn")] = await rate(
                ones[kind], "rt", seconds, 1)
        for kind in servers:
            out[kind][(transport, "pipelined frames/s, 1 conn")] = await rate(
                ones[kind], "batch", seconds, BATCH)
        for kind, server in servers.items():
            await ones[kind][0].close()
            manys[kind] = await open_many(OPENERS[kind], server.port, trust, transport,
                                          CONNECTIONS)
        for kind in servers:
            out[kind][(transport, f"round trips/s, {CONNECTIONS} conns")] = await rate(
                manys[kind], "rt", seconds, 1)
        for kind in servers:
            out[kind][(transport, f"pipelined frames/s, {CONNECTIONS} conns")] = await rate(
                manys[kind], "batch", seconds, BATCH)
        for peers in manys.values():
            await asyncio.gather(*(p.close() for p in peers))
    return out


async def bench_idle_memory(opener: Opener, server: ServerProcess, trust: Trust,
                            count: int) -> float:
    await asyncio.sleep(0.3)
    before = server.rss_kib()
    peers = await open_many(opener, server.port, trust, "quic", count)
    await asyncio.sleep(1.0)
    after = server.rss_kib()
    await asyncio.gather(*(p.close() for p in peers))
    return (after - before) / count


def bare_echo_baseline(seconds: float) -> list[tuple[str, float]]:
    """Bare QUIC echo round trips/s on 1 and on CONNECTIONS connections, from a server
    process of its own: the baseline other benchmarks print beside their numbers."""

    async def measure(server: ServerProcess, trust: Trust) -> list[tuple[str, float]]:
        one: list[Peer] = [await open_bare(server.port, trust, "quic", 1)]
        await rate(one, "rt", 0.2, 1)  # warm up
        single = await rate(one, "rt", seconds, 1)
        await one[0].close()
        many = await open_many(open_bare, server.port, trust, "quic", CONNECTIONS)
        multi = await rate(many, "rt", seconds, 1)
        await asyncio.gather(*(p.close() for p in many))
        return [("round trips/s, 1 conn", single),
                (f"round trips/s, {CONNECTIONS} conns", multi)]

    with tempfile.TemporaryDirectory() as tmp:
        certs = ensure_dev_certificates(Path(tmp))
        server = start_server("bare", Path(tmp))
        try:
            return asyncio.run(measure(server, Trust(ca_file=certs.ca_file)))
        finally:
            server.stop()


def bare_quic_ceiling(seconds: float) -> list[tuple[str, float]]:
    """Bare QUIC stream echo on one connection with each engine (server in a process of its
    own on the same engine): 100-byte round trips/s and pipelined frames/s. The most any
    QUIC server in Python can do here, whatever it does with the bytes."""

    async def measure(engine: str, server: ServerProcess, trust: Trust,
                      ) -> list[tuple[str, float]]:
        peer = await open_bare(server.port, trust, "quic", 1, engine)
        await rate([peer], "rt", 0.2, 1)  # warm up
        trips = await rate([peer], "rt", seconds, 1)
        frames = await rate([peer], "batch", seconds, BATCH)
        await peer.close()
        return [(f"bare {engine} echo, round trips/s", trips),
                (f"bare {engine} echo, pipelined 100-byte frames/s", frames)]

    out: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        certs = ensure_dev_certificates(Path(tmp))
        for engine in ENGINES:
            server = start_server("bare", Path(tmp), engine)
            try:
                out += asyncio.run(measure(engine, server, Trust(ca_file=certs.ca_file)))
            finally:
                server.stop()
    return out


# -- main -------------------------------------------------------------------------------

def _fmt(value: float) -> str:
    return f"{value:,.0f}"


async def run(seconds: float, idle: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cert_dir = Path(tmp)
        certs = ensure_dev_certificates(cert_dir)
        trust = Trust(ca_file=certs.ca_file)
        encoded, decoded = bench_codec(seconds)
        print(f"codec: {_fmt(encoded)} frames encoded/s, {_fmt(decoded)} frames decoded/s "
              f"({len(PAYLOAD)}-byte payload)", flush=True)

        servers = {kind: start_server(kind, cert_dir) for kind in OPENERS}
        try:
            results = await bench_rates(servers, trust, seconds)
            print("rates measured", flush=True)
            memory = {kind: await bench_idle_memory(OPENERS[kind], server, trust, idle)
                      for kind, server in servers.items()}
        finally:
            for server in servers.values():
                server.stop()

    print()
    print(f"{'transport':<10}{'measure':<34}{'runtime':>12}{'bare':>12}{'ratio':>8}")
    for key, value in results["runtime"].items():
        bare = results["bare"][key]
        print(f"{key[0]:<10}{key[1]:<34}{_fmt(value):>12}{_fmt(bare):>12}{value / bare:>8.2f}")
    print(f"{'quic':<10}{f'server KiB per idle conn ({idle})':<34}"
          f"{memory['runtime']:>12.1f}{memory['bare']:>12.1f}"
          f"{memory['runtime'] / memory['bare']:>8.2f}")
    print(f"\nbare = {load().name} stream echo (QUIC) / asyncio TLS echo (TCP) moving the same "
          f"{FRAME_SIZE} bytes per frame; server in a separate process; "
          f"{os.cpu_count()} CPUs; loopback")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--idle", type=int, default=1000, help="idle connections for (c)")
    parser.add_argument("--serve", choices=["runtime", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--cert-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_main(args.serve, args.cert_dir)
        return 0
    asyncio.run(run(args.seconds, args.idle))
    return 0


if __name__ == "__main__":
    sys.exit(main())
