"""`prim serve`: run PRIM. By default every service in this process (the embedded
deployment: SQLite, in-process cache and log, a development certificate made on first
run). Prints one JSON line on stdout when ready, naming the endpoints; logs go to stderr."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from typing import TYPE_CHECKING, Any

from prim.cli.config import add_config_option
from prim.runtime import event_loop
from prim.runtime.config import Config, ConfigError, load_config
from prim.runtime.gc_pauses import freeze_startup_objects
from prim.runtime.logs import configure_logging
from prim.runtime.logs import log as log_event

if TYPE_CHECKING:
    from prim.services.cluster.roles import RoleProcess

log = logging.getLogger("prim.serve")


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "serve", help="run PRIM (all services in one process by default)", description=__doc__
    )
    add_config_option(p)
    p.add_argument("--data-dir", metavar="DIR", help="where embedded state lives (node.data_dir)")
    p.add_argument("--host", metavar="ADDR",
                   help="address for both the HTTP API and the gateway (http.host, gateway.host)")
    p.add_argument("--http-port", type=int, metavar="PORT",
                   help="HTTP API port (http.port); 0 picks a free one")
    p.add_argument("--gateway-port", "--port", type=int, metavar="PORT", dest="gateway_port",
                   help="QUIC and TLS-over-TCP port (gateway.port); 0 picks a free one")
    p.add_argument("--browser-port", type=int, metavar="PORT",
                   help="WebTransport and WebSocket port (gateway.browser_port); 0: a free one")
    p.add_argument("--role", choices=["all", "api", "message", "scheduler", "seqnum",
                                     "msgprocessor"],
                   help="run one service only (node.role); default: all (every service)")
    p.set_defaults(func=_run)


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    out: dict[str, object] = {}
    if args.data_dir is not None:
        out["node.data_dir"] = args.data_dir
    if args.host is not None:
        out["http.host"] = out["gateway.host"] = args.host
    if args.http_port is not None:
        out["http.port"] = args.http_port
    if args.gateway_port is not None:
        out["gateway.port"] = args.gateway_port
    if args.browser_port is not None:
        out["gateway.browser_port"] = args.browser_port
    if args.role is not None:
        out["node.role"] = args.role
    return out


def _run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config, overrides=_overrides(args))
    except ConfigError as exc:
        print(f"prim serve: invalid configuration: {exc}", file=sys.stderr)
        return 1
    configure_logging(config.log.level, config.log.format)
    return event_loop.run(_serve(config))


async def _serve(config: Config) -> int:
    from prim.runtime.http_serve import PlaintextRefused
    from prim.runtime.storage.files.seqnum import SeqnumFileLocked
    from prim.services.cluster.wiring import ClusterConfigError

    process = _process(config)
    try:
        ready = await process.start()
    except SeqnumFileLocked as exc:
        await process.stop()
        holder = f"another prim serve (pid {exc.pid})" if exc.pid else "another prim serve"
        print(f"prim serve: the data dir {config.node.data_dir} is in use by {holder}; stop "
              "that one, or give this one another --data-dir", file=sys.stderr)
        return 1
    except OSError as exc:
        await process.stop()
        print(f"prim serve: cannot start: {exc} (is another PRIM using the port? "
              "pick others with --http-port / --gateway-port / --browser-port, or 0 for free ones)",
              file=sys.stderr)
        return 1
    except (ClusterConfigError, PlaintextRefused) as exc:
        await process.stop()
        print(f"prim serve: {exc}", file=sys.stderr)
        return 1
    freeze_startup_objects()  # later collections skip what start-up made (gc_pauses.py)
    print(json.dumps({"event": "ready", **ready}), flush=True)
    # A role process's ready line names its role itself.
    log_event(log, logging.INFO, "PRIM is serving",
              **{"role": config.node.role, "data_dir": config.node.data_dir, **ready})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
        log_event(log, logging.INFO, "PRIM is shutting down")
    finally:
        await process.stop()
    log_event(log, logging.INFO, "PRIM stopped")
    return 0


class _Embedded:
    """The embedded node (every service in this process) as a role process."""

    def __init__(self, config: Config) -> None:
        from prim.services.node import Node

        self._node = Node(config)

    async def start(self) -> dict[str, object]:
        ready: dict[str, object] = json.loads((await self._node.start()).ready_line())
        ready.pop("event")
        return ready

    async def stop(self) -> None:
        await self._node.stop()


def _process(config: Config) -> RoleProcess:
    if config.node.role == "all":
        return _Embedded(config)
    from prim.services.cluster.roles import role_process

    return role_process(config)
