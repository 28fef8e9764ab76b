"""`prim conformance relay`: a fault-injecting relay between PRIM clients and a server, on
QUIC and TLS over TCP (one port number). Point a client at it (trusting the CA its ready
line names) to see how it copes with lost Acks, duplicates, reordering, corrupt bytes,
delays and cut connections.

Prints a JSON ready line on stdout, then one line per injected fault (JSON with --json);
logs go to stderr. Rules: see conformance/relay/README.md, e.g.
  --rule "drop dir=s2c type=ACK nth=1"   --rule "delay ms=200 prob=0.1" --seed 7
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prim.conformance.relay import FaultRecord, Upstream


def register_relay(subparsers: Any) -> argparse.ArgumentParser:
    """Adds `relay` to a subparsers object (that of `prim conformance`)."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "relay", help="a fault-injecting relay in front of a PRIM server",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_relay_arguments(p)
    return p


def add_relay_arguments(p: argparse.ArgumentParser) -> None:
    up = p.add_argument_group("the server")
    up.add_argument("--upstream", metavar="HOST:PORT",
                    help="the server's gateway (QUIC and TLS/TCP port)")
    up.add_argument("--ca", type=Path, metavar="FILE", help="the server's CA certificate")
    up.add_argument("--ready-line", metavar="JSON",
                    help="a `prim serve` ready line instead of --upstream and --ca")
    up.add_argument("--server-name", metavar="NAME",
                    help="the name the server's certificate must carry (default: its host)")
    up.add_argument("--upstream-transport", choices=["same", "quic", "tcp"], default="same",
                    help="how to reach the server: as the client came (default), or always "
                         "QUIC or TLS/TCP")
    me = p.add_argument_group("the relay")
    me.add_argument("--host", default="127.0.0.1", help="address to listen on")
    me.add_argument("--port", type=int, default=0, help="QUIC and TCP port; 0 picks one")
    me.add_argument("--cert-dir", type=Path, metavar="DIR",
                    help="where the relay's development CA and certificate live (kept "
                         "across runs); default: a temporary directory")
    faults = p.add_argument_group("faults")
    faults.add_argument("--rule", action="append", default=[], metavar="RULE",
                        help='a rule, e.g. "drop dir=s2c type=ACK nth=1"; repeatable')
    faults.add_argument("--rules", type=Path, metavar="FILE",
                        help="more rules from a TOML ([[rule]]) or JSON file")
    faults.add_argument("--seed", type=int, help="seed for rules with prob= (reproducible)")
    faults.add_argument("--reorder-hold", type=float, default=0.5, metavar="SECONDS",
                        help="how long a reordered frame waits for a next one")
    p.add_argument("--json", action="store_true", help="fault lines as JSON")
    p.set_defaults(func=run_relay)


def _upstream(args: argparse.Namespace) -> Upstream:
    from prim.conformance.relay.relay import Upstream, split_address

    if args.ready_line:
        up = Upstream.from_ready_line(args.ready_line, args.upstream_transport)
        if args.server_name:
            up = Upstream(up.host, up.port, up.ca_file, args.server_name, up.transport)
        return up
    if not (args.upstream and args.ca):
        raise ValueError("give --upstream HOST:PORT and --ca FILE, or --ready-line")
    host, port = split_address(args.upstream)
    return Upstream(host, port, args.ca, args.server_name, args.upstream_transport)


def run_relay(args: argparse.Namespace) -> int:
    from prim.conformance.relay import RuleError, load_rule_file, parse_rules
    from prim.runtime.logs import configure_logging

    try:
        rules = parse_rules(args.rule)
        if args.rules:
            rules += load_rule_file(args.rules)
        upstream = _upstream(args)
    except (RuleError, ValueError, OSError, KeyError) as exc:
        print(f"prim conformance relay: {exc}", file=sys.stderr)
        return 2
    configure_logging("warning")

    def report(record: FaultRecord) -> None:
        line = json.dumps(record.as_json()) if args.json else f"fault: {record.line()}"
        print(line, flush=True)

    async def serve() -> int:
        from prim.conformance.relay import Relay

        relay = Relay(upstream, rules, seed=args.seed, host=args.host, port=args.port,
                      cert_dir=args.cert_dir, reorder_hold=args.reorder_hold,
                      on_fault=report)
        try:
            await relay.start()
        except OSError as exc:
            print(f"prim conformance relay: cannot listen: {exc}", file=sys.stderr)
            return 1
        print(relay.ready_line(), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await relay.close()
        return 0

    return asyncio.run(serve())


def main(argv: list[str] | None = None) -> int:
    """Standalone: `python -m prim.cli.conformance_relay ...` until `prim conformance`
    registers it."""
    parser = argparse.ArgumentParser(prog="prim conformance relay", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_relay_arguments(parser)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
