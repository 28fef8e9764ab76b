"""End-to-end message benchmarks against a real `prim serve` process (embedded wiring).

    python -m prim.bench.message [--clients 10,100,1000] [--seconds 5] [--group 500]

For each client count (half send, half receive, in friend pairs, over QUIC): 1:1 messages
per second and send->deliver latency p50/p99, flooding (a window of unacknowledged messages
per sender) and paced (10 messages/s per sender); then a group of --group members where one
member floods and everyone else receives (deliveries/s). Beside them: server CPU seconds per
message, server memory per connected client, and the bare aioquic echo round trips of
bench/transport measured in the same run, so the numbers can be read as a ratio.
Users, friendships and the group are made through the HTTP API, like a real client would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from prim.generated.http_client import PrimHttpClient
from prim.generated.prim.v1 import (
    AcceptFriendRequestRequest,
    ApproveJoinRequestRequest,
    CreateGroupRequest,
    LoginRequest,
    MsgType,
    RequestToJoinRequest,
    SendFriendRequestRequest,
    SignupRequest,
)
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.asyncio.connect import connect
from prim.runtime.wire.client_errors import ConnectionClosedError
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.settings import ClientSettings

WINDOW = 16  # unacknowledged messages a flooding sender keeps in flight
PACED_RATE = 10.0  # messages per second per sender in the paced run
# Text payloads start with the send time (perf_counter_ns) as 20 ASCII digits: Text must be
# UTF-8, and sender and receivers share this process's clock.
_STAMP_DIGITS = 20


@dataclass
class Server:
    proc: subprocess.Popen[str]
    http: str
    quic: str
    ca: Path

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0


def start_server(data_dir: Path) -> Server:
    env = dict(os.environ, PRIM_AUTH__SCRYPT_LOG_N="10", PRIM_LOG__LEVEL="warning",
               PRIM_LIMITS__FRAMES_PER_SECOND="1000000",  # measure throughput, not the limit
               PRIM_GATEWAY__MAX_SEND_QUEUE="100000", PRIM_GATEWAY__IDLE_TIMEOUT="600")
    proc = subprocess.Popen(
        [sys.executable, "-m", "prim.cli.main", "serve", "--data-dir", str(data_dir),
         "--http-port", "0", "--gateway-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )
    assert proc.stdout is not None
    ready = json.loads(proc.stdout.readline())
    return Server(proc, ready["http"], ready["quic"], Path(ready["ca_cert"]))


@dataclass
class Account:
    user_id: int
    token: str


async def sign_up(http: PrimHttpClient, n: int, label: str) -> list[Account]:
    async def one(i: int) -> Account:
        password = f"bench-password-{i}"
        user = await http.accounts.signup(SignupRequest(password=password, nickname=f"{label}{i}"))
        login = await http.accounts.login(LoginRequest(account_id=user.user_id,
                                                       password=password))
        return Account(user.user_id, login.access_token)

    out: list[Account] = []
    for start in range(0, n, 50):
        out += await asyncio.gather(*(one(i) for i in range(start, min(n, start + 50))))
    return out


async def befriend_pairs(base: str, pairs: Sequence[tuple[Account, Account]]) -> None:
    async def one(a: Account, b: Account) -> None:
        async with PrimHttpClient(base, token=a.token) as ha, \
                PrimHttpClient(base, token=b.token) as hb:
            await ha.friends.send_friend_request(SendFriendRequestRequest(user_id=b.user_id))
            await hb.friends.accept_friend_request(
                AcceptFriendRequestRequest(requester_id=a.user_id))

    for start in range(0, len(pairs), 50):
        await asyncio.gather(*(one(a, b) for a, b in pairs[start:start + 50]))


async def make_group(base: str, owner: Account, members: Sequence[Account]) -> int:
    async with PrimHttpClient(base, token=owner.token) as ho:
        group = await ho.groups.create_group(CreateGroupRequest(name="bench"))

        async def join(m: Account) -> None:
            async with PrimHttpClient(base, token=m.token) as hm:
                await hm.groups.request_to_join(RequestToJoinRequest(group_id=group.group_id))
            await ho.groups.approve_join_request(
                ApproveJoinRequestRequest(group_id=group.group_id, user_id=m.user_id))

        for start in range(0, len(members), 50):
            await asyncio.gather(*(join(m) for m in members[start:start + 50]))
    return group.group_id


async def dial_all(server: Server, accounts: Sequence[Account]) -> list[Client]:
    host, port = server.quic.rsplit(":", 1)
    trust = Trust(ca_file=server.ca)
    settings = ClientSettings(ping_interval=None)

    async def one(a: Account) -> Client:
        return await connect(host, int(port), token=a.token, user_id=a.user_id, trust=trust,
                             server_name="localhost", transports=("quic",), settings=settings)

    clients: list[Client] = []
    for start in range(0, len(accounts), 100):
        clients += await asyncio.gather(*(one(a) for a in accounts[start:start + 100]))
    return clients


@dataclass
class Tally:
    latencies_ns: list[int] = field(default_factory=list)
    delivered: int = 0
    errors: int = 0

    def record(self, frame: Frame) -> None:
        if frame.seqnum and frame.type == MsgType.TEXT:
            sent_at = int(frame.payload[:_STAMP_DIGITS])
            self.latencies_ns.append(time.perf_counter_ns() - sent_at)
            self.delivered += 1


async def drain(client: Client, tally: Tally, acks: asyncio.Queue[int] | None) -> None:
    """One client's reader: Acks (and Errors, which end a send too) go to its sender,
    deliveries to the tally."""
    with suppress(ConnectionClosedError, asyncio.CancelledError):
        while True:
            frame = await client.receive()
            if frame.type in (MsgType.ACK, MsgType.ERROR):
                if frame.type == MsgType.ERROR:
                    tally.errors += 1
                if acks is not None:
                    acks.put_nowait(frame.seqnum)
            else:
                tally.record(frame)


async def sender(client: Client, me: int, peer: int, deadline: float, *,
                 paced: bool, acks: asyncio.Queue[int]) -> int:
    sent = in_flight = 0
    # Client timestamps only need to be unique per sender (they are the idempotency key):
    # start at the wall clock and count up, even past it when flooding.
    ts = time.time_ns() // 1_000_000
    interval = 1.0 / PACED_RATE
    next_at = time.monotonic()
    while time.monotonic() < deadline:
        if paced:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at += interval
        while in_flight >= (1 if paced else WINDOW):
            await acks.get()
            in_flight -= 1
        ts += 1
        payload = f"{time.perf_counter_ns():0{_STAMP_DIGITS}d}".encode() + b"x" * 80  # 100 B
        await client.send(Frame(type=MsgType.TEXT, sender=me, receiver=peer, timestamp=ts,
                                payload=payload))
        sent += 1
        in_flight += 1
    while in_flight:
        await asyncio.wait_for(acks.get(), 30)
        in_flight -= 1
    return sent


@dataclass
class Row:
    name: str
    messages_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_msg: float
    note: str = ""


def _problems(expected: int, delivered: int, errors: int) -> str:
    parts = []
    if delivered < expected:
        parts.append(f"{expected - delivered} undelivered")
    if errors:
        parts.append(f"{errors} error frames")
    return ", ".join(parts)


def percentile(values: list[int], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6


async def one_to_one(server: Server, senders: list[Client], receivers: list[Client],
                     pairs: Sequence[tuple[Account, Account]], seconds: float,
                     paced: bool) -> Row:
    tally = Tally()
    queues = [asyncio.Queue[int]() for _ in senders]
    readers = [asyncio.create_task(drain(c, tally, q)) for c, q in zip(senders, queues,
                                                                       strict=True)]
    readers += [asyncio.create_task(drain(c, tally, None)) for c in receivers]
    cpu0, t0 = server.cpu_seconds(), time.monotonic()
    deadline = t0 + seconds
    sent = sum(await asyncio.gather(*(
        sender(c, a.user_id, b.user_id, deadline, paced=paced, acks=q)
        for c, (a, b), q in zip(senders, pairs, queues, strict=True))))
    for _ in range(100):  # let the last deliveries land
        if tally.delivered >= sent:
            break
        await asyncio.sleep(0.05)
    elapsed = time.monotonic() - t0
    cpu = server.cpu_seconds() - cpu0
    for r in readers:
        r.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    n = len(senders) * 2
    return Row(f"1:1 {'paced' if paced else 'flood'}, {n} clients", tally.delivered / elapsed,
               percentile(tally.latencies_ns, 0.5), percentile(tally.latencies_ns, 0.99),
               cpu / max(tally.delivered, 1) * 1e6,
               _problems(sent, tally.delivered, tally.errors))


async def group_fanout(server: Server, http: PrimHttpClient, size: int,
                       seconds: float) -> tuple[Row, float]:
    accounts = await sign_up(http, size, "g")
    group = await make_group(server.http, accounts[0], accounts[1:])
    rss0 = server.rss_bytes()
    clients = await dial_all(server, accounts)
    per_client = (server.rss_bytes() - rss0) / size
    tally = Tally()
    acks: asyncio.Queue[int] = asyncio.Queue()
    readers = [asyncio.create_task(drain(clients[0], tally, acks))]
    readers += [asyncio.create_task(drain(c, tally, None)) for c in clients[1:]]
    cpu0, t0 = server.cpu_seconds(), time.monotonic()
    sent = await sender(clients[0], accounts[0].user_id, group, t0 + seconds, paced=False,
                        acks=acks)
    expected = sent * (size - 1)
    for _ in range(400):
        if tally.delivered >= expected:
            break
        await asyncio.sleep(0.05)
    elapsed = time.monotonic() - t0
    cpu = server.cpu_seconds() - cpu0
    for r in readers:
        r.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    row = Row(f"group of {size}, 1 sender: deliveries", tally.delivered / elapsed,
              percentile(tally.latencies_ns, 0.5), percentile(tally.latencies_ns, 0.99),
              cpu / max(tally.delivered, 1) * 1e6,
              f"{sent} sent" + (", " + _problems(expected, tally.delivered, tally.errors)
                                if tally.delivered < expected or tally.errors else ""))
    return row, per_client


async def run(client_counts: list[int], seconds: float, group: int) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="prim-bench-") as tmp:
        server = start_server(Path(tmp))
        try:
            async with PrimHttpClient(server.http, timeout=60) as http:
                for n in client_counts:
                    print(f"  setting up {n} clients ...", file=sys.stderr, flush=True)
                    accounts = await sign_up(http, n, f"c{n}-")
                    pairs = list(zip(accounts[0::2], accounts[1::2], strict=True))
                    await befriend_pairs(server.http, pairs)
                    rss0 = server.rss_bytes()
                    clients = await dial_all(server, accounts)
                    per_client = (server.rss_bytes() - rss0) / n
                    senders, receivers = clients[0::2], clients[1::2]
                    for paced in (False, True):
                        row = await one_to_one(server, senders, receivers, pairs, seconds,
                                               paced)
                        row.note = (row.note + "; " if row.note else "") + \
                            f"{per_client / 1024:.0f} KiB server RSS per client"
                        rows.append(row)
                    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
                if group:
                    print(f"  setting up a group of {group} ...", file=sys.stderr, flush=True)
                    row, per_client = await group_fanout(server, http, group, seconds)
                    row.note += f"; {per_client / 1024:.0f} KiB server RSS per client"
                    rows.append(row)
        finally:
            server.proc.terminate()
            server.proc.wait(timeout=30)
    return rows


def baseline(seconds: float) -> list[tuple[str, float]]:
    """Bare aioquic echo round trips/s (bench/transport's server and peers, same run)."""
    from prim.bench import transport

    return transport.bare_echo_baseline(seconds)


def _table(rows: list[Row], base: list[tuple[str, float]]) -> str:
    head = f"{'scenario':<38}{'msgs/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'CPU us/msg':>12}  note"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.name:<38}{r.messages_per_s:>11,.0f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}"
                     f"{r.cpu_us_per_msg:>12.0f}  {r.note}")
    for name, value in base:
        lines.append(f"{'baseline: bare aioquic echo':<38}{value:>11,.0f}{'':>9}{'':>9}"
                     f"{'':>12}  {name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="prim bench message", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="10,100,1000",
                        help="comma-separated client counts (even numbers)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--group", type=int, default=500, help="group size (0: skip)")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.clients.split(",") if c]
    if any(c < 2 or c % 2 for c in counts):
        parser.error("--clients takes even numbers of at least 2")
    base = baseline(min(args.seconds, 3.0))
    rows = asyncio.run(run(counts, args.seconds, args.group))
    print(_table(rows, base))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
