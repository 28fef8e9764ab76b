"""Serving an ASGI app with hypercorn (HTTP/1.1 and h2 over TCP, optionally HTTP/3 over
QUIC) on sockets bound here first, so that port 0 works and the caller learns the port
before anyone connects. With a certificate it serves HTTPS; a server told not to allow
plaintext refuses to serve plain HTTP on anything but a loopback address (bearer tokens
and passwords would cross the network in the clear)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass
from typing import Any

from hypercorn.asyncio import serve
from hypercorn.config import Config as HypercornConfig

from prim.runtime.net import is_loopback


class PlaintextRefused(ValueError):
    """Plain HTTP on a non-loopback address without allow_plaintext."""


@dataclass(frozen=True)
class HttpEndpoint:
    host: str
    port: int
    tls: bool
    http3: bool

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"


class HttpServer:
    """One hypercorn server task; `start` returns once the sockets are bound."""

    def __init__(self, app: Any, *, host: str, port: int, certfile: str = "",
                 keyfile: str = "", http3: bool = False, allow_plaintext: bool = True) -> None:
        if http3 and not (certfile and keyfile):
            raise ValueError("HTTP/3 needs a certificate and key (QUIC is always TLS)")
        if not certfile and not allow_plaintext and not is_loopback(host):
            raise PlaintextRefused(
                f"refusing to serve the HTTP API in plaintext on {host}: set http.tls = true "
                "to serve HTTPS with the tls section's certificate, bind a loopback address "
                "(http.host = 127.0.0.1), or set http.allow_plaintext = true (env "
                "PRIM_HTTP__ALLOW_PLAINTEXT=true) when a TLS-terminating proxy is in front")
        self._app = app
        self._host, self._port = host, port
        self._certfile, self._keyfile, self._http3 = certfile, keyfile, http3
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._sockets: list[socket.socket] = []

    async def start(self) -> HttpEndpoint:
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        # IPPROTO_TCP so that asyncio turns Nagle off on the accepted sockets.
        tcp = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((self._host, self._port))
        tcp.listen(1024)
        tcp.set_inheritable(True)
        port = tcp.getsockname()[1]
        self._sockets.append(tcp)
        config = HypercornConfig()
        config.bind = [f"fd://{tcp.fileno()}"]
        config.accesslog = None
        config.errorlog = None  # our own logging carries errors
        config.graceful_timeout = 2.0
        if self._certfile:
            config.certfile, config.keyfile = self._certfile, self._keyfile
        if self._http3:
            udp = socket.socket(family, socket.SOCK_DGRAM)
            udp.bind((self._host, port))  # HTTP/3 on the same port number, over UDP
            udp.set_inheritable(True)
            self._sockets.append(udp)
            config.quic_bind = [f"fd://{udp.fileno()}"]
        # hypercorn wraps the descriptors in its own socket objects and closes them when it
        # stops: ours must forget them, or closing ours later could hit a reused number.
        for sock in self._sockets:
            sock.detach()
        self._sockets.clear()
        self._task = asyncio.create_task(
            serve(self._app, config, shutdown_trigger=self._stop.wait, mode="asgi"),
            name="prim-http",
        )
        await asyncio.sleep(0)  # let hypercorn take the sockets before anyone connects
        return HttpEndpoint(self._host, port, tls=bool(self._certfile), http3=self._http3)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
