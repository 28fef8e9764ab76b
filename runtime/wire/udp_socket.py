"""The QUIC server's UDP socket, bound by PRIM rather than by the engine's `serve()`, so that
its kernel buffers can be sized before the first datagram arrives.

One socket carries every QUIC connection of a node, so its receive buffer is shared by all
of them: with the kernel's default (net.core.rmem_default, about 208 KiB on Linux) a
burst (hundreds of members acknowledging a group's fan-out at once) overflows it, and the
kernel drops whatever datagram comes next, a 1:1 message's included, which then waits for
QUIC's loss recovery (measured: `prim bench group`, tens of thousands of drops per run and
a paced pair's p99 in the hundreds of milliseconds). Linux caps the request at
net.core.rmem_max / wmem_max and reports twice what it granted (the other half is its own
bookkeeping); a grant below the request is logged with the sysctl that raises the cap.
"""

from __future__ import annotations

import logging
import socket
import sys

log = logging.getLogger("prim.wire.udp")

_REPORTS_DOUBLE = sys.platform.startswith("linux")  # see the module's docstring


def bind_udp(host: str, port: int, buffer_bytes: int) -> socket.socket:
    """A non-blocking UDP socket bound to host:port (0: a free port), with receive and
    send buffers of `buffer_bytes` or as close as the kernel allows."""
    family, _, _, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_DGRAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        for option, sysctl in ((socket.SO_RCVBUF, "net.core.rmem_max"),
                               (socket.SO_SNDBUF, "net.core.wmem_max")):
            sock.setsockopt(socket.SOL_SOCKET, option, buffer_bytes)
            granted = buffer_sizes(sock)[0 if option == socket.SO_RCVBUF else 1]
            if granted < buffer_bytes:
                log.warning(
                    "the kernel gave the QUIC socket a %d KiB %s buffer, %d KiB were asked "
                    "(gateway.udp_buffer_bytes): bursts may drop datagrams; raise it with "
                    "`sysctl -w %s=%d`", granted // 1024,
                    "receive" if option == socket.SO_RCVBUF else "send",
                    buffer_bytes // 1024, sysctl, buffer_bytes)
        sock.setblocking(False)
        sock.bind(address)
    except BaseException:
        sock.close()
        raise
    return sock


def buffer_sizes(sock: socket.socket) -> tuple[int, int]:
    """(receive, send) buffer bytes usable for data: what getsockopt reports, which on
    Linux is twice the granted request (the other half is the kernel's overhead)."""
    halve = 2 if _REPORTS_DOUBLE else 1
    return (sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) // halve,
            sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) // halve)

