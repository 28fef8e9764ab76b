"""The matrix: every case with every client against every server. Cases that need the
same server configuration share one server start. Each client is a pool of `jobs` driver
processes for the whole run, each running one case at a time, so a client runs up to
`jobs` cases side by side (each case has users of its own), and the clients run side by
side too. A case that must run alone (`features.exclusive`: it restarts the server or
lowers a per-IP limit) runs after the others of its group, with nothing else running."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

import betterproto2

from prim.generated.prim.v1 import ConformanceCase, ExpectStep, SleepStep

from .case_run import DEFAULT_QUIET_MS, DEFAULT_WITHIN_MS, CaseRun, Verdict
from .driver_process import DriverFailed, DriverProcess
from .features import client_features, exclusive, restarts_only, server_capabilities
from .servers import ServerEndpoints, ServerUnderTest

# Cases at a time per client: most of a case's time is waiting (for frames, for quiet
# periods, for timeouts), so a few side by side shorten a run; with every shipped client
# at once on two loaded cores, more starved the cluster's processes (a seqnum lease lapsed,
# typing throttle windows passed between steps).
DEFAULT_JOBS = 2


@dataclass(frozen=True)
class ClientUnderTest:
    name: str
    command: str


class _Pool:
    """One client's driver processes. The first starts before any case; the others start
    one after another while cases run (starting them all at once would load the machine
    at the worst moment), each joining as soon as it has said hello."""

    def __init__(self, client: ClientUnderTest, jobs: int) -> None:
        self.name = client.name
        self._client = client
        self._jobs = jobs
        self.drivers: list[DriverProcess] = []
        self.idle: asyncio.Queue[DriverProcess] = asyncio.Queue()
        self._growing: asyncio.Task[None] | None = None

    async def start(self) -> str | None:
        """None once the first driver runs; why not, when it cannot start."""
        try:
            await self._add()
        except (DriverFailed, OSError) as exc:
            return str(exc)
        self._growing = asyncio.create_task(self._grow())
        return None

    async def _add(self) -> None:
        driver = DriverProcess(self._client.name, self._client.command)
        self.drivers.append(driver)
        await driver.start()
        self.idle.put_nowait(driver)

    async def release(self, driver: DriverProcess) -> None:
        """Back to the idle ones after a case. One that died (its case failed saying so)
        is replaced by a fresh process, so that it does not fail every case after it."""
        if driver.broken:
            await driver.stop()
            try:
                await self._add()
                return
            except (DriverFailed, OSError):
                pass  # the broken one stays: the cases it gets fail with its reason
        self.idle.put_nowait(driver)

    async def _grow(self) -> None:
        # A driver that fails to start here only leaves the pool smaller: the first one
        # started, so the client itself works.
        with contextlib.suppress(DriverFailed, OSError):
            while len(self.drivers) < self._jobs:
                await self._add()

    async def stop(self) -> None:
        if self._growing is not None:
            self._growing.cancel()
            await asyncio.gather(self._growing, return_exceptions=True)
        await asyncio.gather(*(d.stop() for d in self.drivers))


async def run_matrix(cases: Sequence[ConformanceCase], clients: Sequence[ClientUnderTest],
                     servers: Sequence[ServerUnderTest],
                     on_verdict: Callable[[Verdict], None] = lambda v: None,
                     parallel: bool = True, jobs: int = DEFAULT_JOBS) -> list[Verdict]:
    verdicts: list[Verdict] = []

    def record(verdict: Verdict) -> None:
        verdicts.append(verdict)
        on_verdict(verdict)

    for server in servers:
        pools: list[_Pool] = []
        try:
            for client in clients:
                pool = _Pool(client, max(jobs, 1))
                pools.append(pool)
            failures = await asyncio.gather(*(p.start() for p in pools))
            for pool, failure in zip(list(pools), failures, strict=True):
                if failure is not None:
                    pools.remove(pool)
                    await pool.stop()
                    for case in cases:
                        record(Verdict(case.name, pool.name, server.name, "failed",
                                       detail=f"the client did not start: {failure}",
                                       rules=list(case.rules)))
            await _run_server(cases, pools, server, record, parallel)
        finally:
            await asyncio.gather(*(p.stop() for p in pools))
    return verdicts


async def _run_server(cases: Sequence[ConformanceCase], pools: list[_Pool],
                      server: ServerUnderTest, record: Callable[[Verdict], None],
                      parallel: bool) -> None:
    groups: dict[tuple[tuple[str, str], ...], list[ConformanceCase]] = {}
    for case in cases:
        missing = server_capabilities(case) - server.capabilities
        if missing:
            for pool in pools:
                record(Verdict(case.name, pool.name, server.name, "unsupported",
                               detail=f"the server cannot: {', '.join(sorted(missing))}",
                               rules=list(case.rules)))
            continue
        groups.setdefault(tuple(sorted(case.server_config.items())), []).append(case)
    try:
        for config, group in groups.items():
            # start() with a server already running applies the new configuration (a
            # fresh node, or the cluster's processes that read it restarted).
            state = _Server(server, await server.start(dict(config)))
            alone = [c for c in group if exclusive(c)]
            # The longest first, so that no long case is left running on its own at the end.
            together = sorted((c for c in group if c not in alone), key=_estimate,
                              reverse=True)
            if parallel:
                await asyncio.gather(*(_run_pool(together, p, state, record) for p in pools))
            else:
                for pool in pools:
                    await _run_pool(together, pool, state, record)
            # Cases that must run alone only because they restart the server run together,
            # every client's at once: each restart waits until every case running has
            # come to a restart or ended, and one restart serves them all.
            restarting = [c for c in alone if restarts_only(c)]
            if parallel:
                await asyncio.gather(*(_run_pool(restarting, p, state, record)
                                       for p in pools))
            else:
                for pool in pools:
                    await _run_pool(restarting, pool, state, record)
            for pool in pools:
                for case in alone:
                    if case not in restarting:
                        await _run_pool([case], pool, state, record)
    finally:
        with contextlib.suppress(Exception):
            await server.stop()


def _estimate(case: ConformanceCase) -> float:
    """Roughly how long a case takes (ms): its sleeps, quiet periods and awaited closes."""
    total = 100.0 * len(case.steps)
    for step in case.steps:
        _, action = betterproto2.which_one_of(step, "action")
        if isinstance(action, SleepStep):
            total += action.ms
        elif isinstance(action, ExpectStep):
            if action.none:
                total += action.quiet_ms or DEFAULT_QUIET_MS
            if action.closed:
                total += (action.within_ms or DEFAULT_WITHIN_MS) / 2
    return total


async def _run_pool(cases: Sequence[ConformanceCase], pool: _Pool, state: _Server,
                    record: Callable[[Verdict], None]) -> None:
    """Each case on the next idle driver of the client's, as many at a time as it has."""

    async def run(case: ConformanceCase, driver: DriverProcess) -> None:
        try:
            await _run_case(case, driver, state, record)
        finally:
            await pool.release(driver)

    running = [asyncio.create_task(run(case, await pool.idle.get())) for case in cases]
    await asyncio.gather(*running)


