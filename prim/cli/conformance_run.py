"""`prim conformance run` and `prim conformance list`: the conformance suite's runner.

With no arguments, `run` runs every case in conformance/cases/ with every shipped client
(raw, sdk, trio, ts) against a fresh embedded server, prints the results matrix and exits 1
when any case failed (unsupported is not a failure)."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
from pathlib import Path
from typing import Any

SHIPPED_CLIENTS = {
    "raw": f"{sys.executable} -m prim.conformance.drivers.raw",
    "sdk": f"{sys.executable} -m prim.conformance.drivers.sdk",
    "trio": f"{sys.executable} -m prim.conformance.drivers.trio_client",
}
# The TypeScript SDK where Node is (CI requires it: PRIM_REQUIRE_NODE=1 keeps `ts` in, so
# a missing Node fails its cases instead of hiding them).
if shutil.which("node") or os.environ.get("PRIM_REQUIRE_NODE") == "1":
    SHIPPED_CLIENTS["ts"] = f"{sys.executable} -m prim.conformance.drivers.ts"


def register_run(tools: Any) -> None:
    p: argparse.ArgumentParser = tools.add_parser(
        "run", help="run conformance cases: clients x servers x cases",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cases", nargs="*", metavar="CASE",
                   help="case names or globs (default: every case)")
    p.add_argument("--cases-dir", metavar="DIR", help="where the case files are "
                   "(default: conformance/cases)")
    p.add_argument("--client", action="append", metavar="NAME[=COMMAND]", default=[],
                   help="a client under test: a shipped one by name (raw, sdk, trio, ts) or "
                        "NAME=COMMAND speaking the driver protocol; repeatable "
                        "(default: every shipped client)")
    p.add_argument("--server", action="append", metavar="SERVER", default=[],
                   help="'embedded' (default: a fresh node in this process), "
                        "'cluster' (one process per role on PostgreSQL, Redis and Kafka: "
                        "see --database, --redis, --kafka), or NAME=COMMAND, a command "
                        "that prints prim serve's ready line; repeatable")
    p.add_argument("--server-address", metavar="HOST:PORT",
                   help="a running server's gateway (with --http and --ca) instead")
    p.add_argument("--http", metavar="URL", help="its HTTP API base URL")
    p.add_argument("--ca", metavar="FILE", help="the CA file its certificate chains to")
    p.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/prim",
                   metavar="DSN", help="--server cluster: PostgreSQL (a database of the "
                   "run's own is made beside this one and dropped after)")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0", metavar="URL",
                   help="--server cluster: Redis (keys under a prefix of the run's own)")
    p.add_argument("--kafka", default="", metavar="HOST:PORT",
                   help="--server cluster: Kafka (default: a Tansu broker is started)")
    p.add_argument("--history-lag", type=float, metavar="SECONDS",
                   help="how long history may lag behind Acks on a command or address "
                        "server (default 0; the cluster: 5)")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="cases each client runs at a time, one driver process each "
                        "(default 2; a case that restarts the server or lowers a per-IP "
                        "limit runs alone)")
    p.add_argument("--sequential", action="store_true",
                   help="one case at a time, one client at a time (default: the clients "
                        "side by side, --jobs cases each)")
    p.add_argument("--json", metavar="FILE", nargs="?", const="-",
                   help="write the results as JSON (to FILE, or stdout with no FILE)")
    p.add_argument("--html", metavar="FILE", help="write an HTML report")
    p.set_defaults(func=_run)


def register_list(tools: Any) -> None:
    p: argparse.ArgumentParser = tools.add_parser(
        "list", help="list the conformance cases",
        description="List the cases: name, the PROTOCOL.md rules each checks, and the client "
                    "features and server capabilities it needs.")
    p.add_argument("cases", nargs="*", metavar="CASE", help="names or globs")
    p.add_argument("--cases-dir", metavar="DIR", help="default: conformance/cases")
    p.set_defaults(func=_list)


def _load(args: argparse.Namespace) -> list[Any]:
    from prim.conformance.cases import CASES_DIR, load_cases

    return load_cases(Path(args.cases_dir) if args.cases_dir else CASES_DIR,
                      args.cases or None)


def _list(args: argparse.Namespace) -> int:
    from prim.conformance.cases import CaseError
    from prim.conformance.features import client_features, server_capabilities

    try:
        cases = _load(args)
    except CaseError as exc:
        print(f"prim conformance list: {exc}", file=sys.stderr)
        return 1
    for case in cases:
        needs = sorted(client_features(case)) + [f"server:{c}"
                                                 for c in sorted(server_capabilities(case))]
        print(f"{case.name}: {'; '.join(case.rules)}" + (f"  [{', '.join(needs)}]"
                                                         if needs else ""))
        if case.description:
            print(f"    {case.description.strip()}")
    print(f"{len(cases)} cases")
    return 0


def _clients(specs: list[str]) -> list[Any]:
    from prim.conformance.matrix import ClientUnderTest

    if not specs:
        return [ClientUnderTest(n, c) for n, c in SHIPPED_CLIENTS.items()]
    out = []
    for spec in specs:
        name, sep, command = spec.partition("=")
        if not sep:
            if name not in SHIPPED_CLIENTS:
                raise SystemExit(f"prim conformance run: no shipped client {name!r} "
                                 f"(known: {', '.join(SHIPPED_CLIENTS)}; or NAME=COMMAND)")
            command = SHIPPED_CLIENTS[name]
        out.append(ClientUnderTest(name, command))
    return out


def _servers(args: argparse.Namespace) -> list[Any]:
    from prim.conformance.servers import (
        AddressServer,
        CommandServer,
        EmbeddedServer,
        ServerEndpoints,
    )

    if args.server_address:
        if not (args.http and args.ca):
            raise SystemExit("prim conformance run: --server-address needs --http and --ca")
        return [AddressServer(ServerEndpoints(args.http, args.server_address,
                                              args.server_address, args.ca))]
    out: list[Any] = []
    for spec in args.server or ["embedded"]:
        if spec == "embedded":
            out.append(EmbeddedServer())
        elif spec == "cluster":
            from prim.conformance.cluster_server import ClusterServer

            out.append(ClusterServer(database=args.database, redis=args.redis,
                                     kafka=args.kafka))
        else:
            name, sep, command = spec.partition("=")
            out.append(CommandServer(command, name) if sep else CommandServer(spec))
    return out


def _run(args: argparse.Namespace) -> int:
    from prim.conformance import report
    from prim.conformance.cases import CaseError
    from prim.conformance.matrix import DEFAULT_JOBS, run_matrix

    try:
        cases = _load(args)
    except CaseError as exc:
        print(f"prim conformance run: {exc}", file=sys.stderr)
        return 1
    if not cases:
        print("prim conformance run: no case matches", file=sys.stderr)
        return 1
    clients, servers = _clients(args.client), _servers(args)
    if args.history_lag is not None:
        for server in servers:
            server.history_lag = args.history_lag
    progress = sys.stderr if args.json == "-" else sys.stdout

    def on_verdict(v: Any) -> None:
        mark = {"passed": ".", "failed": "F", "unsupported": "u"}[v.outcome]
        print(mark, end="", flush=True, file=progress)

    jobs = args.jobs if args.jobs is not None else 1 if args.sequential else DEFAULT_JOBS
    if jobs < 1:
        print("prim conformance run: --jobs must be at least 1", file=sys.stderr)
        return 1
    verdicts = asyncio.run(run_matrix(cases, clients, servers, on_verdict,
                                      parallel=not args.sequential, jobs=jobs))
    print(file=progress)
    if args.json == "-":
        print(report.dumps(verdicts))
    else:
        print(report.terminal(verdicts))
        if args.json:
            Path(args.json).write_text(report.dumps(verdicts) + "\n", encoding="utf-8")
    if args.html:
        Path(args.html).write_text(report.as_html(verdicts), encoding="utf-8")
    return 1 if any(v.outcome == "failed" for v in verdicts) else 0
