"""`prim conformance`: the conformance suite (issue #11): `run` (clients x servers x
cases, prim/cli/conformance_run.py), `list` (the cases), and `relay`, the fault-injecting
relay between clients and a server (prim/cli/conformance_relay.py)."""

from __future__ import annotations

import argparse
from typing import Any

from prim.cli.conformance_relay import register_relay
from prim.cli.conformance_run import register_list, register_run


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "conformance", help="the conformance suite: run, list, relay",
        description=__doc__)
    tools = p.add_subparsers(dest="tool", metavar="TOOL")
    register_run(tools)
    register_list(tools)
    register_relay(tools)
    p.set_defaults(func=lambda _args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2