class _Server:
    """The server under test as the cases of a group share it: a restart any of them asks
    for waits until each case running has asked too or ended, then happens once."""

    def __init__(self, server: ServerUnderTest, endpoints: ServerEndpoints) -> None:
        self.server = server
        self.endpoints = endpoints
        self._running = 0
        self._waiting: list[asyncio.Future[ServerEndpoints]] = []
        self._restarting: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def case(self) -> AsyncIterator[None]:
        self._running += 1
        try:
            yield
        finally:
            self._running -= 1
            self._maybe_restart()

    async def restart(self) -> ServerEndpoints:
        future: asyncio.Future[ServerEndpoints] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        self._maybe_restart()
        return await future

    def _maybe_restart(self) -> None:
        if self._waiting and len(self._waiting) >= self._running and self._restarting is None:
            waiting, self._waiting = self._waiting, []
            self._restarting = asyncio.create_task(self._restart(waiting))

    async def _restart(self, waiting: list[asyncio.Future[ServerEndpoints]]) -> None:
        try:
            self.endpoints = await self.server.restart()
        except Exception as exc:
            for future in waiting:
                future.set_exception(exc)
        else:
            for future in waiting:
                future.set_result(self.endpoints)
        finally:
            self._restarting = None
            self._maybe_restart()


async def _run_case(case: ConformanceCase, driver: DriverProcess, state: _Server,
                    record: Callable[[Verdict], None]) -> None:
    server = state.server
    missing = client_features(case) & driver.unsupported
    if missing:
        record(Verdict(case.name, driver.name, server.name, "unsupported",
                       detail=f"the client lacks: {', '.join(sorted(missing))}",
                       rules=list(case.rules)))
        return
    if driver.broken:
        record(Verdict(case.name, driver.name, server.name, "failed",
                       detail=driver.broken, rules=list(case.rules)))
        return
    async with state.case():
        run = CaseRun(case, driver, server.name, state.endpoints, state.restart,
                      server.history_lag)
        record(await run.run())
