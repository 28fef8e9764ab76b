"""`prim`: the one console script. Each subcommand lives in its own module of this package
and exposes `register(subparsers)`, which adds its parser and sets `func(args) -> int`."""

from __future__ import annotations

import argparse
import importlib
import sys

from prim import __version__

# Subcommand modules, in the order `prim --help` lists them.
SUBCOMMANDS = (
    "serve", "cluster", "config", "migrate", "gen", "cert", "chat", "conformance", "bench",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prim",
        description="PRIM instant messaging: server, tools and a terminal client.",
    )
    parser.add_argument("--version", action="version", version=f"prim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"prim.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"prim.cli.{name}":
                continue  # not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`prim config | head`): not an error worth a traceback.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
