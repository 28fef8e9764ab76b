"""`connect()`: open an authenticated asyncio `Client`, QUIC first, TLS over TCP second.

    async with await connect("localhost", 4433, token=t, user_id=42,
                             trust=Trust(ca_file=ca)) as client:
        await client.send(Frame(type=MsgType.TEXT, sender=42, receiver=7, payload=b"hi"))
        frame = await client.receive()

The fallback covers networks that drop UDP: when the QUIC handshake does not finish within
`quic_timeout` seconds (or UDP fails outright), the same frames go over TLS/TCP to the same
port number. A certificate that fails verification is never a reason to fall back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.asyncio.quic_client import open_quic
from prim.runtime.wire.asyncio.tcp_client import open_tcp
from prim.runtime.wire.client_connection import ClientConnection
from prim.runtime.wire.client_errors import TransportUnavailable
from prim.runtime.wire.quic_engine import load
from prim.runtime.wire.settings import ClientSettings

log = logging.getLogger("prim.wire.client")
TRANSPORTS = ("quic", "tcp")


async def connect(
    host: str,
    port: int,
    *,
    token: str,
    user_id: int,
    trust: Trust,
    transports: Sequence[str] = TRANSPORTS,
    quic_timeout: float = 1.5,
    timeout: float = 10.0,
    settings: ClientSettings | None = None,
    server_name: str | None = None,
) -> Client:
    """An authenticated Client: QUIC if its handshake completes within `quic_timeout`,
    else TLS over TCP (in the order of `transports`).

    Raises CertificateVerificationError (never falls back on it), AuthenticationFailed,
    TransportUnavailable, or ConnectionClosedError."""
    settings = settings or ClientSettings()
    name = server_name or host
    causes: dict[str, str] = {}
    for transport in transports:
        loop = asyncio.get_running_loop()
        core = ClientConnection(token, user_id, settings, loop.time())
        client = Client(core, transport)
        try:
            if transport == "quic":
                await open_quic(client, host, port, trust, name, quic_timeout,
                                load(settings.quic_engine))
            elif transport == "tcp":
                await open_tcp(client, host, port, trust, name, timeout)
            else:
                raise ValueError(f"unknown transport {transport!r}")
        except CertificateVerificationError:
            raise
        except (TimeoutError, OSError) as exc:
            causes[transport] = str(exc) or type(exc).__name__
            log.info("%s to %s:%d failed (%s)", transport, host, port, causes[transport])
            continue
        try:
            await asyncio.wait_for(client.wait_authenticated(), timeout)
        except BaseException:
            await client.close()
            raise
        return client
    raise TransportUnavailable(causes)

