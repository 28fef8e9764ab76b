"""`Relay`: listens for clients on QUIC and TLS over TCP (one port number, like the gateway),
opens its own connection to the upstream PRIM server for each, and relays the frames
through a `Link` that injects the configured faults.

    async with Relay(Upstream.from_ready_line(line), rules=[parse_rule("drop type=ACK nth=1")],
                     seed=7) as relay:
        ...  # point the client at relay.quic_address, trusting relay.ca_cert
        relay.faults  # what was injected so far

The relay has its own development certificate (runtime/tls), so clients trust the relay's
CA, and the relay trusts the server's CA. By default it reaches the server on the transport
the client used.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import shutil
import socket
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from aioquic.asyncio.client import connect as quic_connect
from aioquic.asyncio.protocol import QuicConnectionProtocol, QuicStreamAdapter
from aioquic.asyncio.server import QuicServer
from aioquic.asyncio.server import serve as quic_serve

from prim.conformance.relay.faults import FaultEngine, FaultRecord
from prim.conformance.relay.link import Endpoint, Link
from prim.conformance.relay.rules import Rule
from prim.runtime.tls.certificates import DevCertificates, ensure_dev_certificates
from prim.runtime.tls.trust import ServerIdentity, Trust

log = logging.getLogger("prim.conformance.relay")
# QUIC idle timeout on both legs: PRIM's own heartbeat and idle timeout decide, not QUIC's.
_QUIC_IDLE = 300.0
TRANSPORTS = ("same", "quic", "tcp")


@dataclass(frozen=True)
class Upstream:
    """The server the relay forwards to."""

    host: str
    port: int
    ca_file: Path
    server_name: str | None = None  # the name its certificate must carry; default host
    transport: str = "same"  # "same" as the client's, or always "quic" / "tcp"

    def __post_init__(self) -> None:
        if self.transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}")

    @classmethod
    def from_ready_line(cls, line: str, transport: str = "same") -> Upstream:
        """The server a `prim serve` ready line names."""
        ready = json.loads(line)
        host, port = split_address(str(ready["quic"]))
        return cls(host, port, Path(ready["ca_cert"]), transport=transport)


def split_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"expected host:port, got {address!r}")
    return host.strip("[]"), int(port)


class Relay:
    def __init__(self, upstream: Upstream, rules: Sequence[Rule] = (), *,
                 seed: int | None = None, host: str = "127.0.0.1", port: int = 0,
                 cert_dir: Path | None = None, reorder_hold: float = 0.5,
                 on_fault: Callable[[FaultRecord], None] | None = None) -> None:
        self.upstream = upstream  # may be replaced before clients connect
        self.rules = list(rules)
        self.seed = seed
        self.host = host
        self._port = port
        self._cert_dir = cert_dir
        self._own_cert_dir: Path | None = None
        self.reorder_hold = reorder_hold
        self._on_fault = on_fault
        self.faults: list[FaultRecord] = []
        self.links: list[Link] = []
        self._numbers = itertools.count(1)
        self._certs: DevCertificates | None = None
        self._tcp: asyncio.Server | None = None
        self._quic: QuicServer | None = None
        self._quic_seen: set[int] = set()  # QUIC connections whose frame stream is linked
        self._tasks: set[asyncio.Task[None]] = set()

    # -- addresses ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def quic_address(self) -> str:
        return f"{self.host}:{self._port}"

    tcp_address = quic_address  # the same port number, as on the gateway

    @property
    def ca_cert(self) -> str:
        assert self._certs is not None, "the relay is not started"
        return str(self._certs.ca_file)

    @property
    def fingerprint(self) -> str:
        assert self._certs is not None, "the relay is not started"
        return self._certs.fingerprint

    def ready_line(self) -> str:
        return json.dumps({"event": "ready", "quic": self.quic_address,
                           "tcp": self.tcp_address, "ca_cert": self.ca_cert,
                           "fingerprint": self.fingerprint,
                           "upstream": f"{self.upstream.host}:{self.upstream.port}",
                           "rules": [r.describe() for r in self.rules], "seed": self.seed})

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        cert_dir = self._cert_dir
        if cert_dir is None:
            cert_dir = self._own_cert_dir = Path(tempfile.mkdtemp(prefix="prim-relay-"))
        self._certs = ensure_dev_certificates(cert_dir, [self.host])
        for _ in range(20):  # port 0: find a number free for both TCP and UDP
            try:
                await self._listen(self._port)
                return
            except OSError:
                await self._stop_listening()
                if self._port:
                    raise
        raise OSError("no port number was free for both TCP and UDP")

    async def _listen(self, port: int) -> None:
        assert self._certs is not None
        identity = ServerIdentity(self._certs.cert_file, self._certs.key_file)
        self._tcp = await asyncio.start_server(
            self._tcp_client, self.host, port, ssl=identity.ssl_context(),
            family=socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        port = self._tcp.sockets[0].getsockname()[1]
        self._quic = await quic_serve(self.host, port,
                                      configuration=identity.quic_configuration(_QUIC_IDLE),
                                      stream_handler=self._quic_stream)
        self._port = port

    async def _stop_listening(self) -> None:
        if self._tcp is not None:
            self._tcp.close()
            with contextlib.suppress(Exception):
                await self._tcp.wait_closed()
            self._tcp = None
        if self._quic is not None:
            self._quic.close()
            self._quic = None

    async def close(self) -> None:
        await self._stop_listening()
        for link in self.links:
            link.cut()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._own_cert_dir is not None:
            shutil.rmtree(self._own_cert_dir, ignore_errors=True)

    async def __aenter__(self) -> Relay:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    def cut_all(self) -> None:
        """Cut every relayed connection now (a server or network failure, seen by clients)."""
        for link in self.links:
            link.cut()

    # -- connections --------------------------------------------------------------------

    def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._spawn(Endpoint(reader, writer, writer.transport.abort, writer.close), "tcp")

    def _quic_stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        adapter = writer.transport
        assert isinstance(adapter, QuicStreamAdapter)
        protocol = adapter.protocol
        if id(protocol) in self._quic_seen:
            return  # PRIM uses one stream per connection; the server would refuse others
        self._quic_seen.add(id(protocol))
        self._spawn(Endpoint(reader, writer, protocol.close, protocol.close), "quic")

    def _spawn(self, client: Endpoint, transport: str) -> None:
        task = asyncio.create_task(self._relay(client, transport))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _relay(self, client: Endpoint, transport: str) -> None:
        number = next(self._numbers)
        if self.upstream.transport != "same":
            transport = self.upstream.transport
        async with contextlib.AsyncExitStack() as stack:
            try:
                server = await self._dial(stack, transport)
            except Exception as exc:
                log.warning("relay connection %d: cannot reach %s:%d over %s: %s", number,
                            self.upstream.host, self.upstream.port, transport, exc)
                client.abort()
                return
            link = Link(number, client, server, FaultEngine(self.rules, self.seed, number),
                        self._record, self.reorder_hold)
            self.links.append(link)
            log.info("relay connection %d open (%s)", number, transport)
            await link.run()
            log.info("relay connection %d closed", number)

    async def _dial(self, stack: contextlib.AsyncExitStack, transport: str) -> Endpoint:
        up = self.upstream
        trust = Trust(ca_file=up.ca_file)
        name = up.server_name or up.host
        if transport == "tcp":
            reader, writer = await asyncio.open_connection(
                up.host, up.port, ssl=trust.ssl_context(), server_hostname=name)
            return Endpoint(reader, writer, writer.transport.abort, writer.close)
        protocol: QuicConnectionProtocol = await stack.enter_async_context(
            quic_connect(up.host, up.port,
                         configuration=trust.quic_configuration(name, _QUIC_IDLE)))
        reader, writer = await protocol.create_stream()
        return Endpoint(reader, writer, protocol.close, protocol.close)

    def _record(self, record: FaultRecord) -> None:
        self.faults.append(record)
        log.info("fault: %s", record.line())
        if self._on_fault is not None:
            self._on_fault(record)


__all__ = ["Relay", "Upstream", "split_address"]


