"""Development certificates: a local CA and a server certificate it signs.

ECDSA P-256 keys (what QUIC stacks and browsers handle best), SHA-256 signatures. The
server certificate names localhost, 127.0.0.1 and ::1 plus whatever the caller adds, and
is valid for `server_days` (default 13: Chromium's serverCertificateHashes for WebTransport
accept at most 14 days, and a short life is right for a development key anyway).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")
CA_FILE = "ca.pem"
CA_KEY_FILE = "ca.key"
CERT_FILE = "server.pem"
KEY_FILE = "server.key"
# Renew a server certificate that has less than this left.
_RENEW_BEFORE = datetime.timedelta(days=2)


@dataclass(frozen=True, slots=True)
class DevCertificates:
    ca_file: Path
    cert_file: Path
    key_file: Path
    # Hex SHA-256 of the server certificate's DER bytes, for clients that pin it.
    fingerprint: str


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def create_ca(
    cert_path: Path, key_path: Path, common_name: str = "PRIM development CA",
    days: int = 3650,
) -> x509.Certificate:
    """A self-signed CA certificate and key, written as PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_private(key_path, _key_pem(key))
    return cert


def _san(names: list[str]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for name in dict.fromkeys(names):  # de-duplicated, in order
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            out.append(x509.DNSName(name))
    return out


def create_server_certificate(
    ca_cert_path: Path,
    ca_key_path: Path,
    cert_path: Path,
    key_path: Path,
    names: list[str] | tuple[str, ...] = (),
    days: int = 13,
) -> x509.Certificate:
    """A server certificate for DEFAULT_NAMES + `names`, signed by the CA, written as PEM."""
    ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{ca_key_path} is not an ECDSA key")
    all_names = [*DEFAULT_NAMES, *names]
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, all_names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(_san(all_names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False,
                          content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(
            # Client auth too: the services present it to each other (mutual TLS).
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                   ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_private(key_path, _key_pem(key))
    return cert


def certificate_fingerprint(cert: x509.Certificate | bytes | Path) -> str:
    """Hex SHA-256 of a certificate's DER bytes (from a certificate, DER bytes or a PEM file)."""
    if isinstance(cert, Path):
        cert = x509.load_pem_x509_certificate(cert.read_bytes())
    der = cert if isinstance(cert, bytes) else cert.public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest()


# Browsers pin a certificate by hash (WebTransport's serverCertificateHashes) only when it is
# ECDSA P-256 and valid for at most this long (Chromium's rule).
MAX_PINNABLE_VALIDITY = datetime.timedelta(days=14)


def webtransport_certificate_hashes(cert_path: Path) -> list[str]:
    """[hex SHA-256 of the certificate] when browsers may pin it by hash (ECDSA P-256,
    valid for at most 14 days: the development certificate), else [] (a certificate a
    public CA vouches for needs no hash)."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = cert.public_key()
    pinnable = (isinstance(key, ec.EllipticCurvePublicKey)
                and isinstance(key.curve, ec.SECP256R1)
                and cert.not_valid_after_utc - cert.not_valid_before_utc
                <= MAX_PINNABLE_VALIDITY)
    return [certificate_fingerprint(cert)] if pinnable else []


def _still_good(cert_path: Path, names: list[str]) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    have = {str(v) for v in san.get_values_for_type(x509.DNSName)}
    have |= {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    wanted = {str(ipaddress.ip_address(n)) if _is_ip(n) else n for n in names}
    return wanted <= have and cert.not_valid_after_utc - _now() > _RENEW_BEFORE


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def ensure_dev_certificates(directory: Path, names: list[str] | tuple[str, ...] = ()
                            ) -> DevCertificates:
    """The development CA and server certificate in `directory`, made when missing.

    The CA is kept across runs (clients keep trusting it); the server certificate is
    re-issued when it lacks one of `names` or is about to expire."""
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = directory / CA_FILE, directory / CA_KEY_FILE
    cert, key = directory / CERT_FILE, directory / KEY_FILE
    if not (ca.exists() and ca_key.exists()):
        create_ca(ca, ca_key)
        cert.unlink(missing_ok=True)
    if not (cert.exists() and key.exists() and _still_good(cert, [*DEFAULT_NAMES, *names])):
        create_server_certificate(ca, ca_key, cert, key, names)
    return DevCertificates(ca, cert, key, certificate_fingerprint(cert))
