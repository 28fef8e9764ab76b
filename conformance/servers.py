"""Servers under test. Each gives the runner its endpoints (`prim serve`'s ready line) and
says what it can do: `restart` (a RestartStep) and `config` (start with a case's
`server_config`).

- `EmbeddedServer`: a PRIM node in the runner's own process (the default).
- `CommandServer`: any command that prints the ready line on stdout, as `prim serve`
  does; configuration reaches it as PRIM_<SECTION>__<KEY> variables and its data dir as
  PRIM_NODE__DATA_DIR, so a restart (stop, start again) keeps its state.
- `AddressServer`: a running server named by its addresses and CA (no restart, no config).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from prim.services.node import Node


class ServerFailed(Exception):
    pass


@dataclass(frozen=True)
class ServerEndpoints:
    http: str
    quic: str  # host:port
    tcp: str
    ca_cert: str
    # Every message node's QUIC address (a cluster); connections take them in turn.
    gateways: tuple[str, ...] = ()

    @classmethod
    def from_ready_line(cls, line: str) -> ServerEndpoints:
        ready = json.loads(line)
        return cls(http=ready["http"], quic=ready["quic"], tcp=ready.get("tcp", ready["quic"]),
                   ca_cert=ready["ca_cert"])


# The runner signs up many users from 127.0.0.1 and logs them in at once: the per-address
# limits of a production configuration would refuse it. Fast password hashing, too.
RUNNER_DEFAULTS: dict[str, str] = {
    "auth.scrypt_log_n": "10",
    "auth.password_attempts_per_ip_per_minute": "1000000",
    "auth.signups_per_ip_per_hour": "1000000",
    "auth.scrypt_queue": "10000",
}


class ServerUnderTest(Protocol):
    name: str
    capabilities: frozenset[str]
    # Seconds an HTTP answer about stored messages may lag behind the Acks (0: none).
    history_lag: float

    async def start(self, config: dict[str, str]) -> ServerEndpoints: ...

    async def restart(self) -> ServerEndpoints: ...

    async def stop(self) -> None: ...


class EmbeddedServer:
    """A fresh node per start() (a new data dir); restart() keeps the data dir."""

    capabilities = frozenset({"restart", "config", "single_node"})
    history_lag = 0.0

    def __init__(self, name: str = "embedded") -> None:
        self.name = name
        self._node: Node | None = None
        self._config: dict[str, str] = {}
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    async def start(self, config: dict[str, str]) -> ServerEndpoints:
        await self.stop()
        self._dir = tempfile.TemporaryDirectory(prefix="prim-conformance-")
        self._config = dict(config)
        return await self._start()

    async def _start(self) -> ServerEndpoints:
        from prim.runtime.config import load_config
        from prim.services.node import Node

        assert self._dir is not None
        values = {"node.data_dir": self._dir.name, "http.port": "0", "gateway.port": "0",
                  "http.host": "127.0.0.1", "gateway.host": "127.0.0.1",
                  **RUNNER_DEFAULTS, **self._config}
        # As environment variables: strings, parsed by the configuration's own rules.
        node = Node(load_config(environ={env_name(k): v for k, v in values.items()}))
        endpoints = await node.start()
        self._node = node
        return ServerEndpoints(endpoints.http, endpoints.quic, endpoints.tcp, endpoints.ca_cert)

    async def restart(self) -> ServerEndpoints:
        await self._stop_node()
        return await self._start()

    async def _stop_node(self) -> None:
        node, self._node = self._node, None
        if node is not None:
            await node.stop()

    async def stop(self) -> None:
        await self._stop_node()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


class CommandServer:
    capabilities = frozenset({"restart", "config"})
    history_lag = 0.0

    def __init__(self, command: str, name: str | None = None, ready_timeout: float = 60.0
                 ) -> None:
        self.command = shlex.split(command)
        self.name = name or Path(self.command[0]).name
        self._ready_timeout = ready_timeout
        self._process: asyncio.subprocess.Process | None = None
        self._env: dict[str, str] = {}
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._drain: asyncio.Task[None] | None = None
        self.stderr_tail: list[str] = []

    async def start(self, config: dict[str, str]) -> ServerEndpoints:
        await self.stop()
        self._dir = tempfile.TemporaryDirectory(prefix="prim-conformance-")
        values = {"node.data_dir": self._dir.name, "http.port": "0", "gateway.port": "0",
                  **RUNNER_DEFAULTS, **config}
        self._env = {env_name(k): v for k, v in values.items()}
        return await self._start()

    async def _start(self) -> ServerEndpoints:
        env = {**os.environ, **self._env}
        self._process = await asyncio.create_subprocess_exec(
            *self.command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=env, start_new_session=True)
        assert self._process.stdout is not None
        try:
            async with asyncio.timeout(self._ready_timeout):
                while True:
                    line = await self._process.stdout.readline()
                    if not line:
                        stderr = await self._process.stderr.read() if self._process.stderr \
                            else b""
                        raise ServerFailed(f"{self.name} exited before its ready line: "
                                           f"{stderr.decode(errors='replace')[-800:]}")
                    with contextlib.suppress(ValueError, KeyError):
                        if json.loads(line).get("event") == "ready":
                            endpoints = ServerEndpoints.from_ready_line(line.decode())
                            break
        except TimeoutError:
            await self._stop_process()
            raise ServerFailed(f"{self.name} printed no ready line within "
                               f"{self._ready_timeout:.0f} s") from None
        self._drain = asyncio.create_task(self._drain_output())
        return endpoints

    async def _drain_output(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        assert process.stderr is not None

        async def lines(stream: asyncio.StreamReader, keep: bool) -> None:
            while line := await stream.readline():
                if keep:
                    self.stderr_tail = [*self.stderr_tail[-19:],
                                        line.decode(errors="replace").rstrip()]

        await asyncio.gather(lines(process.stdout, False), lines(process.stderr, True))

    async def restart(self) -> ServerEndpoints:
        await self._stop_process()
        return await self._start()

    async def _stop_process(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        if self._drain is not None:
            self._drain.cancel()
            await asyncio.gather(self._drain, return_exceptions=True)
            self._drain = None

    async def stop(self) -> None:
        await self._stop_process()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


class AddressServer:
    capabilities: frozenset[str] = frozenset()
    history_lag = 0.0

    def __init__(self, endpoints: ServerEndpoints, name: str = "remote") -> None:
        self.name = name
        self._endpoints = endpoints

    async def start(self, config: dict[str, str]) -> ServerEndpoints:
        return self._endpoints

    async def restart(self) -> ServerEndpoints:
        raise ServerFailed("a server given by its address cannot be restarted")

    async def stop(self) -> None:
        return None


def env_name(key: str) -> str:
    section, _, name = key.partition(".")
    return f"PRIM_{section.upper()}__{name.upper()}"
