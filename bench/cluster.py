"""End-to-end 1:1 message benchmark against a local cluster (one process per role).

    python -m prim.bench.cluster [--pairs 10] [--messages 1000] [--window 16]
                                 [--max-seconds 30] [--dir DIR] [--json]
    prim bench cluster            (the defaults)

Two clusters in one run, one after the other, each started by `LocalCluster` against the
PostgreSQL and Redis on this machine (a database and a Redis key prefix of their own,
removed at the end) and a Tansu broker of its own: first with 1 message node, then with 2.
Every sender floods its friend with --messages messages (a window of --window
unacknowledged ones; it stops early at --max-seconds, so a slow cluster still ends in time),
over QUIC straight to the message node chosen for it. With 2 nodes,
half of the pairs are "cross-node" (sender on node 1, receiver on node 2: every delivery is
forwarded) and half "same-node" (both on one node, alternating between the nodes); the two
kinds are counted apart. Reported per run: messages/s and send->deliver latency p50/p99,
CPU per delivered message of every process of the cluster (utime+stime from /proc over the
measured window, which ends once everything is in PostgreSQL), WAL fsyncs per Acked message
of each message node (its /metrics), forwarded and dropped deliveries, the "persisted lag"
(last Ack -> the msgprocessor has inserted every message into PostgreSQL), and the warnings
and errors the processes logged. Beside them: the bare QUIC echo round trips of
bench/transport measured in the same run, so the numbers can be read as a ratio.
Users and friendships are made through the api's HTTP API, like a real client would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from prim.bench.message import (
    Account,
    Tally,
    baseline,
    befriend_pairs,
    drain,
    percentile,
    sign_up,
)
from prim.generated.http_client import PrimHttpClient
from prim.generated.prim.v1 import MsgType
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.asyncio.connect import connect
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.settings import ClientSettings
from prim.services.cluster.local import ClusterSpec, LocalCluster

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"
ENV = {
    "PRIM_AUTH__SCRYPT_LOG_N": "10",  # fast sign-ups
    "PRIM_LOG__LEVEL": "info",
    "PRIM_LIMITS__FRAMES_PER_SECOND": "1000000",  # measure throughput, not the limit
    "PRIM_GATEWAY__MAX_SEND_QUEUE": "100000",
    "PRIM_GATEWAY__IDLE_TIMEOUT": "600",
}
KAFKA_OPTIONS = "session_timeout_ms=6000&heartbeat_interval_ms=1000"
IDLE_SECONDS = 2.0  # how long the idle CPU of every process is sampled
WARMUP = 5  # messages per sender before the measured window (window 1)
ACK_TIMEOUT = 30.0  # a sender that waits longer than this for an Ack gives up
DELIVERY_GRACE = 30.0  # how long after the last Ack deliveries may still land
PERSIST_TIMEOUT = 60.0  # how long to wait for the msgprocessor after the last Ack
_STAMP_DIGITS = 20  # as bench/message: payloads start with perf_counter_ns, 20 digits
_PAD = b"x" * 80  # 100 B payloads


# -- one pair ---------------------------------------------------------------------------

@dataclass
class Pair:
    kind: str  # "cross-node" or "same-node"
    sender: Account
    receiver: Account
    sender_node: int
    receiver_node: int
    next_ts: int = field(default_factory=lambda: time.time_ns() // 1_000_000)
    tx: Client | None = None
    rx: Client | None = None
    acks: asyncio.Queue[int] = field(default_factory=asyncio.Queue)


@dataclass
class TimedTally(Tally):
    last_at: float = 0.0  # monotonic time of the latest delivery

    def record(self, frame: Frame) -> None:
        before = self.delivered
        super().record(frame)
        if self.delivered != before:
            self.last_at = time.monotonic()

    def reset(self) -> None:
        self.latencies_ns.clear()
        self.delivered = self.errors = 0
        self.last_at = 0.0


@dataclass
class Sent:
    sent: int = 0
    acked: int = 0
    last_ack: float = 0.0
    stalled: bool = False


async def flood(pair: Pair, *, count: int, deadline: float, window: int) -> Sent:
    """Sends `count` messages (fewer if `deadline` comes first; count 0: until the
    deadline) keeping at most `window` unacknowledged, then waits for the remaining Acks."""
    assert pair.tx is not None
    out = Sent()
    in_flight = 0

    async def take() -> bool:
        nonlocal in_flight
        try:
            await asyncio.wait_for(pair.acks.get(), ACK_TIMEOUT)
        except TimeoutError:
            out.stalled = True
            return False
        in_flight -= 1
        out.acked += 1
        out.last_ack = time.monotonic()
        return True

    while (not count or out.sent < count) and time.monotonic() < deadline:
        while in_flight >= window:
            if not await take():
                return out
        # Client timestamps are the idempotency key: unique per sender across phases.
        pair.next_ts += 1
        payload = f"{time.perf_counter_ns():0{_STAMP_DIGITS}d}".encode() + _PAD
        await pair.tx.send(Frame(type=MsgType.TEXT, sender=pair.sender.user_id,
                                 receiver=pair.receiver.user_id, timestamp=pair.next_ts,
                                 payload=payload))
        out.sent += 1
        in_flight += 1
    while in_flight:
        if not await take():
            break
    return out


# -- the cluster's processes ------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (NaN once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pids(cluster: LocalCluster) -> dict[str, int]:
    out = {name: m.process.pid for name, m in cluster.members.items()
           if m.process is not None}
    tansu = getattr(cluster, "_tansu", None)  # the broker LocalCluster started, if any
    if tansu is not None:
        out["tansu (Kafka)"] = tansu.pid
    return out


def cpu_snapshot(cluster: LocalCluster) -> dict[str, float]:
    snap = {name: cpu_seconds(pid) for name, pid in pids(cluster).items()}
    snap["bench client"] = time.process_time()
    return snap


async def metrics(http: httpx.AsyncClient, url: object) -> dict[str, float]:
    """A process's /metrics (the ready line's "metrics" URL) as {"name{labels}": value}."""
    response = await http.get(str(url))
    response.raise_for_status()
    out: dict[str, float] = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


NODE_COUNTERS = {  # label in the report -> metric
    "acks": 'prim_acks_total{duplicate="false"}',
    "duplicate acks": 'prim_acks_total{duplicate="true"}',
    "wal appends": "prim_cluster_wal_appends_total",
    "wal fsyncs": "prim_cluster_wal_fsyncs_total",
    "forwarded": "prim_cluster_forwarded_total",
    "forward dropped": "prim_cluster_forward_dropped_total",
    "Deliver calls": "prim_cluster_forward_calls_total",
    "wal shipped": "prim_cluster_wal_shipped_total",
}
PROCESSOR_COUNTERS = {
    "inserted": "prim_msgprocessor_inserted_total",
    "duplicates": "prim_msgprocessor_duplicates_total",
    "conflicts": "prim_msgprocessor_conflicts_total",
    "errors": "prim_msgprocessor_errors_total",
}


def log_problems(cluster: LocalCluster, skip: dict[str, int]) -> dict[str, list[str]]:
    """Warning and error lines (and tracebacks) each process logged after byte `skip`."""
    out: dict[str, list[str]] = {}
    for name, member in cluster.members.items():
        if member.log_path is None or not member.log_path.exists():
            continue
        with member.log_path.open("rb") as f:
            f.seek(skip.get(name, 0))
            text = f.read().decode(errors="replace")
        bad = [line for line in text.splitlines()
               if "level=warning" in line or "level=error" in line
               or line.startswith("Traceback")]
        if bad:
            out[name] = bad
    return out


def log_sizes(cluster: LocalCluster) -> dict[str, int]:
    return {name: m.log_path.stat().st_size for name, m in cluster.members.items()
            if m.log_path is not None and m.log_path.exists()}


async def drop_database(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(f"{POSTGRES}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def drop_redis_keys(prefix: str) -> None:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS)
    try:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*", count=1000)]
        for start in range(0, len(keys), 500):
            await client.delete(*keys[start:start + 500])
    finally:
        await client.aclose()


# -- one run ----------------------------------------------------------------------------

@dataclass
class Row:
    name: str
    pairs: int
    sent: int
    delivered: int
    messages_per_s: float
    p50_ms: float
    p99_ms: float
    note: str = ""


@dataclass
class RunResult:
    nodes: int
    rows: list[Row]
    delivered: int
    window_s: float  # first send to everything persisted: the span of cpu_seconds
    cpu_seconds: dict[str, float]
    cpu_ms_per_message: dict[str, float]
    idle_cpu_percent: dict[str, float]  # % of one core, sampled before the window
    node_counters: dict[str, dict[str, float]]
    fsyncs_per_message: dict[str, float]
    msgprocessor: dict[str, float]
    persisted_lag_s: float | None
    log_problems: dict[str, list[str]]  # logged during the measured window
    log_problems_all: dict[str, list[str]]  # logged from start to stop
    setup_s: float
    directory: str


def placements(nodes: int, count: int) -> list[tuple[str, int, int]]:
    """(kind, sender's node, receiver's node) for each pair."""
    if nodes == 1:
        return [("same-node", 1, 1)] * count
    out = []
    for i in range(count):
        if i % 2 == 0:
            out.append(("cross-node", 1, 2))
        else:
            node = 2 if (i // 2) % 2 == 0 else 1
            out.append(("same-node", node, node))
    return out


async def dial(address: object, ca: Path, account: Account) -> Client:
    host, port = str(address).rsplit(":", 1)
    return await connect(host, int(port), token=account.token, user_id=account.user_id,
                         trust=Trust(ca_file=ca), server_name="localhost",
                         transports=("quic",), settings=ClientSettings(ping_interval=None))


async def _persisted(http: httpx.AsyncClient, health: object, base: float,
                     expected: int, timeout: float) -> tuple[float | None, float]:
    """Polls the msgprocessor until `expected` more records than `base` were inserted;
    returns (monotonic time it was seen or None on time-out, the count inserted)."""
    deadline = time.monotonic() + timeout
    inserted = base
    while time.monotonic() < deadline:
        inserted = (await metrics(http, health)).get(PROCESSOR_COUNTERS["inserted"], 0.0)
        if inserted - base >= expected:
            return time.monotonic(), inserted - base
        await asyncio.sleep(0.01)
    return None, inserted - base


async def run_cluster(nodes: int, args: argparse.Namespace, root: Path, tag: str
                      ) -> RunResult:
    directory = root / (f"{nodes}-node" if nodes == 1 else f"{nodes}-nodes")
    database = f"prim_bench_{tag}_{nodes}n"
    prefix = f"prim-bench-{tag}-{nodes}n:"
    spec = ClusterSpec(directory=directory, database=f"{POSTGRES}/{database}", redis=REDIS,
                       redis_prefix=prefix, kafka="", kafka_options=KAFKA_OPTIONS,
                       message_nodes=nodes, env=dict(ENV))
    cluster = LocalCluster(spec)
    t_setup = time.monotonic()
    pairs: list[Pair] = []
    readers: list[asyncio.Task[None]] = []
    try:
        print(f"  starting a cluster with {nodes} message node(s) in {directory} ...",
              file=sys.stderr, flush=True)
        await cluster.start()
        api = cluster.members["api-1"].ready
        base, ca = str(api["http"]), Path(str(api["ca_cert"]))
        node_ready = {m.node_id: m.ready for m in cluster.members.values()
                      if m.role == "message"}
        print(f"  signing up {2 * args.pairs} users, befriending, connecting ...",
              file=sys.stderr, flush=True)
        async with PrimHttpClient(base, timeout=60) as http:
            accounts = await sign_up(http, 2 * args.pairs, "b")
        duos = list(zip(accounts[0::2], accounts[1::2], strict=True))
        await befriend_pairs(base, duos)
        for (a, b), (kind, sn, rn) in zip(duos, placements(nodes, args.pairs), strict=True):
            pairs.append(Pair(kind, a, b, sn, rn))
        for start in range(0, len(pairs), 50):
            chunk = pairs[start:start + 50]
            txs = await asyncio.gather(*(dial(node_ready[p.sender_node]["quic"], ca, p.sender)
                                         for p in chunk))
            rxs = await asyncio.gather(*(dial(node_ready[p.receiver_node]["quic"], ca,
                                              p.receiver) for p in chunk))
            for p, tx, rx in zip(chunk, txs, rxs, strict=True):
                p.tx, p.rx = tx, rx
        kinds = sorted({p.kind for p in pairs})
        tallies = {k: TimedTally() for k in kinds}
        for p in pairs:
            assert p.tx is not None and p.rx is not None
            readers.append(asyncio.create_task(drain(p.tx, tallies[p.kind], p.acks)))
            readers.append(asyncio.create_task(drain(p.rx, tallies[p.kind], None)))

        async with httpx.AsyncClient(timeout=10) as mhttp:
            processor = cluster.members["msgprocessor-1"].ready["metrics"]
            message_nodes = {name: m.ready["metrics"] for name, m in cluster.members.items()
                             if m.role == "message"}
            # Warm-up: connections, seqnum leases, the msgprocessor's group membership.
            before = (await metrics(mhttp, processor)).get(PROCESSOR_COUNTERS["inserted"], 0.0)
            warm = await asyncio.gather(*(flood(p, count=WARMUP, deadline=math.inf, window=1)
                                          for p in pairs))
            await _persisted(mhttp, processor, before, sum(w.acked for w in warm),
                             PERSIST_TIMEOUT)
            await _until(lambda: sum(t.delivered for t in tallies.values())
                         >= sum(w.sent for w in warm), 10.0)
            for t in tallies.values():
                t.reset()
            setup_s = time.monotonic() - t_setup
            # What each process burns with nothing to do (heartbeats, polls, timers).
            idle0 = cpu_snapshot(cluster)
            await asyncio.sleep(IDLE_SECONDS)
            idle1 = cpu_snapshot(cluster)
            idle = {n: (idle1[n] - idle0[n]) / IDLE_SECONDS * 100 for n in idle0}

            # The measured window.
            print(f"  flooding: {len(pairs)} senders ...", file=sys.stderr, flush=True)
            logs0 = log_sizes(cluster)
            nodes0 = {n: await metrics(mhttp, h) for n, h in message_nodes.items()}
            proc0 = await metrics(mhttp, processor)
            cpu0 = cpu_snapshot(cluster)
            t0 = time.monotonic()
            deadline = t0 + (args.seconds or args.max_seconds)
            count = 0 if args.seconds else args.messages
            results = await asyncio.gather(*(flood(p, count=count, deadline=deadline,
                                                   window=args.window) for p in pairs))
            sent = {k: sum(r.sent for p, r in zip(pairs, results, strict=True)
                           if p.kind == k) for k in kinds}
            # Error frames end a send too, but leave nothing to persist.
            acked = sum(r.acked for r in results) - sum(t.errors for t in tallies.values())
            last_ack = max((r.last_ack for r in results), default=t0)
            await _until(lambda: all(tallies[k].delivered >= sent[k] for k in kinds),
                         DELIVERY_GRACE)
            persisted_at, _ = await _persisted(mhttp, processor,
                                               proc0.get(PROCESSOR_COUNTERS["inserted"], 0.0),
                                               acked, PERSIST_TIMEOUT)
            nodes1 = {n: await metrics(mhttp, h) for n, h in message_nodes.items()}
            cpu1 = cpu_snapshot(cluster)
            t_end = time.monotonic()
            proc1 = await metrics(mhttp, processor)

        capped = "" if args.seconds or all(r.sent >= args.messages for r in results) else \
            f"stopped at --max-seconds {args.max_seconds:g}"
        rows = []
        for k in kinds:
            t = tallies[k]
            count_pairs = sum(1 for p in pairs if p.kind == k)
            rows.append(_row(f"{k} ({count_pairs} pairs)", count_pairs, sent[k], [t], t0,
                             sum(r.stalled for p, r in zip(pairs, results, strict=True)
                                 if p.kind == k), capped))
        if len(kinds) > 1:
            rows.insert(0, _row(f"all ({len(pairs)} pairs)", len(pairs), sum(sent.values()),
                                list(tallies.values()), t0, sum(r.stalled for r in results),
                                capped))
        delivered = sum(t.delivered for t in tallies.values())
        cpu = {n: cpu1[n] - cpu0[n] for n in cpu0}
        per_msg = {n: v / max(delivered, 1) * 1e3 for n, v in cpu.items()}
        counters = {n: {label: nodes1[n].get(m, 0.0) - nodes0[n].get(m, 0.0)
                        for label, m in NODE_COUNTERS.items()} for n in message_nodes}
        fsyncs = {n: c["wal fsyncs"] / c["acks"] if c["acks"] else math.nan
                  for n, c in counters.items()}
        processed = {label: proc1.get(m, 0.0) - proc0.get(m, 0.0)
                     for label, m in PROCESSOR_COUNTERS.items()}
        lag = persisted_at - last_ack if persisted_at is not None else None
        result = RunResult(nodes, rows, delivered, t_end - t0, cpu, per_msg, idle, counters,
                           fsyncs, processed, lag, log_problems(cluster, logs0), {}, setup_s,
                           str(directory))
    finally:
        for r in readers:
            r.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await asyncio.gather(*(c.close() for p in pairs for c in (p.tx, p.rx)
                               if c is not None), return_exceptions=True)
        try:
            await cluster.stop()
        finally:
            await drop_database(database)
            await drop_redis_keys(prefix)
    result.log_problems_all = log_problems(cluster, {})  # start to stop
    return result


def _row(name: str, pairs: int, sent: int, tallies: Sequence[TimedTally], t0: float,
         stalled: int, capped: str) -> Row:
    delivered = sum(t.delivered for t in tallies)
    errors = sum(t.errors for t in tallies)
    last = max(t.last_at for t in tallies)
    latencies = [v for t in tallies for v in t.latencies_ns]
    notes = [f"{sent:,} sent, {capped}"] if capped else []
    if delivered < sent:
        notes.append(f"{sent - delivered} undelivered")
    if errors:
        notes.append(f"{errors} error frames")
    if stalled:
        notes.append(f"{stalled} senders stalled (no Ack in {ACK_TIMEOUT:.0f} s)")
    rate = delivered / (last - t0) if delivered and last > t0 else math.nan
    return Row(name, pairs, sent, delivered, rate, percentile(latencies, 0.5),
               percentile(latencies, 0.99), ", ".join(notes))


async def _until(done: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def run(args: argparse.Namespace) -> list[RunResult]:
    tag = secrets.token_hex(3)
    if args.dir:
        Path(args.dir).mkdir(parents=True, exist_ok=True)
        root = Path(tempfile.mkdtemp(prefix="bench-cluster-", dir=args.dir))
    else:
        root = Path(tempfile.mkdtemp(prefix="prim-bench-cluster-"))
    try:
        return [await run_cluster(1, args, root, tag), await run_cluster(2, args, root, tag)]
    finally:
        if not args.dir:
            shutil.rmtree(root, ignore_errors=True)


# -- output -----------------------------------------------------------------------------

def _num(value: float, fmt: str) -> str:
    return "-" if value is None or math.isnan(value) else format(value, fmt)


def table(results: list[RunResult], base: list[tuple[str, float]], command: str) -> str:
    lines = [f"command: {command}", ""]
    head = f"{'deliveries (1:1, flood)':<34}{'msgs/s':>10}{'p50 ms':>9}{'p99 ms':>9}" \
           f"{'delivered':>11}  note"
    lines += [head, "-" * len(head)]
    for r in results:
        label = f"{r.nodes} node{'s' if r.nodes > 1 else ''}"
        for row in r.rows:
            lines.append(f"{label + ': ' + row.name:<34}{_num(row.messages_per_s, ',.0f'):>10}"
                         f"{_num(row.p50_ms, '.2f'):>9}{_num(row.p99_ms, '.2f'):>9}"
                         f"{row.delivered:>11,}  {row.note}")
    for name, value in base:
        lines.append(f"{'baseline: bare QUIC echo':<34}{value:>10,.0f}{'':>29}  {name}")

    columns = [f"{r.nodes} node{'s' if r.nodes > 1 else ''}" for r in results]
    names = list(dict.fromkeys(n for r in results for n in r.cpu_seconds))
    order = ["message", "api", "scheduler", "seqnum", "msgprocessor", "tansu", "bench"]
    names.sort(key=lambda n: (next(i for i, p in enumerate([*order, ""]) if n.startswith(p)),
                              n))
    lines += ["", f"{'CPU per delivered message':<34}"
              + "".join(f"{c:>24}" for c in columns)]
    lines.append(f"{'':<34}" + f"{'ms/msg':>10}{'CPU s':>7}{'idle %':>7}" * len(columns))
    lines.append("-" * (34 + 24 * len(columns)))
    for n in [*names, "total (prim processes)"]:
        cells = []
        for r in results:
            if n.startswith("total"):
                prim = [k for k in r.cpu_seconds if not k.startswith(("tansu", "bench"))]
                v = sum(r.cpu_ms_per_message[k] for k in prim)
                s = sum(r.cpu_seconds[k] for k in prim)
                i = sum(r.idle_cpu_percent[k] for k in prim)
            else:
                v = r.cpu_ms_per_message.get(n, math.nan)
                s = r.cpu_seconds.get(n, math.nan)
                i = r.idle_cpu_percent.get(n, math.nan)
            cells.append(f"{_num(v, '.3f'):>10}{_num(s, '.2f'):>7}{_num(i, '.1f'):>7}")
        label = n if not n.startswith("bench") else "bench client (this process)"
        lines.append(f"{label:<34}" + "".join(cells))
    lines.append(f"{'(window: first send -> persisted)':<34}"
                 + "".join(f"{f'{r.window_s:.1f} s':>24}" for r in results))

    lines += ["", f"{'message nodes (window deltas)':<34}"
              + "".join(f"{f'{r.nodes}n {n}':>14}" for r in results for n in r.node_counters)]
    lines.append("-" * (34 + 14 * sum(len(r.node_counters) for r in results)))
    for label in NODE_COUNTERS:
        lines.append(f"{label:<34}" + "".join(f"{c[label]:>14,.0f}" for r in results
                                              for c in r.node_counters.values()))
    lines.append(f"{'fsyncs per Acked message':<34}" + "".join(
        f"{_num(r.fsyncs_per_message[n], '.3f'):>14}" for r in results for n in r.node_counters))

    lines += ["", f"{'persistence (msgprocessor)':<34}" + "".join(f"{c:>12}" for c in columns)]
    lines.append("-" * (34 + 12 * len(columns)))
    lines.append(f"{'last Ack -> all in PostgreSQL, s':<34}" + "".join(
        f"{_num(r.persisted_lag_s, '.3f') if r.persisted_lag_s is not None else 'timeout':>12}"
        for r in results))
    for label in PROCESSOR_COUNTERS:
        lines.append(f"{label:<34}" + "".join(f"{r.msgprocessor[label]:>12,.0f}"
                                               for r in results))
    lines.append(f"{'set-up (start, users, warm-up), s':<34}"
                 + "".join(f"{r.setup_s:>12.1f}" for r in results))

    lines += ["", "log warnings/errors (start to stop; in the measured window):"]
    quiet = True
    for r in results:
        for name, bad in r.log_problems_all.items():
            quiet = False
            lines.append(f"  {r.nodes}n {name}: {len(bad)} ({len(r.log_problems.get(name, []))})"
                         f", first: {bad[0][:150]}")
    if quiet:
        lines.append("  none")
    lines.append(f"logs: {results[0].directory.rsplit('/', 1)[0] if results else ''}/*/"
                 "<process>.log (kept with --dir)")
    return "\n".join(lines)


def _finite(value: Any) -> Any:
    """NaN (nothing measured) as null, so the document is strict JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="prim bench cluster", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=10, help="friend pairs (default 10)")
    parser.add_argument("--messages", type=int, default=1000,
                        help="messages per sender (default 1000)")
    parser.add_argument("--seconds", type=float, default=0.0,
                        help="flood for this long instead of --messages messages")
    parser.add_argument("--max-seconds", type=float, default=30.0,
                        help="stop sending after this long even if --messages are not all "
                             "sent, so a slow cluster still ends in time (default 30)")
    parser.add_argument("--window", type=int, default=16,
                        help="unacknowledged messages per sender (default 16)")
    parser.add_argument("--baseline-seconds", type=float, default=2.0,
                        help="length of each bare echo measurement (default 2; 0: skip)")
    parser.add_argument("--dir", default="",
                        help="keep the clusters' folders and logs under DIR "
                             "(default: a temporary folder, removed at the end)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document instead of the tables")
    args = parser.parse_args(argv)
    if min(args.pairs, args.messages, args.window) < 1 or args.seconds < 0 \
            or args.max_seconds <= 0:
        parser.error("--pairs, --messages, --window and --max-seconds take positive numbers")
    command = "python -m prim.bench.cluster " + shlex.join(
        ["--pairs", str(args.pairs), "--window", str(args.window)]
        + (["--seconds", f"{args.seconds:g}"] if args.seconds
           else ["--messages", str(args.messages), "--max-seconds", f"{args.max_seconds:g}"])
        + (["--dir", args.dir] if args.dir else []) + (["--json"] if args.json else []))
    base = baseline(args.baseline_seconds) if args.baseline_seconds else []
    results = asyncio.run(run(args))
    if args.json:
        print(json.dumps({"command": command, "options": vars(args),
                          "baseline": [{"name": n, "value": v} for n, v in base],
                          "runs": [_finite(asdict(r)) for r in results]}, indent=2))
    else:
        print(table(results, base, command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
