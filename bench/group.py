"""`prim bench group`: a big group flooded by one sender, and a paced 1:1 pair beside it.

    prim bench group [--members 500] [--messages 200] [--pair-rate 100] [--receivers 2]
                     [--compare-with DIR] [--json]

On one embedded server (SQLite), made through the HTTP API like a real client would:
1. the pair alone: one sender paced at --pair-rate, its peer connected, for --seconds;
2. the group: its owner sends --messages texts at once (no window) to the group of
   --members, every member connected (their connections spread over --receivers
   processes of their own, bench/_load.py), while the same pair is paced as in 1.
It prints the group's deliveries/s (every member's deliveries, from the first send to the
last delivery), their send-to-delivery p50/p99, the server's CPU per delivery, and the
pair's p50/p99 alone and beside the group: what a 1:1 chat feels while a big group is busy.

--compare-with DIR runs the same first against a server started from another checkout
(`git archive REV | tar -x -C DIR`; its `prim` package takes precedence on PYTHONPATH):
before and after a change on the same machine in the same run.
Numbers, not assertions: read the ratios, the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from prim.bench import _load
from prim.bench.message import (
    Account,
    Server,
    Tally,
    befriend_pairs,
    dial_all,
    drain,
    make_group,
    percentile,
    sender,
    sign_up,
    start_server,
)
from prim.generated.http_client import PrimHttpClient

# Sign-ups and logins of a whole group from one address, and its connections.
_SERVER_ENV = {
    "PRIM_AUTH__SIGNUPS_PER_IP_PER_HOUR": "1000000000",
    "PRIM_AUTH__PASSWORD_ATTEMPTS_PER_IP_PER_MINUTE": "1000000000",
    "PRIM_AUTH__SCRYPT_QUEUE": "10000",
    "PRIM_GATEWAY__MAX_CONNECTIONS_PER_IP": "1000000",
}


@dataclass
class Result:
    server: str
    group_deliveries_per_s: float
    group_p50_ms: float
    group_p99_ms: float
    group_cpu_us_per_delivery: float
    pair_alone_p50_ms: float
    pair_alone_p99_ms: float
    pair_beside_p50_ms: float
    pair_beside_p99_ms: float
    note: str


async def paced_pair(server: Server, pair: tuple[Account, Account], rate: float,
                     stop: asyncio.Event | float) -> Tally:
    """The pair's sender paced at `rate` (one message in flight, as bench message's paced
    run) until `stop` is set (or for that many seconds); the peer's deliveries."""
    a, b = await dial_all(server, pair)
    tally = Tally()
    acks: asyncio.Queue[int] = asyncio.Queue()
    readers = [asyncio.create_task(drain(a, tally, acks)),
               asyncio.create_task(drain(b, tally, None))]
    deadline = time.monotonic() + (stop if isinstance(stop, float) else 3600.0)
    send = asyncio.create_task(sender(a, pair[0].user_id, pair[1].user_id, deadline,
                                      paced=True, acks=acks, rate=rate))
    try:
        if isinstance(stop, asyncio.Event):
            waiting = asyncio.create_task(stop.wait())
            await asyncio.wait([send, waiting], return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            send.cancel()
        await asyncio.gather(send, return_exceptions=True)
    finally:
        await asyncio.sleep(0.2)  # the last deliveries
        for r in readers:
            r.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await asyncio.gather(a.close(), b.close(), return_exceptions=True)
    return tally


async def flood(server: Server, owner: Account, group: int, count: int) -> int:
    """Sends `count` texts to the group at once; returns the perf_counter_ns of the start."""
    clients = await _load.prim_clients({"quic": server.quic, "ca": str(server.ca),
                                        "accounts": [(owner.user_id, owner.token)]})
    senders = _load.PrimSenders(clients, [group])
    started = time.perf_counter_ns()
    try:
        for _ in range(count):
            await senders.send(0)
        while senders.acks + senders.errors < count:
            await asyncio.sleep(0.01)
    finally:
        await senders.close()
    return started


async def measure(server: Server, label: str, members: int, messages: int, rate: float,
                  seconds: float, processes: int) -> Result:
    async with PrimHttpClient(server.http, timeout=120) as http:
        print(f"  {label}: {members} members and a pair sign up ...", file=sys.stderr,
              flush=True)
        accounts = await sign_up(http, members + 2, "g")
        pair = (accounts[-2], accounts[-1])
        members_ = accounts[:members]
        await befriend_pairs(server.http, [pair])
        group = await make_group(server.http, members_[0], members_[1:])
    print(f"  {label}: the pair alone ...", file=sys.stderr, flush=True)
    alone = await paced_pair(server, pair, rate, seconds)
    receiving = members_[1:]
    shares = [receiving[i::processes] for i in range(processes)]
    receivers = [_load.Receivers({
        "kind": "prim", "quic": server.quic, "ca": str(server.ca),
        "accounts": [(a.user_id, a.token) for a in share],
        "expected": messages * len(share), "timeout": 120.0 + messages * members / 2000,
    }) for share in shares if share]
    for r in receivers:
        await r.ready()
    print(f"  {label}: the group flood beside the pair ...", file=sys.stderr, flush=True)
    done = asyncio.Event()
    beside_task = asyncio.create_task(paced_pair(server, pair, rate, done))
    await asyncio.sleep(0.5)  # the pair is connected and paced before the flood starts
    cpu0 = server.cpu_seconds()
    started = await flood(server, members_[0], group, messages)
    results = await asyncio.gather(*(r.result() for r in receivers))
    cpu = server.cpu_seconds() - cpu0
    done.set()
    beside = await beside_task
    latencies = [ns for got in results for ns in got.latencies_ns]
    delivered = len(latencies)
    last = max((got.last_ns for got in results), default=started)
    expected = messages * len(receiving)
    note = f"{messages} messages to {len(receiving)} receiving members"
    if delivered < expected:
        note += f", {expected - delivered} undelivered"
    note += f"; pair {alone.delivered} alone, {beside.delivered} beside"
    return Result(
        label, delivered / max((last - started) / 1e9, 1e-9),
        percentile(latencies, 0.5), percentile(latencies, 0.99),
        cpu / max(delivered, 1) * 1e6,
        percentile(alone.latencies_ns, 0.5), percentile(alone.latencies_ns, 0.99),
        percentile(beside.latencies_ns, 0.5), percentile(beside.latencies_ns, 0.99), note)


async def run(trees: Sequence[tuple[str, str | None]], args: argparse.Namespace) -> list[Result]:
    results = []
    for label, tree in trees:
        with tempfile.TemporaryDirectory(prefix="prim-bench-group-") as tmp:
            env = dict(_SERVER_ENV, **({"PYTHONPATH": tree} if tree else {}))
            server = start_server(Path(tmp), env)
            try:
                results.append(await measure(server, label, args.members, args.messages,
                                             args.pair_rate, args.seconds, args.receivers))
            finally:
                server.proc.terminate()
                server.proc.wait(timeout=30)
    return results


def _table(results: list[Result]) -> str:
    head = (f"{'server':<28}{'deliveries/s':>13}{'p50':>8}{'p99':>8}{'CPU us':>8}"
            f"{'pair alone p50/p99':>20}{'beside p50/p99':>17}")
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.server:<28}{r.group_deliveries_per_s:>13,.0f}{r.group_p50_ms:>8.1f}"
            f"{r.group_p99_ms:>8.1f}{r.group_cpu_us_per_delivery:>8.0f}"
            f"{f'{r.pair_alone_p50_ms:.1f} / {r.pair_alone_p99_ms:.1f}':>20}"
            f"{f'{r.pair_beside_p50_ms:.1f} / {r.pair_beside_p99_ms:.1f}':>17}")
        lines.append(f"    {r.note}")
    lines.append("(latencies in ms, send to delivery; CPU: server process CPU us per delivery)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="prim bench group", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=500, help="the group's size")
    parser.add_argument("--messages", type=int, default=200,
                        help="texts the owner floods the group with")
    parser.add_argument("--pair-rate", type=float, default=100.0,
                        help="messages/s of the 1:1 pair")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="length of the pair's run alone")
    parser.add_argument("--receivers", type=int, default=2,
                        help="processes holding the members' connections")
    parser.add_argument("--compare-with", metavar="DIR", default="",
                        help="first run the server from this checkout (the baseline)")
    parser.add_argument("--json", action="store_true", help="one JSON document instead")
    args = parser.parse_args(argv)
    trees: list[tuple[str, str | None]] = []
    if args.compare_with:
        trees.append((f"baseline {Path(args.compare_with).name}",
                      str(Path(args.compare_with).resolve())))
    trees.append(("this checkout", None))
    results = asyncio.run(run(trees, args))
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print(_table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
