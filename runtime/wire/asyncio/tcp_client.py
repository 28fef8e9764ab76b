"""The TLS-over-TCP transport of the asyncio client."""

from __future__ import annotations

import asyncio
import ssl
from typing import cast

from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.asyncio.client import Client


class TcpClientProtocol(asyncio.Protocol):
    def __init__(self, client: Client, high_water: int = 256 * 1024) -> None:
        self._client = client
        self._high_water = high_water
        self._transport: asyncio.Transport | None = None

    # -- ByteTransport ----------------------------------------------------------------

    def write(self, data: bytes) -> None:
        assert self._transport is not None
        self._transport.write(data)

    def backlog(self) -> int:
        assert self._transport is not None
        return self._transport.get_write_buffer_size()

    def finish(self) -> None:
        assert self._transport is not None
        self._transport.close()

    def abort(self) -> None:
        assert self._transport is not None
        self._transport.abort()

    def pause_reading(self) -> None:
        pass  # the client reads everything into its frame queue

    def resume_reading(self) -> None:
        pass

    # -- asyncio ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        # Below the pump's limit, so a full pump trips pause_writing / resume_writing.
        self._transport.set_write_buffer_limits(high=self._high_water // 2,
                                                low=self._high_water // 8)

    def data_received(self, data: bytes) -> None:
        self._client.data_received(data)

    def eof_received(self) -> bool | None:
        self._client.eof_received()
        return None

    def resume_writing(self) -> None:
        self._client.writable()

    def connection_lost(self, exc: Exception | None) -> None:
        self._client.transport_lost(str(exc) if exc else "connection closed")


async def open_tcp(client: Client, host: str, port: int, trust: Trust, server_name: str,
                   timeout: float) -> None:
    """Connect `client` over TLS/TCP; the certificate is checked before anything is sent."""
    loop = asyncio.get_running_loop()
    protocol = TcpClientProtocol(client)
    try:
        transport, _ = await asyncio.wait_for(
            loop.create_connection(lambda: protocol, host, port, ssl=trust.ssl_context(),
                                   server_hostname=server_name,
                                   ssl_handshake_timeout=timeout),
            timeout,
        )
    except ssl.SSLCertVerificationError as exc:
        raise CertificateVerificationError(exc.verify_message or str(exc), "tcp") from exc
    ssl_object = transport.get_extra_info("ssl_object")
    try:
        trust.check_pin(ssl_object.getpeercert(binary_form=True) if ssl_object else None, "tcp")
    except CertificateVerificationError:
        transport.abort()
        raise
    client.attach(protocol)
