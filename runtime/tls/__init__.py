"""TLS material for the wire transports: development certificates and peer verification."""

from prim.runtime.tls.certificates import (
    DevCertificates,
    certificate_fingerprint,
    create_ca,
    create_server_certificate,
    ensure_dev_certificates,
    webtransport_certificate_hashes,
)
from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.tls.trust import ServerIdentity, Trust

__all__ = [
    "CertificateVerificationError",
    "DevCertificates",
    "ServerIdentity",
    "Trust",
    "certificate_fingerprint",
    "create_ca",
    "create_server_certificate",
    "ensure_dev_certificates",
    "webtransport_certificate_hashes",
]
