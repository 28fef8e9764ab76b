"""`prim cert`: make (or reuse) the development CA and server certificate in a directory.

Prints the paths and the server certificate's SHA-256 fingerprint, for clients that trust
the CA file or pin the certificate."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "cert", help="make the development CA and server certificate", description=__doc__
    )
    p.add_argument("--dir", required=True, type=Path, help="directory for the PEM files")
    p.add_argument("--name", action="append", default=[], metavar="HOST",
                   help="extra DNS name or IP address for the server certificate "
                        "(localhost, 127.0.0.1 and ::1 are always included); repeatable")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from prim.runtime.tls import ensure_dev_certificates

    certs = ensure_dev_certificates(args.dir, args.name)
    print(f"ca_file: {certs.ca_file}")
    print(f"cert_file: {certs.cert_file}")
    print(f"key_file: {certs.key_file}")
    print(f"sha256: {certs.fingerprint}")
    return 0
