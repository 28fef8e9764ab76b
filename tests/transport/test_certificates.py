"""Development certificates and verification failures, reported clearly on QUIC and TCP,
from the asyncio and the trio client."""

from __future__ import annotations

import datetime
import ipaddress
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import trio
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from prim.cli.main import main as prim_main
from prim.runtime.tls import (
    CertificateVerificationError,
    DevCertificates,
    Trust,
    certificate_fingerprint,
    ensure_dev_certificates,
)
from prim.runtime.wire.asyncio import connect
from prim.runtime.wire.quic_engine import ENGINE_ENV
from prim.runtime.wire.trio import open_client
from tests.transport.servers import RunningServer

TRANSPORTS = ["quic", "tcp"]


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> DevCertificates:
    """A second, unrelated development CA."""
    return ensure_dev_certificates(Path(tmp_path_factory.mktemp("other-tls")))


def test_dev_certificate_contents(certs: DevCertificates) -> None:
    cert = x509.load_pem_x509_certificate(certs.cert_file.read_bytes())
    key = cert.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert set(san.get_values_for_type(x509.IPAddress)) >= {
        ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
    life = cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(days=10) < life <= datetime.timedelta(days=14)
    ca = x509.load_pem_x509_certificate(certs.ca_file.read_bytes())
    cert.verify_directly_issued_by(ca)
    assert stat.S_IMODE(os.stat(certs.key_file).st_mode) == 0o600


def test_reuse_and_reissue_for_new_names(tmp_path: Path) -> None:
    first = ensure_dev_certificates(tmp_path)
    assert ensure_dev_certificates(tmp_path) == first  # nothing to do
    second = ensure_dev_certificates(tmp_path, ["chat.example", "10.1.2.3"])
    assert second.fingerprint != first.fingerprint
    assert second.ca_file.read_bytes() == first.ca_file.read_bytes()  # same CA kept
    cert = x509.load_pem_x509_certificate(second.cert_file.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "chat.example" in san.get_values_for_type(x509.DNSName)


def test_trust_needs_a_ca_or_a_pin() -> None:
    with pytest.raises(ValueError, match="CA file or a certificate pin"):
        Trust()
    with pytest.raises(ValueError, match="64 digits"):
        Trust(pin_sha256="abc")
    colons = ":".join(["AB"] * 32)
    assert Trust(pin_sha256=colons).pin_sha256 == "ab" * 32


def test_cli_prints_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert prim_main(["cert", "--dir", str(tmp_path), "--name", "gw.local"]) == 0
    out = capsys.readouterr().out
    lines = dict(line.split(": ", 1) for line in out.strip().splitlines())
    assert Path(lines["ca_file"]).exists() and Path(lines["key_file"]).exists()
    assert lines["sha256"] == certificate_fingerprint(Path(lines["cert_file"]))


def test_cli_as_a_console_command(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "prim.cli.main", "cert", "--dir",
                           str(tmp_path)], capture_output=True, text=True, check=True)
    assert f"cert_file: {tmp_path / 'server.pem'}" in done.stdout


@pytest.mark.anyio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_wrong_ca_is_refused(server: RunningServer, other_ca: DevCertificates,
                                   transport: str) -> None:
    with pytest.raises(CertificateVerificationError) as exc:
        await connect("127.0.0.1", server.port, token="user:1", user_id=1,
                      trust=Trust(ca_file=other_ca.ca_file), transports=[transport])
    assert exc.value.transport == transport
    assert "certificate" in str(exc.value)


@pytest.mark.anyio
async def test_wrong_ca_does_not_fall_back_to_tcp(server: RunningServer,
                                                  other_ca: DevCertificates) -> None:
    with pytest.raises(CertificateVerificationError) as exc:
        await connect("127.0.0.1", server.port, token="user:1", user_id=1,
                      trust=Trust(ca_file=other_ca.ca_file))
    assert exc.value.transport == "quic"


@pytest.mark.anyio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_wrong_name_is_refused(server: RunningServer, trust: Trust,
                                     transport: str) -> None:
    with pytest.raises(CertificateVerificationError):
        await connect("127.0.0.1", server.port, token="user:1", user_id=1, trust=trust,
                      transports=[transport], server_name="not-this-server.example")


@pytest.mark.anyio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_pins(server: RunningServer, certs: DevCertificates, transport: str,
                    quic_engine: str) -> None:
    good = Trust(pin_sha256=certs.fingerprint)
    if transport == "quic" and quic_engine == "aioquic":
        # aioquic has no public way to show the peer's certificate: refused up front.
        with pytest.raises(CertificateVerificationError, match="pinning needs"):
            await connect("127.0.0.1", server.port, token="user:1", user_id=1, trust=good,
                          transports=[transport])
        return
    async with await connect("127.0.0.1", server.port, token="user:1", user_id=1, trust=good,
                             transports=[transport]) as client:
        await client.ping()
    bad = Trust(pin_sha256="00" * 32)
    with pytest.raises(CertificateVerificationError, match="does not match the pinned") as exc:
        await connect("127.0.0.1", server.port, token="user:1", user_id=1, trust=bad,
                      transports=[transport])
    assert exc.value.transport == transport


@pytest.mark.trio
@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_trio_wrong_ca_and_wrong_pin(server: RunningServer, certs: DevCertificates,
                                           other_ca: DevCertificates, transport: str,
                                           quic_engine: str) -> None:
    for trust in (Trust(ca_file=other_ca.ca_file), Trust(pin_sha256="11" * 32)):
        with pytest.raises(CertificateVerificationError) as exc:
            async with open_client("127.0.0.1", server.port, token="user:1", user_id=1,
                                   trust=trust, transports=[transport]):
                pass
        assert exc.value.transport == transport
    if transport == "quic" and quic_engine == "aioquic":
        # The trio client runs on the engine too; aioquic cannot show the certificate.
        with pytest.raises(CertificateVerificationError, match="pinning needs"):
            async with open_client("127.0.0.1", server.port, token="user:1", user_id=1,
                                   trust=Trust(pin_sha256=certs.fingerprint),
                                   transports=[transport]):
                pass
        return
    async with open_client("127.0.0.1", server.port, token="user:1", user_id=1,
                           trust=Trust(pin_sha256=certs.fingerprint),
                           transports=[transport]) as client:
        with trio.fail_after(5):
            await client.ping()


@pytest.mark.trio
async def test_trio_takes_the_engine_that_can_check_a_pin(server: RunningServer,
                                                         certs: DevCertificates,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """No engine chosen: the trio client runs on aioquic, but on qh3 for a pin (aioquic
    has no public way to show the certificate), so a pinned client still connects."""
    monkeypatch.delenv(ENGINE_ENV, raising=False)
    async with open_client("127.0.0.1", server.port, token="user:1", user_id=1,
                           trust=Trust(pin_sha256=certs.fingerprint),
                           transports=["quic"]) as client:
        with trio.fail_after(5):
            await client.ping()
