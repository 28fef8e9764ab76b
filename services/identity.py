"""Which certificate a PRIM process presents: the configured files, or the development CA
and certificate made in <data_dir>/tls on first run (shared by the embedded node and the
processes of every role)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prim.runtime.config import Config
from prim.runtime.rpc.channels import RpcTls
from prim.runtime.tls.certificates import certificate_fingerprint, ensure_dev_certificates


@dataclass(frozen=True, slots=True)
class Certificates:
    cert_file: Path
    key_file: Path
    ca_file: Path
    fingerprint: str  # SHA-256 of the certificate, for clients that pin it

    @property
    def rpc(self) -> RpcTls:
        return RpcTls(self.cert_file, self.key_file, self.ca_file)


def node_certificates(config: Config) -> Certificates:
    tls = config.tls
    if tls.cert_file:
        return Certificates(Path(tls.cert_file), Path(tls.key_file), Path(tls.ca_file),
                            certificate_fingerprint(Path(tls.cert_file)))
    dev = ensure_dev_certificates(Path(config.node.data_dir) / "tls", list(tls.names))
    return Certificates(dev.cert_file, dev.key_file, dev.ca_file, dev.fingerprint)
