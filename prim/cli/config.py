"""`prim config`: print the effective configuration (file + environment) as TOML-like
sections, or as JSON with --json; exits 1 with the offending key when it is invalid."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from prim.runtime.config import ConfigError, load_config
from prim.runtime.config.loader import as_dict


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "config", help="print the effective configuration", description=__doc__
    )
    add_config_option(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of TOML")
    p.set_defaults(func=_run)


def add_config_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("-c", "--config", metavar="FILE",
                   help="TOML configuration file (default: $PRIM_CONFIG, else ./prim.toml "
                        "when present); PRIM_<SECTION>__<KEY> variables override it")


def _run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"prim: invalid configuration: {exc}", file=sys.stderr)
        return 1
    data = as_dict(config)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    for section, body in data.items():
        print(f"[{section}]")
        for key, value in body.items():
            print(f"{key} = {_toml(value)}")
        print()
    return 0


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)
