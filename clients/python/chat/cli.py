"""`prim chat` (or `prim-chat`): the terminal chat client, and one-shot actions for scripts.

    prim chat --server http://127.0.0.1:8080 --ca prim-data/tls/ca.pem      # the terminal UI
    prim chat --plain ...                                                 # line mode
    prim chat send 10002 "hello" --json                                   # scripts

At a terminal `prim chat` opens the full-screen UI; with --plain, or when stdin is not a
terminal, it is the line client: one command per line (/help lists them; with
--password-stdin the line after /signup or /login is the password), exit 0 when all went
well, 1 when a command failed (the error is printed), 2 for a usage error.

The actions (login, send, tail, history, friends) need no prompt: they use the account's
saved session (`prim chat login` saves one), or a password from --password-stdin or
$PRIM_PASSWORD. Exit codes: 0 done, 1 refused or unreachable, 2 usage, 3 no or refused
credentials. Options may also come from $PRIM_SERVER, $PRIM_CA, $PRIM_ACCOUNT and
$PRIM_CHAT_HOME (where sessions and local history are kept)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _common(p: argparse.ArgumentParser, *, top: bool) -> None:
    """The connection and credential options, on `prim chat` and on each action (there
    with SUPPRESS defaults, so an option given before the action is not reset)."""
    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    p.add_argument("--server", default=default(os.environ.get("PRIM_SERVER",
                                                              "http://127.0.0.1:8080")),
                   metavar="URL", help="the HTTP API (the ready line's \"http\"; "
                                       "default $PRIM_SERVER or http://127.0.0.1:8080)")
    p.add_argument("--ca", default=default(os.environ.get("PRIM_CA")), metavar="FILE",
                   help="CA certificate to check the server with (the ready line's "
                        "ca_cert; default $PRIM_CA)")
    p.add_argument("--pin", default=default(None), metavar="SHA256",
                   help="or: the server certificate's fingerprint (the ready line's)")
    p.add_argument("--gateway", default=default(None), metavar="HOST:PORT",
                   help="the QUIC/TCP gateway, when the server cannot name one "
                        "(default: the server's host, port 4433)")
    p.add_argument("--password-stdin", action="store_true", default=default(False),
                   help="read the password from stdin (the line mode: the line after "
                        "/signup or /login)")
    p.add_argument("--device", default=default("prim chat"), metavar="NAME",
                   help="this device's name in your sessions")
    p.add_argument("--account", type=int, metavar="ID",
                   default=default(int(os.environ["PRIM_ACCOUNT"])
                                   if os.environ.get("PRIM_ACCOUNT", "").isdigit() else None),
                   help="the account to act as (default $PRIM_ACCOUNT, or the one account "
                        "with a saved session)")
    p.add_argument("--store", type=Path, default=default(None), metavar="DIR",
                   help="where sessions and local history are kept (default "
                        "$PRIM_CHAT_HOME or ~/.local/share/prim/chat)")
    p.add_argument("--json", action="store_true", default=default(False),
                   help="actions: one JSON object per line")


def register(sub: Any) -> None:
    """Adds `chat` to a subcommand parser (`prim chat`)."""
    p: argparse.ArgumentParser = sub.add_parser(
        "chat", help="terminal chat client", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _arguments(p)


def main(argv: Sequence[str] | None = None) -> int:
    """`prim-chat`, the SDK distribution's console script: the same as `prim chat`."""
    p = argparse.ArgumentParser(prog="prim-chat", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    _arguments(p)
    args = p.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


def _arguments(p: argparse.ArgumentParser) -> None:
    _common(p, top=True)
    p.add_argument("--plain", action="store_true",
                   help="the line client even at a terminal (always when stdin is a pipe)")
    p.set_defaults(func=_run)
    actions = p.add_subparsers(dest="action", metavar="ACTION")

    def action(name: str, help_: str) -> argparse.ArgumentParser:
        a: argparse.ArgumentParser = actions.add_parser(name, help=help_, description=help_)
        _common(a, top=False)
        return a

    action("login", "log in (password from --password-stdin, $PRIM_PASSWORD or a prompt) "
                    "and save the session, so later actions need no password")
    a = action("send", "send a text to a user or group and wait for the server's Ack")
    a.add_argument("peer", type=int, metavar="PEER", help="a friend's id or a group's")
    a.add_argument("text", nargs="+", metavar="TEXT",
                   help="the words to send ('-': read the text from stdin)")
    a = action("tail", "print incoming messages and notices as they arrive")
    a.add_argument("--peer", type=int, metavar="ID", help="only this conversation")
    a.add_argument("--count", type=int, metavar="N", help="stop after N messages")
    a.add_argument("--timeout", type=float, metavar="SECONDS", help="stop after this long")
    a = action("history", "print the newest messages of a conversation, oldest first")
    a.add_argument("peer", type=int, metavar="PEER")
    a.add_argument("--limit", type=int, default=20, metavar="N")
    a = action("friends", "list your friends")
    a.add_argument("--requests", action="store_true",
                   help="the friend requests waiting for you instead")


def _run(args: argparse.Namespace) -> int:
    if args.action is not None:
        return _run_action(args)
    from prim.clients.chat import ChatOptions, run_chat

    options = ChatOptions(server=args.server, ca_file=args.ca, pin_sha256=args.pin,
                          gateway=args.gateway, password_stdin=args.password_stdin,
                          device_name=args.device)
    if not args.plain and sys.stdin.isatty() and sys.stdout.isatty():
        from prim.clients.chat.ui import run_ui

        return run_ui(options, store_dir=_store_dir(args))
    return asyncio.run(run_chat(options))


def _store_dir(args: argparse.Namespace) -> Path:
    from prim.clients.chat.script import default_store_dir

    return args.store if args.store is not None else default_store_dir()


def _run_action(args: argparse.Namespace) -> int:
    import getpass

    from prim.clients.chat import script

    options = script.ScriptOptions(
        server=args.server, store_dir=_store_dir(args), account=args.account,
        password_stdin=args.password_stdin, ca_file=args.ca, pin_sha256=args.pin,
        gateway=args.gateway, device_name=args.device, json=args.json)
    if args.action == "login":
        if args.account is None:
            print("error: login needs --account ID (or $PRIM_ACCOUNT)", file=sys.stderr)
            return script.USAGE
        if not args.password_stdin and "PRIM_PASSWORD" not in os.environ:
            if not sys.stdin.isatty():
                print("error: no terminal to ask for the password: --password-stdin or "
                      "$PRIM_PASSWORD", file=sys.stderr)
                return script.USAGE
            os.environ["PRIM_PASSWORD"] = getpass.getpass("password: ")
        return asyncio.run(script.run_action(
            options, lambda c: script.login(c, options, sys.stdout)))
    if args.action == "send":
        words = " ".join(args.text)

        def text() -> str:  # read after the password, which comes first on stdin
            return sys.stdin.read().rstrip("\n") if words == "-" else words

        return asyncio.run(script.run_action(
            options, lambda c: script.send(c, options, sys.stdout, args.peer, text())))
    if args.action == "tail":
        return asyncio.run(script.run_action(options, lambda c: script.tail(
            c, options, sys.stdout, peer=args.peer, count=args.count, seconds=args.timeout)))
    if args.action == "history":
        return asyncio.run(script.run_action(
            options, lambda c: script.history(c, options, sys.stdout, args.peer, args.limit)))
    return asyncio.run(script.run_action(
        options, lambda c: script.friends(c, options, sys.stdout, args.requests)))


if __name__ == "__main__":
    sys.exit(main())
