"""The TLS-over-TCP transport of the trio client (trio.SSLStream)."""

from __future__ import annotations

import ssl

import trio

from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.trio.client import Client


class TrioTcpTransport:
    def __init__(self, client: Client, stream: trio.SSLStream[trio.SocketStream]) -> None:
        self._client = client
        self._stream = stream

    async def send(self, data: bytes) -> None:
        try:
            await self._stream.send_all(data)
        except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
            self._client.transport_lost(str(exc) or "connection lost")

    async def finish(self) -> None:
        await self._stream.aclose()

    def abort(self) -> None:
        self._stream.transport_stream.socket.close()

    async def run(self) -> None:
        try:
            while True:
                data = await self._stream.receive_some(65536)
                if not data:
                    self._client.eof_received()
                    return
                self._client.data_received(bytes(data))
        except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
            self._client.transport_lost(str(exc) or "connection lost")
        finally:
            await trio.aclose_forcefully(self._stream)


async def open_tcp(client: Client, host: str, port: int, trust: Trust, server_name: str,
                   timeout: float) -> TrioTcpTransport:
    """A TLS stream to the server, its certificate checked before anything is sent."""
    try:
        with trio.fail_after(timeout):
            tcp = await trio.open_tcp_stream(host, port)
            stream = trio.SSLStream(tcp, trust.ssl_context(), server_hostname=server_name)
            try:
                await stream.do_handshake()
            except trio.BrokenResourceError as exc:
                await trio.aclose_forcefully(stream)
                cause = exc.__cause__
                if isinstance(cause, ssl.SSLCertVerificationError):
                    raise CertificateVerificationError(
                        cause.verify_message or str(cause), "tcp") from exc
                raise ConnectionError(f"TLS handshake failed: {cause or exc}") from exc
    except trio.TooSlowError:
        raise TimeoutError(f"TLS connection took longer than {timeout:g} s") from None
    try:
        trust.check_pin(stream.getpeercert(binary_form=True), "tcp")
    except CertificateVerificationError:
        await trio.aclose_forcefully(stream)
        raise
    return TrioTcpTransport(client, stream)
