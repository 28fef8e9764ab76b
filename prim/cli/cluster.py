"""`prim cluster up`: a local cluster in one command. Starts the schedulers, seqnum
instances, msgprocessors, message nodes and the api, each in a process of its own, against
PostgreSQL, Redis and Kafka on this machine (a Tansu broker is started when --kafka is not
given). Prints one JSON ready line per process, then a summary line; Ctrl-C (or SIGTERM)
stops them all. Logs go to <dir>/<process>.log."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "cluster", help="run a local cluster (one process per service)", description=__doc__)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    up = actions.add_parser("up", help="start a local cluster and keep it running",
                            description=__doc__)
    up.add_argument("--dir", default="prim-cluster", metavar="DIR",
                    help="data folders, certificates and logs (default: prim-cluster)")
    up.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/prim",
                    metavar="DSN", help="PostgreSQL database (created if missing)")
    up.add_argument("--redis", default="redis://127.0.0.1:6379/0", metavar="URL")
    up.add_argument("--redis-prefix", default="prim:", metavar="PREFIX",
                    help="key prefix in Redis (default: prim:)")
    up.add_argument("--kafka", default="", metavar="HOST:PORT",
                    help="Kafka bootstrap address (default: start a Tansu broker)")
    up.add_argument("--message-nodes", type=int, default=2, metavar="N")
    up.add_argument("--schedulers", type=int, default=2, metavar="N")
    up.add_argument("--seqnum", type=int, default=2, metavar="N")
    up.add_argument("--msgprocessors", type=int, default=1, metavar="N")
    up.add_argument("--http-port", type=int, default=8080, metavar="PORT",
                    help="the api's HTTP port (default 8080; 0 picks one)")
    up.add_argument("--gateway-port", type=int, default=4433, metavar="PORT",
                    help="first message node's QUIC/TCP port; the next ones count up "
                         "(default 4433; 0 picks free ones)")
    up.set_defaults(func=_up)

    def usage(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=usage)


def _up(args: argparse.Namespace) -> int:
    for name in ("message_nodes", "schedulers", "seqnum", "msgprocessors"):
        if getattr(args, name) < 1:
            print(f"prim cluster up: --{name.replace('_', '-')} must be at least 1",
                  file=sys.stderr)
            return 2
    from prim.services.cluster.local import ClusterSpec

    gateway_ports = ([args.gateway_port + i for i in range(args.message_nodes)]
                     if args.gateway_port else [])
    spec = ClusterSpec(directory=Path(args.dir).resolve(), database=args.database,
                       redis=args.redis, redis_prefix=args.redis_prefix, kafka=args.kafka,
                       message_nodes=args.message_nodes, schedulers=args.schedulers,
                       seqnum=args.seqnum, msgprocessors=args.msgprocessors,
                       http_port=args.http_port, gateway_ports=gateway_ports)
    return asyncio.run(_run(spec))


async def _run(spec: Any) -> int:
    from prim.services.cluster.local import LocalCluster, Member

    cluster = LocalCluster(spec)

    def ready(member: Member) -> None:
        print(json.dumps({"event": "ready", **member.ready}), flush=True)

    print(f"prim cluster up: starting in {spec.directory} (logs: <process>.log there)",
          file=sys.stderr)
    try:
        await cluster.start(on_ready=ready)
    except (RuntimeError, OSError) as exc:
        print(f"prim cluster up: {exc}", file=sys.stderr)
        return 1
    api = cluster.ready_of("api")[0]
    print(json.dumps({"event": "cluster-ready", "http": api.get("http"),
                      "ca_cert": api.get("ca_cert"),
                      "gateways": [m.get("quic") for m in cluster.ready_of("message")],
                      "kafka": cluster.kafka}), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    watcher = asyncio.create_task(_watch(cluster, stop))
    try:
        await stop.wait()
    finally:
        watcher.cancel()
        print("prim cluster up: stopping every process", file=sys.stderr)
        await cluster.stop()
    return 0


async def _watch(cluster: Any, stop: asyncio.Event) -> None:
    """Says so when a process exits on its own (the others keep running)."""
    seen: set[str] = set()
    while not stop.is_set():
        for member in cluster.members.values():
            if not member.running and member.name not in seen:
                seen.add(member.name)
                print(f"prim cluster up: {member.name} exited (status "
                      f"{member.process.returncode}); see {member.log_path}", file=sys.stderr)
        await asyncio.sleep(1.0)
