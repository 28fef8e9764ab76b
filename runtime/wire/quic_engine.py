"""The QUIC engine under the asyncio server and client: qh3 (the default) or aioquic.

Both have the same API (qh3 is a fork of aioquic with a compiled core, 3-5x faster here,
DESIGN.md section 8), but their classes are distinct: a protocol must subclass the
engine's own `QuicConnectionProtocol`, build the engine's `QuicConfiguration` and match
the engine's event classes. Everything engine-specific is reached through a `QuicEngine`,
chosen by name (`gateway.quic_engine` for the server, `ClientSettings.quic_engine` for the
client; the trio client's too, where it defaults to aioquic instead); hypercorn's HTTP/3
stays on aioquic.

Neither engine is asked for anything through private fields. The one thing the drivers
need that aioquic has no public call for is how many bytes of a stream are still waiting
for their first transmission (qh3: `get_send_buffer_size`): for aioquic it is counted
from the engine's public QUIC logger hook, which reports every STREAM frame it sends
(`SentStreamBytes`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import aioquic.asyncio.client
import aioquic.asyncio.server
import aioquic.quic.connection
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.quic import events
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.connection import QuicConnection
from aioquic.quic.logger import QuicLogger, QuicLoggerTrace

from prim.runtime.tls.errors import CertificateVerificationError

ENGINES = ("qh3", "aioquic")
DEFAULT_ENGINE = "qh3"
#: Environment variable that picks the engine where no setting says (bench tools, tests).
ENGINE_ENV = "PRIM_QUIC_ENGINE"


@dataclass(frozen=True, slots=True)
class QuicEngine:
    """One engine's classes and calls. Typed as aioquic's: qh3 has the same API."""

    name: str
    configuration: type[QuicConfiguration]
    connection: type[QuicConnection]
    protocol: type[QuicConnectionProtocol]
    serve: Callable[..., Any]  # aioquic.asyncio.server.serve and its twin
    #: The datagram protocol `serve` builds (aioquic.asyncio.server.QuicServer and its
    #: twin), for a server that binds its UDP socket itself (udp_socket.py).
    server: Callable[..., Any]
    connect: Callable[..., Any]  # aioquic.asyncio.client.connect and its twin
    HandshakeCompleted: type[events.HandshakeCompleted]
    StreamDataReceived: type[events.StreamDataReceived]
    StreamReset: type[events.StreamReset]
    ConnectionTerminated: type[events.ConnectionTerminated]
    PingAcknowledged: type[events.PingAcknowledged]
    #: What the engine raises for a call on a connection it has closed (qh3 does; aioquic
    #: takes such calls and does nothing).
    Closed: type[Exception]
    #: (connection, stream id, bytes written to it so far) -> how many of those bytes have
    #: not been transmitted once yet (0 for an unknown stream).
    unsent: Callable[[QuicConnection, int, int], int]
    #: Whether a server on this engine must validate client addresses (Retry) to serve
    #: every client: see `_qh3`.
    needs_retry: bool
    #: The DER certificate the peer presented, once the handshake has it (None: the
    #: engine has no public way to tell, so certificate pins cannot be checked on it).
    peer_certificate: Callable[[QuicConnection], bytes | None] | None

    def check_pinnable(self, pin_sha256: str | None) -> None:
        """A client with a certificate pin needs an engine that shows the certificate."""
        if pin_sha256 is not None and self.peer_certificate is None:
            raise CertificateVerificationError(
                f"certificate pinning needs a QUIC engine that shows the peer's certificate "
                f"({self.name} does not): use qh3, or trust a CA file", "quic")

    def configure(self, config: QuicConfiguration) -> QuicConfiguration:
        """Readies a configuration of this engine for the drivers (aioquic: the logger hook
        that counts sent stream bytes)."""
        if self.name == "aioquic":
            config.quic_logger = SentStreamBytes()
        return config


def engine_name(name: str | None = None) -> str:
    """`name`, else $PRIM_QUIC_ENGINE, else the default; ValueError for an unknown one."""
    chosen = name or os.environ.get(ENGINE_ENV) or DEFAULT_ENGINE
    if chosen not in ENGINES:
        raise ValueError(f"unknown QUIC engine {chosen!r}: one of {', '.join(ENGINES)}")
    return chosen


def load(name: str | None = None) -> QuicEngine:
    """The engine called `name` (see engine_name)."""
    return _load(engine_name(name))


@cache
def _load(name: str) -> QuicEngine:
    return _qh3() if name == "qh3" else _aioquic()


# -- aioquic ----------------------------------------------------------------------------

class SentStreamBytes(QuicLogger):
    """aioquic's QUIC logger hook (public: `QuicConfiguration.quic_logger`), used only to
    learn how far each stream's data has been sent.

    aioquic calls `start_trace` when it makes a connection (with the connection's original
    destination connection id, which it exposes as a property), `log_event` for each
    packet it sends (`packet_sent` lists the packet's STREAM frames with offset and
    length) and `end_trace` when the connection ends. One number per stream is kept."""

    def __init__(self) -> None:
        super().__init__()
        self._by_odcid: dict[bytes, _SentTrace] = {}

    def start_trace(self, is_client: bool, odcid: bytes) -> QuicLoggerTrace:
        trace = _SentTrace(is_client=is_client, odcid=odcid)
        self._by_odcid[odcid] = trace
        return trace

    def end_trace(self, trace: QuicLoggerTrace) -> None:
        if isinstance(trace, _SentTrace):
            self._by_odcid.pop(trace.odcid, None)

    def sent(self, quic: QuicConnection, stream_id: int) -> int:
        trace = self._by_odcid.get(quic.original_destination_connection_id)
        return 0 if trace is None else trace.sent_to.get(stream_id, 0)


class _SentTrace(QuicLoggerTrace):
    def __init__(self, *, is_client: bool, odcid: bytes) -> None:
        super().__init__(is_client=is_client, odcid=odcid)
        self.odcid = odcid
        self.sent_to: dict[int, int] = {}

    def log_event(self, *, category: str, event: str, data: dict[str, Any]) -> None:
        if event != "packet_sent":
            return  # nothing else is kept (a QuicLoggerTrace would keep every event)
        for frame in data["frames"]:
            if frame["frame_type"] == "stream":
                end = frame["offset"] + frame["length"]
                if end > self.sent_to.get(frame["stream_id"], 0):
                    self.sent_to[frame["stream_id"]] = end


def _aioquic() -> QuicEngine:
    def unsent(quic: QuicConnection, stream_id: int, written: int) -> int:
        logger = quic.configuration.quic_logger
        if not isinstance(logger, SentStreamBytes):
            raise TypeError("configure the QuicConfiguration with QuicEngine.configure")
        return max(0, written - logger.sent(quic, stream_id))

    return QuicEngine(
        name="aioquic", configuration=QuicConfiguration, connection=QuicConnection,
        protocol=QuicConnectionProtocol, serve=aioquic.asyncio.server.serve,
        server=aioquic.asyncio.server.QuicServer,
        connect=aioquic.asyncio.client.connect,
        HandshakeCompleted=events.HandshakeCompleted,
        StreamDataReceived=events.StreamDataReceived, StreamReset=events.StreamReset,
        ConnectionTerminated=events.ConnectionTerminated,
        PingAcknowledged=events.PingAcknowledged,
        Closed=aioquic.quic.connection.QuicConnectionError,
        needs_retry=False,
        unsent=unsent, peer_certificate=None,  # aioquic 1.7.2 has no public accessor
    )


# -- qh3 --------------------------------------------------------------------------------

def _qh3() -> QuicEngine:
    """qh3 2.1.0 as a server credits to a client's anti-amplification allowance only the
    bytes of the packets it could process, not every byte of the datagram (RFC 9000
    section 8.1 says all of them). aioquic 1.7.2 pads its client Initial datagram to 1,200
    bytes with zeros after the packet (a 520-byte ClientHello packet + 680 bytes), so qh3
    allows itself 3 x 520 = 1,560 bytes, less than its first flight (an Initial padded to
    1,280 bytes, then about 750 bytes of Handshake: the certificate). At that limit its
    packet builder raises QuicConnectionError("packet builder capacity exhausted") from
    datagrams_to_send, instead of waiting for more bytes from the client, and drops the
    datagrams already built in that call. A client whose address is validated (Retry) has
    no such limit, so a qh3 server sends Retry to everyone unless told otherwise
    (gateway.quic_retry = off); clients on qh3 pad inside the packet and are unaffected.
    """
    import qh3.asyncio.client
    import qh3.asyncio.server
    import qh3.quic.connection
    from qh3.asyncio.protocol import QuicConnectionProtocol as Qh3Protocol
    from qh3.quic import events as qh3_events
    from qh3.quic.configuration import QuicConfiguration as Qh3Configuration
    from qh3.quic.connection import QuicConnection as Qh3Connection

    def unsent(quic: QuicConnection, stream_id: int, written: int) -> int:
        return int(cast(Any, quic).get_send_buffer_size(stream_id))

    def peer_certificate(quic: QuicConnection) -> bytes | None:
        cert = cast(Any, quic).get_peercert()
        return None if cert is None else bytes(cert.public_bytes())

    return QuicEngine(
        name="qh3", configuration=cast(Any, Qh3Configuration),
        connection=cast(Any, Qh3Connection), protocol=cast(Any, Qh3Protocol),
        serve=qh3.asyncio.server.serve, server=qh3.asyncio.server.QuicServer,
        connect=qh3.asyncio.client.connect,
        HandshakeCompleted=cast(Any, qh3_events.HandshakeCompleted),
        StreamDataReceived=cast(Any, qh3_events.StreamDataReceived),
        StreamReset=cast(Any, qh3_events.StreamReset),
        ConnectionTerminated=cast(Any, qh3_events.ConnectionTerminated),
        PingAcknowledged=cast(Any, qh3_events.PingAcknowledged),
        Closed=qh3.quic.connection.QuicConnectionError,
        needs_retry=True,
        unsent=unsent, peer_certificate=peer_certificate,
    )
