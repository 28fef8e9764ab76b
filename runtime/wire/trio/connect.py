"""`open_client()`: an authenticated trio `Client`, QUIC first, TLS over TCP second.

    async with open_client("localhost", 4433, token=t, user_id=42,
                           trust=Trust(ca_file=ca)) as client:
        await client.send(frame)
        reply = await client.receive()

Same arguments, fallback rules and errors as the asyncio `connect()`; trio's structured
concurrency makes it a context manager (the connection's tasks live inside it).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import trio

from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.client_connection import ClientConnection
from prim.runtime.wire.client_errors import TransportUnavailable
from prim.runtime.wire.quic_engine import ENGINE_ENV, load
from prim.runtime.wire.settings import ClientSettings
from prim.runtime.wire.trio.client import Client
from prim.runtime.wire.trio.quic_client import open_quic
from prim.runtime.wire.trio.tcp_client import open_tcp
from prim.runtime.wire.trio.transport import TrioByteTransport

log = logging.getLogger("prim.wire.client")
TRANSPORTS = ("quic", "tcp")


@asynccontextmanager
async def open_client(
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
) -> AsyncIterator[Client]:
    settings = settings or ClientSettings()
    name = server_name or host
    causes: dict[str, str] = {}
    for transport_name in transports:
        client = Client(ClientConnection(token, user_id, settings, trio.current_time()),
                        transport_name)
        transport: TrioByteTransport
        try:
            if transport_name == "quic":
                # Unless chosen: aioquic, where the trio transport is proven (the whole
                # conformance matrix), or qh3 for a pin (only it shows the certificate).
                default = "qh3" if trust.pin_sha256 is not None else "aioquic"
                transport = await open_quic(client, host, port, trust, name, quic_timeout,
                                            load(settings.quic_engine
                                                 or os.environ.get(ENGINE_ENV, default)))
            elif transport_name == "tcp":
                transport = await open_tcp(client, host, port, trust, name, timeout)
            else:
                raise ValueError(f"unknown transport {transport_name!r}")
        except CertificateVerificationError:
            raise
        except (TimeoutError, OSError) as exc:
            causes[transport_name] = str(exc) or type(exc).__name__
            log.info("%s to %s:%d failed (%s)", transport_name, host, port,
                     causes[transport_name])
            continue
        try:
            async with trio.open_nursery() as nursery:
                await nursery.start(client.run, transport)
                try:
                    try:
                        with trio.fail_after(timeout):
                            await client.wait_authenticated()
                    except trio.TooSlowError:
                        raise TimeoutError(f"no answer to Auth within {timeout:g} s") from None
                    yield client
                finally:
                    with trio.CancelScope(shield=True):
                        await client.close()
                    nursery.cancel_scope.cancel()
        except BaseExceptionGroup as group:
            # The nursery is an implementation detail: surface a lone error as itself.
            if len(group.exceptions) == 1:
                raise group.exceptions[0] from None
            raise
        return
    raise TransportUnavailable(causes)
