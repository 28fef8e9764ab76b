"""TLS contexts and one grpclib Channel per address, reused across calls.

Every internal connection is mutual TLS with the deployment's CA: a service accepts calls
only from a peer that presents a certificate the CA signed, and checks the server's name
like any TLS client (PRIM's own certificates name the hosts the services listen on)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from grpclib.client import Channel


@dataclass(frozen=True, slots=True)
class RpcTls:
    cert_file: Path
    key_file: Path
    ca_file: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(self.ca_file))
        ctx.load_cert_chain(str(self.cert_file), str(self.key_file))
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.set_alpn_protocols(["h2"])
        return ctx

    def client_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.ca_file))
        ctx.load_cert_chain(str(self.cert_file), str(self.key_file))
        ctx.set_alpn_protocols(["h2"])
        return ctx


def split_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"expected host:port, got {address!r}")
    return host.strip("[]"), int(port)


class ChannelPool:
    def __init__(self, tls: RpcTls) -> None:
        self._ssl = tls.client_context()
        self._channels: dict[str, Channel] = {}

    def channel(self, address: str) -> Channel:
        channel = self._channels.get(address)
        if channel is None:
            host, port = split_address(address)
            channel = self._channels[address] = Channel(host, port, ssl=self._ssl)
        return channel

    def discard(self, address: str) -> None:
        """Drops a channel whose peer failed, so the next call connects afresh."""
        channel = self._channels.pop(address, None)
        if channel is not None:
            channel.close()

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()
