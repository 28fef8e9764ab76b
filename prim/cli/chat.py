"""`prim chat`: a line-based terminal chat client. Type /help inside for the commands.

    prim chat --server http://127.0.0.1:8080 --ca prim-data/tls/ca.pem

From a pipe it reads one command per line (with --password-stdin the line after /signup or
/login is the password) and exits 0 when all went well, 1 when a command failed (the
error is printed), 2 for a usage error."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "chat", help="terminal chat client", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--server", default="http://127.0.0.1:8080", metavar="URL",
                   help="the HTTP API (the ready line's \"http\"; default %(default)s)")
    p.add_argument("--ca", metavar="FILE",
                   help="CA certificate to check the server with (the ready line's ca_cert)")
    p.add_argument("--pin", metavar="SHA256",
                   help="or: the server certificate's fingerprint (the ready line's)")
    p.add_argument("--gateway", metavar="HOST:PORT",
                   help="the QUIC/TCP gateway, when the server cannot name one "
                        "(default: the server's host, port 4433)")
    p.add_argument("--password-stdin", action="store_true",
                   help="read passwords from the line after /signup or /login")
    p.add_argument("--device", default="prim chat", metavar="NAME",
                   help="this device's name in your sessions")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from prim.clients.chat import ChatOptions, run_chat

    options = ChatOptions(server=args.server, ca_file=args.ca, pin_sha256=args.pin,
                          gateway=args.gateway, password_stdin=args.password_stdin,
                          device_name=args.device)
    return asyncio.run(run_chat(options))
