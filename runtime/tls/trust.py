"""How each side proves or checks identity: `ServerIdentity` (certificate + key) and
`Trust` (what a client accepts: a CA file, a pinned SHA-256 fingerprint, or both).

There is deliberately no way to say "accept anything": a `Trust` without a CA file and
without a pin cannot be built.

Pinning: with only a pin, the TLS library is told not to check the chain (the pinned
certificate is typically self-signed or from a private CA), and the fingerprint of the
certificate the server presented is compared right after the handshake, before the
client sends a single byte of its own (its Auth token included). QUIC and TCP use the
same check (`Trust.check_pin`).
"""

from __future__ import annotations

import hashlib
import hmac
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from aioquic.h3.connection import H3_ALPN
from aioquic.quic.configuration import QuicConfiguration

from prim.runtime.tls.errors import CertificateVerificationError

ALPN = "prim"
_MAX_DATAGRAM = 65536


def _normalise_pin(pin: str) -> str:
    text = pin.strip().lower().replace(":", "")
    if text.startswith("sha256/"):
        text = text[len("sha256/"):]
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError("a certificate pin is the hex SHA-256 of the certificate (64 digits)")
    return text


@dataclass(frozen=True, slots=True)
class Trust:
    ca_file: Path | None = None
    # Hex SHA-256 of the server certificate's DER bytes (colons allowed).
    pin_sha256: str | None = None

    def __post_init__(self) -> None:
        if self.ca_file is None and self.pin_sha256 is None:
            raise ValueError("Trust needs a CA file or a certificate pin (or both)")
        if self.pin_sha256 is not None:
            object.__setattr__(self, "pin_sha256", _normalise_pin(self.pin_sha256))

    @property
    def verifies_chain(self) -> bool:
        return self.ca_file is not None

    def check_pin(self, der: bytes | None, transport: str) -> None:
        """Raise CertificateVerificationError unless `der` matches the pin (if any)."""
        if self.pin_sha256 is None:
            return
        if der is None:
            raise CertificateVerificationError("the server presented no certificate", transport)
        got = hashlib.sha256(der).hexdigest()
        if not hmac.compare_digest(got, self.pin_sha256):
            raise CertificateVerificationError(
                f"certificate fingerprint {got} does not match the pinned {self.pin_sha256}",
                transport,
            )

    def ssl_context(self) -> ssl.SSLContext:
        """A client context for TLS over TCP."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.set_alpn_protocols([ALPN])
        if self.ca_file is not None:
            ctx.load_verify_locations(cafile=str(self.ca_file))
            ctx.check_hostname = True
            ctx.verify_mode = ssl.CERT_REQUIRED
        else:
            # Pin only: the fingerprint check after the handshake is the verification.
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def quic_configuration(self, server_name: str, idle_timeout: float, *,
                           configuration: type[QuicConfiguration] = QuicConfiguration,
                           ) -> QuicConfiguration:
        """A client configuration for QUIC (`configuration`: the QUIC engine's class)."""
        config = configuration(is_client=True, alpn_protocols=[ALPN],
                               server_name=server_name, idle_timeout=idle_timeout)
        if self.ca_file is not None:
            config.load_verify_locations(cafile=str(self.ca_file))
            config.verify_mode = ssl.CERT_REQUIRED
        else:
            config.verify_mode = ssl.CERT_NONE
        return config


@dataclass(frozen=True, slots=True)
class ServerIdentity:
    cert_file: Path
    key_file: Path

    def ssl_context(self, alpn: str = ALPN) -> ssl.SSLContext:
        """A server context for TLS over TCP (WebSocket's says "http/1.1")."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.set_alpn_protocols([alpn])
        ctx.load_cert_chain(str(self.cert_file), str(self.key_file))
        return ctx

    def quic_configuration(self, idle_timeout: float, *,
                           configuration: type[QuicConfiguration] = QuicConfiguration,
                           ) -> QuicConfiguration:
        """A server configuration for QUIC (`configuration`: the QUIC engine's class)."""
        config = configuration(is_client=False, alpn_protocols=[ALPN],
                               idle_timeout=idle_timeout)
        config.load_cert_chain(str(self.cert_file), str(self.key_file))
        return config

    def webtransport_configuration(self, idle_timeout: float) -> QuicConfiguration:
        """HTTP/3 with the datagram support WebTransport sessions need."""
        config = QuicConfiguration(is_client=False, alpn_protocols=H3_ALPN,
                                   idle_timeout=idle_timeout,
                                   max_datagram_frame_size=_MAX_DATAGRAM)
        config.load_cert_chain(str(self.cert_file), str(self.key_file))
        return config


class LoadsCertChain(Protocol):
    def load_cert_chain(self, certfile: str, keyfile: str | None = None) -> None: ...


H = TypeVar("H", bound=LoadsCertChain)


class IssuedContexts:
    """The TLS contexts and QUIC configurations a server made from its identity, kept so
    that a renewed certificate (same files, new contents) reaches every listener: each
    new connection then presents it; open ones keep theirs."""

    def __init__(self, identity: ServerIdentity) -> None:
        self.identity = identity
        self._issued: list[LoadsCertChain] = []

    def keep(self, context: H) -> H:
        self._issued.append(context)
        return context

    def reload(self) -> None:
        for context in self._issued:
            context.load_cert_chain(str(self.identity.cert_file), str(self.identity.key_file))


# QUIC carries a TLS alert as CRYPTO_ERROR (0x100) + the alert number (RFC 9001 §4.8).
_CRYPTO_ERROR = 0x100
_CERTIFICATE_ALERTS = frozenset({42, 43, 44, 45, 46, 48})  # bad/unsupported/revoked/...


def is_certificate_alert(quic_error_code: int) -> bool:
    """Whether a QUIC close code is a TLS alert about the certificate."""
    return quic_error_code - _CRYPTO_ERROR in _CERTIFICATE_ALERTS
