"""`prim bench [NAME ...]`: run benchmarks from bench/ (each prints its own table of numbers
beside a baseline measured in the same run). Without names, lists what there is."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "bench", help="run benchmarks (bench/)", description=__doc__
    )
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="benchmarks to run ('all' for every one)")
    p.add_argument("options", nargs=argparse.REMAINDER,
                   help="options for the one benchmark named (e.g. prim bench message --json)")
    p.set_defaults(func=_run)


def available() -> list[str]:
    import prim.bench

    return sorted(m.name for m in pkgutil.iter_modules(prim.bench.__path__)
                  if not m.name.startswith("_"))


def _run(args: argparse.Namespace) -> int:
    names = available()
    if not args.names:
        print("benchmarks:", ", ".join(names) or "(none)")
        print("run one with: prim bench NAME   (or: prim bench all)")
        return 0
    wanted = names if args.names == ["all"] else args.names
    unknown = [n for n in wanted if n not in names]
    if unknown:
        print(f"prim bench: unknown benchmark(s): {', '.join(unknown)}; "
              f"available: {', '.join(names)}", file=sys.stderr)
        return 2
    if args.options and len(wanted) != 1:
        print("prim bench: options go to one benchmark at a time", file=sys.stderr)
        return 2
    for name in wanted:
        print(f"== bench {name}", flush=True)
        module = importlib.import_module(f"prim.bench.{name}")
        status = module.main(list(args.options))
        if status:
            return int(status)
    return 0
