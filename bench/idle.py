"""`prim bench idle`: how many idle, authenticated QUIC connections one message process
holds, what each costs in memory, and what holding them costs in CPU.

    prim bench idle [--connections 10000] [--processes 4] [--seconds 30] [--ping 20]

One embedded server (`prim serve`, SQLite) with the limits that would refuse a bench from
one address raised (connections per IP and per user, logins per minute). Each connection is
its own device session (one login each, over the API) of one of connections/100 accounts;
the clients live in --processes processes of their own (each QUIC client has a UDP socket,
the server one for all), dialing in batches. Figures:
- memory per connection: the server's RSS after every connection is up minus before,
  divided by the connections (the baseline is the same server, same run, before them);
- idle CPU: the server's CPU over --seconds with every connection open and quiet but for
  the clients' keep-alive Pings (--ping, the client's default 20 s; 0: none), as % of a
  core, beside the same server's idle CPU with no connection measured first.
Numbers, not assertions: read the ratios, the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from prim.bench.message import Server, sign_up, start_server
from prim.generated.http_client import PrimHttpClient
from prim.generated.prim.v1 import LoginRequest

DEVICES_PER_ACCOUNT = 100
_DIAL_BATCH = 20  # handshakes at once per client process (more time out on a loaded box)


@dataclass
class Result:
    connections: int
    failed: int
    rss_before_mib: float
    rss_after_mib: float
    kib_per_connection: float
    idle_cpu_percent_empty: float
    idle_cpu_percent_held: float
    seconds_to_connect: float
    note: str


def _server_env(connections: int) -> dict[str, str]:
    return {
        "PRIM_GATEWAY__MAX_CONNECTIONS": str(connections + 100),
        "PRIM_GATEWAY__MAX_CONNECTIONS_PER_IP": "1000000",
        "PRIM_GATEWAY__MAX_CONNECTIONS_PER_USER": str(DEVICES_PER_ACCOUNT),
        "PRIM_GATEWAY__AUTH_TIMEOUT": "120",
        "PRIM_AUTH__SIGNUPS_PER_IP_PER_HOUR": "1000000000",
        "PRIM_AUTH__PASSWORD_ATTEMPTS_PER_IP_PER_MINUTE": "1000000000",
        "PRIM_AUTH__SCRYPT_QUEUE": "10000",
        # A login counts as a wrong password until it succeeds (so parallel guesses cannot
        # outrun the backoff); 100 concurrent logins per account would otherwise hit it.
        "PRIM_AUTH__FREE_PASSWORD_FAILURES": "1000000",
    }


async def device_tokens(server: Server, connections: int) -> list[tuple[int, str]]:
    """(user id, token) for each connection: one login (device session) each."""
    async with PrimHttpClient(server.http, timeout=120) as http:
        accounts = await sign_up(http, -(-connections // DEVICES_PER_ACCOUNT), "idle")
        logins = [(a.user_id, f"bench-password-{i}", d) for d in range(DEVICES_PER_ACCOUNT)
                  for i, a in enumerate(accounts)][:connections]
        tokens: list[tuple[int, str]] = []
        for start in range(0, len(logins), 100):
            answers = await asyncio.gather(*(
                http.accounts.login(LoginRequest(user_id=uid, password=pw,
                                                 device_name=f"idle-{d}"))
                for uid, pw, d in logins[start:start + 100]))
            tokens += [(a.user_id, a.access_token) for a in answers]
    return tokens


def cpu_percent(server: Server, seconds: float) -> float:
    cpu0, t0 = server.cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    return (server.cpu_seconds() - cpu0) / (time.monotonic() - t0) * 100


class Holders:
    """The client processes (`python -m prim.bench.idle --hold`), each dialing its share."""

    def __init__(self, server: Server, tokens: list[tuple[int, str]], processes: int,
                 ping: float) -> None:
        self.procs = []
        for i in range(processes):
            proc = subprocess.Popen([sys.executable, "-m", "prim.bench.idle", "--hold"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert proc.stdin is not None
            proc.stdin.write(json.dumps({"quic": server.quic, "ca": str(server.ca),
                                         "ping": ping,
                                         "accounts": tokens[i::processes]}) + "\n")
            proc.stdin.flush()
            self.procs.append(proc)

    def connected(self) -> tuple[int, int, list[str]]:
        """Waits until every process has dialed its share: (connected, failed, errors)."""
        up = failed = 0
        errors: list[str] = []
        for proc in self.procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                errors.append(f"client process {proc.pid} ended (code {proc.wait()})")
                continue
            report = json.loads(line)
            up, failed = up + report["connected"], failed + report["failed"]
            errors += report["errors"]
        return up, failed, errors

    def close(self) -> None:
        for proc in self.procs:
            if proc.stdin is not None:
                proc.stdin.close()  # the process closes its connections and ends
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def hold_main() -> None:
    """A client process: dials its share, reports, holds them until stdin closes."""
    params = json.loads(sys.stdin.readline())
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a UDP socket per client

    async def main() -> None:
        from prim.runtime.tls.trust import Trust
        from prim.runtime.wire.asyncio.connect import connect
        from prim.runtime.wire.settings import ClientSettings

        host, port = params["quic"].rsplit(":", 1)
        trust = Trust(ca_file=Path(params["ca"]))
        settings = ClientSettings(ping_interval=params["ping"] or None)
        errors: dict[str, int] = {}

        async def one(uid: int, token: str) -> Any:
            for _ in range(3):  # a handshake lost on a loaded machine is retried
                try:
                    return await connect(host, int(port), token=token, user_id=uid,
                                         trust=trust, server_name="localhost",
                                         transports=("quic",), quic_timeout=10.0,
                                         timeout=30.0, settings=settings)
                except Exception as exc:
                    errors[repr(exc)[:200]] = errors.get(repr(exc)[:200], 0) + 1
            return None

        accounts = params["accounts"]
        clients: list[Any] = []
        for start in range(0, len(accounts), _DIAL_BATCH):
            clients += await asyncio.gather(*(one(u, t) for u, t in
                                              accounts[start:start + _DIAL_BATCH]))
        up = [c for c in clients if c is not None]
        print(json.dumps({"connected": len(up), "failed": len(clients) - len(up),
                          "errors": [f"{n} x {e}" for e, n in errors.items()]}), flush=True)
        await asyncio.to_thread(sys.stdin.read)  # until the bench closes our stdin
        await asyncio.gather(*(c.close() for c in up), return_exceptions=True)

    asyncio.run(main())


def run(args: argparse.Namespace) -> Result:
    with tempfile.TemporaryDirectory(prefix="prim-bench-idle-") as tmp:
        server = start_server(Path(tmp), _server_env(args.connections))
        try:
            print(f"  {args.connections} device sessions log in ...", file=sys.stderr,
                  flush=True)
            tokens = asyncio.run(device_tokens(server, args.connections))
            time.sleep(2)
            print(f"  idle CPU with no connection, {args.seconds:g} s ...", file=sys.stderr,
                  flush=True)
            empty = cpu_percent(server, args.seconds)
            rss0 = server.rss_bytes()
            print(f"  {len(tokens)} connections dial in ...", file=sys.stderr, flush=True)
            t0 = time.monotonic()
            holders = Holders(server, tokens, args.processes, args.ping)
            try:
                up, failed, errors = holders.connected()
                took = time.monotonic() - t0
                time.sleep(2)  # the last handshakes' work settles
                rss1 = server.rss_bytes()
                print(f"  idle CPU with {up} connections, {args.seconds:g} s ...",
                      file=sys.stderr, flush=True)
                held = cpu_percent(server, args.seconds)
            finally:
                holders.close()
        finally:
            server.proc.terminate()
            try:  # closing thousands of connections may take it a while
                server.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                server.proc.wait()
    return Result(up, failed, rss0 / 2**20, rss1 / 2**20, (rss1 - rss0) / max(up, 1) / 1024,
                  empty, held, took, "; ".join(errors[:5]))


def main(argv: list[str] | None = None) -> int:
    if argv == ["--hold"] or (argv is None and sys.argv[1:] == ["--hold"]):
        hold_main()
        return 0
    parser = argparse.ArgumentParser(prog="prim bench idle", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=4,
                        help="client processes holding the connections")
    parser.add_argument("--seconds", type=float, default=30.0,
                        help="length of each idle CPU measurement")
    parser.add_argument("--ping", type=float, default=20.0,
                        help="the clients' keep-alive interval in seconds (0: none)")
    parser.add_argument("--json", action="store_true", help="one JSON document instead")
    args = parser.parse_args(argv)
    result = run(args)
    if args.json:
        print(json.dumps(asdict(result), indent=2))
        return 0
    print(f"connections held: {result.connections:,} ({result.failed} failed, dialed in "
          f"{result.seconds_to_connect:.0f} s)")
    print(f"server RSS: {result.rss_before_mib:.0f} MiB before, {result.rss_after_mib:.0f} "
          f"MiB after: {result.kib_per_connection:.1f} KiB per connection")
    print(f"server idle CPU over {args.seconds:g} s: {result.idle_cpu_percent_empty:.1f}% of "
          f"a core with no connection, {result.idle_cpu_percent_held:.1f}% with them "
          f"(clients ping every {args.ping:g} s)" if args.ping else
          f"server idle CPU over {args.seconds:g} s: {result.idle_cpu_percent_empty:.1f}% of "
          f"a core with no connection, {result.idle_cpu_percent_held:.1f}% with them "
          "(no client pings)")
    if result.note:
        print(f"errors: {result.note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
