"""Tunables of the connection cores and the drivers, with the defaults a server runs with."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prim.generated.wire import MAX_PAYLOAD_LENGTH, PROTOCOL_VERSION
from prim.runtime.net import is_loopback

if TYPE_CHECKING:  # the server's configuration; clients never load it
    from prim.runtime.config.model import Config


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    # Seconds without any frame from the peer before the server closes with IDLE_TIMEOUT.
    idle_timeout: float = 60.0
    # Seconds from the connection's start by which Auth must be accepted, else Error
    # AUTH_REQUIRED and the close. Fixed: bytes trickling in do not extend it (slowloris).
    auth_timeout: float = 10.0
    # Largest payload accepted (the header allows 16383; a server may configure less).
    max_payload_length: int = MAX_PAYLOAD_LENGTH
    # Outgoing frames / bytes buffered for a peer before sends are refused (SendQueueFull).
    max_send_queue_frames: int = 1_000
    max_send_queue_bytes: int = 4 * 1024 * 1024
    # Frames a client may pipeline behind its Auth while the server is still checking it.
    max_frames_before_auth: int = 32
    # This node's id, stamped into frames the server sends.
    node_id: int = 0
    # Milliseconds since the epoch, for the timestamps of frames this side makes.
    clock_ms: Callable[[], int] = field(default=wall_clock_ms)


@dataclass(frozen=True, slots=True)
class ClientSettings:
    # Send a Ping after this many seconds without sending anything (keeps the server's idle
    # timer from firing on a quiet but live client); None disables it.
    ping_interval: float | None = 20.0
    # The header version this client sends: PROTOCOL_VERSION, or 0 to talk as a PRIM client.
    protocol_version: int = PROTOCOL_VERSION
    max_payload_length: int = MAX_PAYLOAD_LENGTH
    max_send_queue_frames: int = 1_000
    max_send_queue_bytes: int = 4 * 1024 * 1024
    clock_ms: Callable[[], int] = field(default=wall_clock_ms)
    # The QUIC engine, "qh3" or "aioquic" (quic_engine.py); None: $PRIM_QUIC_ENGINE or qh3.
    quic_engine: str | None = None


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str = "127.0.0.1"
    # QUIC (UDP) and TLS over TCP listen on this one port number; 0 picks a free one.
    port: int = 0
    connection: ConnectionSettings = field(default_factory=ConnectionSettings)
    # Connections beyond this are answered with Error UNAVAILABLE and closed.
    max_connections: int = 10_000
    # Connections from one IP address beyond this are answered with Error RATE_LIMITED.
    max_connections_per_ip: int = 1_024
    # Make QUIC clients prove their address with a Retry before the server keeps state
    # for them (costs a round trip; stops spoofed-source floods). None: as the engine
    # needs (quic_engine.QuicEngine.needs_retry: qh3 yes, aioquic no).
    quic_retry: bool | None = None
    # The QUIC engine, "qh3" or "aioquic" (quic_engine.py); None: $PRIM_QUIC_ENGINE or qh3.
    quic_engine: str | None = None
    # Frames waiting for the handler on one connection before the server stops reading
    # from it (TCP) or holds its bytes (QUIC) until the handler catches up.
    max_inbound_frames: int = 1_024
    # Bytes held for one connection while it is paused; past this it is closed with
    # RATE_LIMITED (QUIC cannot push back on the sender any other way).
    max_inbound_bytes: int = 1024 * 1024
    # Bytes handed to one connection's transport and not yet sent (TCP) or acknowledged
    # (QUIC); beyond it frames wait in the core's bounded queue.
    transport_high_water: int = 256 * 1024
    # The receive and send buffers asked of the kernel for the QUIC socket, which carries
    # every QUIC connection of the node: the default (about 208 KiB on Linux) overflows
    # when hundreds of connections answer a group's fan-out at once, and every datagram
    # dropped there (anyone's) waits for QUIC's loss recovery. Linux caps the request at
    # net.core.rmem_max / wmem_max (udp_socket.py warns when it gets less).
    udp_buffer_bytes: int = 4 * 1024 * 1024
    # Seconds a closing connection may take to flush its last frames before it is cut.
    close_linger: float = 2.0
    tls_handshake_timeout: float = 10.0
    enable_quic: bool = True
    enable_tcp: bool = True
    # The port number browsers' transports share: WebSocket over TCP (binary messages
    # carrying frames) and WebTransport over HTTP/3 (UDP); 0 picks one free for both,
    # None: neither listens.
    browser_port: int | None = None
    enable_websocket: bool = True
    enable_webtransport: bool = True
    # TLS on the WebSocket listener (the server's certificate); plain only on loopback.
    websocket_tls: bool = True


def _quic_retry(setting: str, host: str) -> bool | None:
    """gateway.quic_retry: "auto" is on off loopback; on loopback, as the engine needs."""
    if setting == "on":
        return True
    if setting == "off":
        return False
    return True if not is_loopback(host) else None


def server_settings_from_config(config: Config,
                                clock_ms: Callable[[], int] = wall_clock_ms) -> ServerSettings:
    """ServerSettings from PRIM's configuration (gateway, limits and node sections)."""
    gateway = config.gateway
    retry = gateway.quic_retry
    if gateway.websocket_tls not in ("auto", "on", "off"):
        raise ValueError(f"gateway.websocket_tls must be auto, on or off, not "
                         f"{gateway.websocket_tls!r}")
    if (gateway.websocket_tls == "off" and gateway.websocket
            and not is_loopback(gateway.host)):
        from prim.runtime.http_serve import PlaintextRefused  # the server side only

        raise PlaintextRefused(
            f"refusing plain WebSocket (gateway.websocket_tls = off) on {gateway.host}: "
            "use auto or on, or bind a loopback gateway.host")
    return ServerSettings(
        host=gateway.host,
        port=gateway.port,
        connection=ConnectionSettings(
            idle_timeout=gateway.idle_timeout,
            auth_timeout=gateway.auth_timeout,
            max_payload_length=config.limits.max_payload_bytes,
            max_send_queue_frames=gateway.max_send_queue,
            node_id=config.node.id,
            clock_ms=clock_ms,
        ),
        max_connections=gateway.max_connections,
        max_connections_per_ip=gateway.max_connections_per_ip,
        udp_buffer_bytes=gateway.udp_buffer_bytes,
        quic_retry=_quic_retry(retry, gateway.host),
        quic_engine=gateway.quic_engine,
        browser_port=(gateway.browser_port if gateway.port else 0)
        if gateway.websocket or gateway.webtransport else None,
        enable_websocket=gateway.websocket,
        enable_webtransport=gateway.webtransport,
        websocket_tls=gateway.websocket_tls == "on"
        or (gateway.websocket_tls == "auto" and not is_loopback(gateway.host)),
    )
