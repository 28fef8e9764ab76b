"""`prim gen`: regenerate generated/ from spec/ (a development command: needs a checkout)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "gen", help="regenerate generated/ from spec/", description=__doc__
    )
    p.add_argument("--check", action="store_true",
                   help="change nothing; exit 1 when generated/ differs from the spec")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from prim.codegen.run import main

    return main(["--check"] if args.check else [])
