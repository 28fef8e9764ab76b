"""`prim bench message`: PRIM (embedded, SQLite) beside ejabberd under the same load, same run.

    prim bench message [--seconds 5] [--group 500] [--no-ejabberd] [--json] [--only paced]

The issue's table: 1 pair flooding 2,000 messages, 10 pairs flooding 2,000 each, 1 sender
paced at 500/s, 10 senders paced at 100/s each; for each, delivered messages/s, send-to-
delivery latency p50/p99 and the server process's CPU per delivered message (from /proc).
Senders run in this process, receivers in one process of their own (bench/_load.py).
The same load then runs against a throwaway ejabberd 23.01 (MAM on SQLite-WAL, no
shaper; bench/_ejabberd.py) when it is installed (`make bench-deps` installs it and the
XMPP client slixmpp), so every figure has its peer from the same machine and minute.
Beside them, the transport ceiling: bare QUIC echo with each engine (bench/transport).
Optionally a group of --group members, one flooding sender, everyone else receiving.
Users, friendships and the group are made through the HTTP API, like a real client would.
Numbers, not assertions: read the ratios, the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

from prim.bench import _ejabberd, _load
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


def start_server(data_dir: Path, extra_env: Mapping[str, str] | None = None) -> Server:
    """An embedded server (`prim serve`) in a process of its own; `extra_env` adds settings
    (PRIM_...) or, with PYTHONPATH, runs another checkout's server."""
    env = dict(os.environ, PRIM_AUTH__SCRYPT_LOG_N="10", PRIM_LOG__LEVEL="warning",
               PRIM_LIMITS__FRAMES_PER_SECOND="1000000",  # measure throughput, not the limit
               PRIM_GATEWAY__MAX_SEND_QUEUE="100000", PRIM_GATEWAY__IDLE_TIMEOUT="600",
               **(extra_env or {}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "prim.cli.main", "serve", "--data-dir", str(data_dir.resolve()),
         "--http-port", "0", "--gateway-port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        # `-m` puts the working directory first on sys.path, before PYTHONPATH: run from
        # the data directory, or a checkout's own `prim` would shadow the one asked for.
        cwd=data_dir,
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
        login = await http.accounts.login(LoginRequest(user_id=user.user_id,
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
            approve = ApproveJoinRequestRequest(group_id=group.group_id, user_id=m.user_id)
            try:
                await ho.groups.approve_join_request(approve)
            except httpx.TransportError:
                # A pooled connection the server closed as idle meanwhile (a loaded machine
                # makes that race likely): once more on a fresh one.
                await ho.groups.approve_join_request(approve)

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
                 paced: bool, acks: asyncio.Queue[int], rate: float = PACED_RATE) -> int:
    sent = in_flight = 0
    # Client timestamps only need to be unique per sender (they are the idempotency key):
    # start at the wall clock and count up, even past it when flooding.
    ts = time.time_ns() // 1_000_000
    interval = 1.0 / rate
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


def baseline(seconds: float) -> list[tuple[str, float]]:
    """Bare QUIC echo round trips/s (bench/transport's server and peers, same run)."""
    from prim.bench import transport

    return transport.bare_echo_baseline(seconds)


def ceiling(seconds: float) -> list[tuple[str, float]]:
    """Bare qh3 and aioquic echo on one connection: the transport's ceiling."""
    from prim.bench import transport

    return transport.bare_quic_ceiling(seconds)




# -- the table: PRIM and ejabberd under the same load, same run ------------------

@dataclass(frozen=True)
class Scenario:
    name: str
    senders: int
    per_sender: int
    rate: float | None  # messages/s per sender; None: flood


def scenarios(seconds: float) -> list[Scenario]:
    return [
        Scenario("1 pair flood, 2,000 msgs", 1, 2000, None),
        Scenario("10 pairs flood, 10 x 2,000", 10, 2000, None),
        Scenario("1 sender paced at 500/s", 1, int(500 * seconds), 500.0),
        Scenario("10 senders paced, 100/s each", 10, int(100 * seconds), 100.0),
    ]


class Senders(Protocol):
    acks: int
    errors: int

    async def send(self, i: int) -> None: ...
    async def close(self) -> None: ...


async def offer(senders: Senders, scenario: Scenario) -> int:
    """Sends the scenario's messages; returns the perf_counter_ns of the first send."""
    started = time.perf_counter_ns()

    async def one(i: int) -> None:
        if scenario.rate is None:
            for _ in range(scenario.per_sender):
                await senders.send(i)
            return
        t0 = time.monotonic()
        for n in range(scenario.per_sender):
            delay = t0 + n / scenario.rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await senders.send(i)

    await asyncio.gather(*(one(i) for i in range(scenario.senders)))
    return started


async def measure(scenario: Scenario, senders: Senders, receiver_params: dict[str, Any],
                  cpu_seconds: Callable[[], float]) -> Row:
    expected = scenario.senders * scenario.per_sender
    receivers = _load.Receivers(dict(receiver_params, expected=expected,
                                     timeout=60.0 + expected / 200))
    await receivers.ready()
    cpu0 = cpu_seconds()
    errors0 = senders.errors
    started = await offer(senders, scenario)
    got = await receivers.result()
    cpu = cpu_seconds() - cpu0
    delivered = len(got.latencies_ns)
    elapsed = max(got.last_ns - started, 1) / 1e9
    return Row(scenario.name, delivered / elapsed, percentile(got.latencies_ns, 0.5),
               percentile(got.latencies_ns, 0.99), cpu / max(delivered, 1) * 1e6,
               _problems(expected, delivered, senders.errors - errors0))


async def run_prim(table: list[Scenario], group: int, seconds: float) -> list[Row]:
    rows: list[Row] = []
    most = max(s.senders for s in table)
    with tempfile.TemporaryDirectory(prefix="prim-bench-") as tmp:
        server = start_server(Path(tmp))
        try:
            async with PrimHttpClient(server.http, timeout=60) as http:
                accounts = await sign_up(http, 2 * most, "m")
                pairs = list(zip(accounts[0::2], accounts[1::2], strict=True))
                await befriend_pairs(server.http, pairs)
                clients = await _load.prim_clients({
                    "quic": server.quic, "ca": str(server.ca),
                    "accounts": [(a.user_id, a.token) for a, _ in pairs]})
                senders = _load.PrimSenders(clients, [b.user_id for _, b in pairs])
                try:
                    for scenario in table:
                        print(f"  PRIM: {scenario.name} ...", file=sys.stderr, flush=True)
                        params = {"kind": "prim", "quic": server.quic, "ca": str(server.ca),
                                  "accounts": [(b.user_id, b.token)
                                               for _, b in pairs[:scenario.senders]]}
                        rows.append(await measure(scenario, senders, params,
                                                  server.cpu_seconds))
                finally:
                    await senders.close()
                if group:
                    print(f"  PRIM: group of {group} ...", file=sys.stderr, flush=True)
                    row, per_client = await group_fanout(server, http, group, seconds)
                    row.note += f"; {per_client / 1024:.0f} KiB server RSS per client"
                    rows.append(row)
        finally:
            server.proc.terminate()
            server.proc.wait(timeout=30)
    return rows


async def run_ejabberd(table: list[Scenario]) -> list[Row]:
    most = max(s.senders for s in table)
    users = [(f"u{i}", f"bench-password-{i}") for i in range(2 * most)]
    server = _ejabberd.start(users)
    try:
        beam = server.beam_pid()
        if beam is None:
            raise RuntimeError("ejabberd's Erlang VM was not found")

        def cpu_seconds() -> float:
            return _process_cpu_seconds(beam)

        jid = [(f"{name}@{_ejabberd.HOST}", password) for name, password in users]
        senders_jids, receivers_jids = jid[0::2], jid[1::2]
        clients = await _load.xmpp_clients({"port": server.port, "users": senders_jids})
        senders = _load.XmppSenders(clients, [j for j, _ in receivers_jids])
        rows = []
        try:
            for scenario in table:
                print(f"  ejabberd: {scenario.name} ...", file=sys.stderr, flush=True)
                params = {"kind": "xmpp", "port": server.port,
                          "users": receivers_jids[:scenario.senders]}
                rows.append(await measure(scenario, senders, params, cpu_seconds))
        finally:
            await senders.close()
        return rows
    finally:
        server.stop()


def _process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ejabberd_ready() -> str:
    """Why ejabberd cannot be measured ("" when it can)."""
    if not _ejabberd.installed():
        return f"ejabberd is not installed: run `{_ejabberd.INSTALL_HINT}`"
    if importlib.util.find_spec("slixmpp") is None:
        return "slixmpp (the XMPP load client) is missing: run `make bench-deps`"
    return ""


def _table(prim: list[Row], peer: list[Row], peer_note: str,
           ceiling: list[tuple[str, float]], load: str) -> str:
    head = (f"{'load':<30}{'PRIM msgs/s':>12}{'ejabberd':>10}{'ratio':>7}{'PRIM p50':>10}"
            f"{'ejb p50':>9}{'PRIM p99':>10}{'ejb p99':>9}{'PRIM CPU':>10}{'ejb CPU':>9}")
    lines = [head, "-" * len(head)]
    by_name = {r.name: r for r in peer}
    for r in prim:
        e = by_name.get(r.name)

        def peer_col(value: float | None, width: int, fmt: str) -> str:
            text = "-" if value is None else _ms(value) if fmt == "ms" else format(value, fmt)
            return f"{text:>{width}}"

        ratio = f"{r.messages_per_s / e.messages_per_s:.2f}" if e else "-"
        lines.append(
            f"{r.name:<30}{r.messages_per_s:>12,.0f}"
            f"{peer_col(e.messages_per_s if e else None, 10, ',.0f')}{ratio:>7}"
            f"{_ms(r.p50_ms):>10}{peer_col(e.p50_ms if e else None, 9, 'ms')}"
            f"{_ms(r.p99_ms):>10}{peer_col(e.p99_ms if e else None, 9, 'ms')}"
            f"{r.cpu_us_per_msg:>10,.0f}{peer_col(e.cpu_us_per_msg if e else None, 9, ',.0f')}")
        for who, row in (("PRIM", r), ("ejabberd", e)):
            if row is not None and row.note:
                lines.append(f"{'':<4}{who}: {row.note}")
    lines.append("(latencies in ms, send to delivery; CPU: server process CPU us per "
                 "delivered message, from /proc)")
    if peer_note:
        lines.append(f"ejabberd not measured: {peer_note}")
    for name, value in ceiling:
        lines.append(f"transport ceiling: {name}: {value:,.0f}")
    lines.append(load)
    return "\n".join(lines)


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="prim bench message", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="length of the paced runs (and of the group run)")
    parser.add_argument("--group", type=int, default=0,
                        help="also a group of this many members (0: skip)")
    parser.add_argument("--no-ejabberd", action="store_true", help="PRIM only")
    parser.add_argument("--json", action="store_true", help="one JSON document instead")
    parser.add_argument("--only", metavar="WORD", default="",
                        help="only the loads whose name contains WORD (e.g. paced, flood)")
    args = parser.parse_args(argv)
    table = [s for s in scenarios(args.seconds) if args.only in s.name]
    if not table:
        parser.error(f"no load is named like {args.only!r}")
    load_before = os.getloadavg()[0]
    ceilings = ceiling(min(args.seconds, 2.0))
    prim = asyncio.run(run_prim(table, args.group, args.seconds))
    peer_note = "--no-ejabberd" if args.no_ejabberd else _ejabberd_ready()
    peer: list[Row] = []
    if not peer_note:
        try:
            peer = asyncio.run(run_ejabberd(table))
        except Exception as exc:  # the PRIM figures are still worth printing
            peer_note = f"the ejabberd run failed: {exc!r}"
    # Latency tails follow the machine's load (other processes' runnable threads): say it.
    load = (f"machine load (1-minute average, {os.cpu_count()} cores): "
            f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    if args.json:
        print(json.dumps({"prim": [asdict(r) for r in prim],
                          "load": load,
                          "ejabberd": [asdict(r) for r in peer],
                          "ejabberd_missing": peer_note or None,
                          "transport_ceiling": dict(ceilings)}, indent=2))
    else:
        print(_table(prim, peer, peer_note, ceilings, load))
    if peer_note and not args.no_ejabberd:
        print(f"(to compare with ejabberd: {_ejabberd.INSTALL_HINT})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
