"""The matrix: every case with every client against every server. Cases that need the
same server configuration share one server start; each client is one driver process for
the whole run, and the clients run side by side (a case that restarts the server runs
alone)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prim.generated.prim.v1 import ConformanceCase

from .case_run import CaseRun, Verdict
from .driver_process import DriverFailed, DriverProcess
from .features import client_features, server_capabilities
from .servers import ServerEndpoints, ServerUnderTest


@dataclass(frozen=True)
class ClientUnderTest:
    name: str
    command: str


async def run_matrix(cases: Sequence[ConformanceCase], clients: Sequence[ClientUnderTest],
                     servers: Sequence[ServerUnderTest],
                     on_verdict: Callable[[Verdict], None] = lambda v: None,
                     parallel: bool = True) -> list[Verdict]:
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
            await _run_server(cases, drivers, server, record, parallel)
        finally:
            for driver in drivers:
                await driver.stop()
    return verdicts


async def _run_server(cases: Sequence[ConformanceCase], drivers: list[DriverProcess],
                      server: ServerUnderTest, record: Callable[[Verdict], None],
                      parallel: bool) -> None:
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
        state = _Server(server, await server.start(dict(config)))
        try:
            # The clients run side by side (their users never meet); a case that restarts
            # the server runs alone, after the others.
            alone = [c for c in group if "restart" in server_capabilities(c)]
            together = [c for c in group if c not in alone]
            if parallel:
                await asyncio.gather(*(_run_cases(together, d, state, record)
                                       for d in drivers))
            else:
                for driver in drivers:
                    await _run_cases(together, driver, state, record)
            for driver in drivers:
                await _run_cases(alone, driver, state, record)
        finally:
            with contextlib.suppress(Exception):
                await server.stop()


@dataclass
class _Server:
    server: ServerUnderTest
    endpoints: ServerEndpoints

    async def restart(self) -> ServerEndpoints:
        self.endpoints = await self.server.restart()
        return self.endpoints


async def _run_cases(cases: Sequence[ConformanceCase], driver: DriverProcess, state: _Server,
                     record: Callable[[Verdict], None]) -> None:
    server = state.server
    for case in cases:
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
        run = CaseRun(case, driver, server.name, state.endpoints, state.restart,
                      server.history_lag)
        record(await run.run())
