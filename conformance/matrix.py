"""The matrix: every case with every client against every server. Cases that need the
same server configuration share one server start; each client is one driver process for
the whole run."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prim.generated.prim.v1 import ConformanceCase

from .case_run import CaseRun, Verdict
from .driver_process import DriverFailed, DriverProcess
from .features import client_features, server_capabilities
from .servers import ServerUnderTest


@dataclass(frozen=True)
class ClientUnderTest:
    name: str
    command: str


async def run_matrix(cases: Sequence[ConformanceCase], clients: Sequence[ClientUnderTest],
                     servers: Sequence[ServerUnderTest],
                     on_verdict: Callable[[Verdict], None] = lambda v: None) -> list[Verdict]:
    verdicts: list[Verdict] = []

    def record(verdict: Verdict) -> None:
        verdicts.append(verdict)
        on_verdict(verdict)

    for server in servers:
        drivers: list[DriverProcess] = []
        try:
            for client in clients:
                driver = DriverProcess(client.name, client.command)
                try:
                    await driver.start()
                except (DriverFailed, OSError) as exc:
                    for case in cases:
                        record(Verdict(case.name, client.name, server.name, "failed",
                                       detail=f"the client did not start: {exc}",
                                       rules=list(case.rules)))
                    continue
                drivers.append(driver)
            await _run_server(cases, drivers, server, record)
        finally:
            for driver in drivers:
                await driver.stop()
    return verdicts


async def _run_server(cases: Sequence[ConformanceCase], drivers: list[DriverProcess],
                      server: ServerUnderTest, record: Callable[[Verdict], None]) -> None:
    groups: dict[tuple[tuple[str, str], ...], list[ConformanceCase]] = {}
    for case in cases:
        missing = server_capabilities(case) - server.capabilities
        if missing:
            for driver in drivers:
                record(Verdict(case.name, driver.name, server.name, "unsupported",
                               detail=f"the server cannot: {', '.join(sorted(missing))}",
                               rules=list(case.rules)))
            continue
        groups.setdefault(tuple(sorted(case.server_config.items())), []).append(case)
    for config, group in groups.items():
        endpoints = await server.start(dict(config))
        try:
            for case in group:
                for driver in drivers:
                    missing = client_features(case) & driver.unsupported
                    if missing:
                        record(Verdict(case.name, driver.name, server.name, "unsupported",
                                       detail=f"the client lacks: {', '.join(sorted(missing))}",
                                       rules=list(case.rules)))
                        continue
                    if driver.broken:
                        record(Verdict(case.name, driver.name, server.name, "failed",
                                       detail=driver.broken, rules=list(case.rules)))
                        continue

                    async def restart() -> object:
                        nonlocal endpoints
                        endpoints = await server.restart()
                        return endpoints

                    run = CaseRun(case, driver, server.name, endpoints, restart)  # type: ignore[arg-type]
                    record(await run.run())
                    endpoints = run.endpoints
        finally:
            with contextlib.suppress(Exception):
                await server.stop()
