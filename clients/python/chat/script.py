"""`prim chat login|send|tail|history|friends`: one action per process, for scripts.

Each resolves its credentials without a prompt (`credentials()`): the saved device session
of the account in the chat store (`prim chat login` saves one; so does every run that logs
in), else a password from `--password-stdin` or $PRIM_PASSWORD. Output is one line per
item: words for people, one JSON object per line with `--json`. Exit codes:

    0  done            1  the server refused or could not be reached
    2  usage error     3  no credentials, or they were refused (log in again)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx

from prim.clients.sdk import (
    ChatEvent,
    ConnectionLost,
    ConnectionNotice,
    ErrorNotice,
    Message,
    PrimClient,
    PrimClientError,
    ReadReceipt,
    Sequenced,
    Typing,
)
from prim.generated.http_client import PrimApiError
from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.wire.client_errors import AuthenticationFailed, WireClientError

OK, FAILED, USAGE, AUTH = 0, 1, 2, 3
_AUTH_CODES = (ErrorCode.UNAUTHENTICATED, ErrorCode.INVALID_CREDENTIALS)


def default_store_dir() -> Path:
    """$PRIM_CHAT_HOME, else $XDG_DATA_HOME/prim/chat, else ~/.local/share/prim/chat."""
    if home := os.environ.get("PRIM_CHAT_HOME"):
        return Path(home)
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "prim" / "chat"


@dataclass(frozen=True, slots=True)
class ScriptOptions:
    server: str
    store_dir: Path
    account: int | None = None  # None: the one account with a saved session
    password_stdin: bool = False
    ca_file: str | None = None
    pin_sha256: str | None = None
    gateway: str | None = None
    device_name: str = "prim chat"
    json: bool = False


class ScriptError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def saved_accounts(store_dir: Path, server: str) -> list[int]:
    """The accounts of `server` with a store in `store_dir`."""
    from prim.clients.sdk import Store

    probe = Store.for_account(store_dir, server, 0).path.name.removesuffix("-0.sqlite3")
    out = []
    for path in sorted(store_dir.glob(f"{probe}-*.sqlite3")):
        number = path.name.removeprefix(f"{probe}-").removesuffix(".sqlite3")
        if number.isdigit() and int(number):
            out.append(int(number))
    return out


async def credentials(options: ScriptOptions, stdin: TextIO) -> PrimClient:
    """A client of the account the options name, from its saved session or a password."""
    account = options.account
    if account is None:
        saved = saved_accounts(options.store_dir, options.server)
        if len(saved) != 1:
            which = "no account has" if not saved else f"{len(saved)} accounts have"
            raise ScriptError(AUTH, f"{which} a saved session in {options.store_dir}: "
                                    "give --account ID (or $PRIM_ACCOUNT)")
        account = saved[0]
    password = os.environ.get("PRIM_PASSWORD")
    if options.password_stdin:
        password = stdin.readline().rstrip("\n")
    if password is None:
        try:
            return PrimClient.resume(options.store_dir, options.server, account)
        except ConnectionLost as exc:
            raise ScriptError(AUTH, f"{exc} (prim chat login, --password-stdin or "
                                    "$PRIM_PASSWORD)") from None
    return await PrimClient.log_in(options.server, account, password,
                                   device_name=options.device_name,
                                   store_dir=options.store_dir)


async def connect(client: PrimClient, options: ScriptOptions) -> None:
    if options.ca_file is None and options.pin_sha256 is None:
        raise ScriptError(USAGE, "no way to check the server's certificate: --ca FILE (the "
                                 "ready line's ca_cert) or --pin SHA256")
    await client.connect(ca_file=options.ca_file, pin_sha256=options.pin_sha256,
                         gateway=options.gateway)


# -- the actions ---------------------------------------------------------------------------


async def login(client: PrimClient, options: ScriptOptions, out: TextIO) -> None:
    profile = await client.user(client.user_id)
    emit(out, options, {"user_id": client.user_id, "nickname": profile.nickname,
                        "device_id": client.session.device_id,
                        "expires_at_ms": client.session.expires_at_ms},
         f"logged in as {profile.nickname}({client.user_id}); the session is saved in "
         f"{options.store_dir}")


async def send(client: PrimClient, options: ScriptOptions, out: TextIO, peer: int,
               text: str) -> None:
    if not text:
        raise ScriptError(USAGE, "nothing to send")
    await connect(client, options)
    sent = await client.send_text(peer, text)
    emit(out, options, {"peer": peer, "seqnum": sent.seqnum,
                        "server_timestamp_ms": sent.server_timestamp_ms,
                        "timestamp_ms": sent.timestamp, "duplicate": sent.duplicate},
         f"sent #{sent.seqnum} to {peer}")


async def tail(client: PrimClient, options: ScriptOptions, out: TextIO, *,
               peer: int | None, count: int | None, seconds: float | None) -> None:
    """Prints incoming messages (and notices) until `count` messages or `seconds` passed
    (both None: until interrupted)."""
    await connect(client, options)
    shown = 0

    async def follow() -> None:
        nonlocal shown
        async for event in client:
            if isinstance(event, ConnectionNotice):
                if event.state == "failed":
                    raise ScriptError(AUTH, f"the connection gave up: {event.detail}")
                emit(out, options, event_json(event), f"* {event.state} {event.detail}")
                continue
            if peer is not None and getattr(event, "conversation", peer) != peer:
                continue
            emit(out, options, event_json(event), event_line(event))
            if isinstance(event, Message):
                shown += 1
                if count is not None and shown >= count:
                    return

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(follow(), seconds)


async def history(client: PrimClient, options: ScriptOptions, out: TextIO, peer: int,
                  limit: int) -> None:
    for event in await client.history(peer, limit=limit):
        emit(out, options, event_json(event), event_line(event))


async def friends(client: PrimClient, options: ScriptOptions, out: TextIO,
                  requests: bool) -> None:
    if requests:
        for r in await client.friend_requests():
            emit(out, options, {"requester_id": r.requester_id, "message": r.message},
                 f"{r.requester_id} asks: {r.message}")
        return
    for f in await client.friends():
        profile = await client.user(f.user_id)
        emit(out, options, {"user_id": f.user_id, "nickname": profile.nickname},
             f"{profile.nickname}({f.user_id})")


# -- output --------------------------------------------------------------------------------


def emit(out: TextIO, options: ScriptOptions, record: dict[str, Any], line: str) -> None:
    print(json.dumps(record) if options.json else line, file=out, flush=True)


def event_json(event: ChatEvent) -> dict[str, Any]:
    record: dict[str, Any] = {"event": type(event).__name__}
    if isinstance(event, Sequenced):
        record.update(conversation=event.conversation, sender=event.sender,
                      receiver=event.receiver, seqnum=event.seqnum,
                      timestamp_ms=event.timestamp, type=_type_name(event.wire_type))
        if isinstance(event, Message):
            record.update(text=event.text if event.media is None else None,
                          edited_at_ms=event.edited_at_ms, withdrawn=event.withdrawn)
            if event.media is not None:
                record["media"] = event.media.to_dict()
    elif isinstance(event, ReadReceipt):
        record.update(conversation=event.conversation, reader=event.reader,
                      seqnum=event.seqnum)
    elif isinstance(event, Typing):
        record.update(conversation=event.conversation, user_id=event.user_id)
    elif isinstance(event, ErrorNotice):
        record.update(code=event.code.name, message=event.message)
    elif isinstance(event, ConnectionNotice):
        record.update(state=event.state, detail=event.detail)
    return record


def _type_name(value: int) -> str:
    try:
        return MsgType(value).name
    except ValueError:
        return str(value)


def event_line(event: ChatEvent) -> str:
    if isinstance(event, Message):
        return f"#{event.seqnum} {event.sender} -> {event.receiver}: {event.text}"
    if isinstance(event, Sequenced):
        return f"#{event.seqnum} {type(event).__name__} from {event.sender}"
    return f"{type(event).__name__} {event}"


# -- running one action --------------------------------------------------------------------


async def run_action(options: ScriptOptions,
                     action: Callable[[PrimClient], Awaitable[None]], *,
                     stdin: TextIO | None = None, err: TextIO | None = None) -> int:
    """Runs `action` with a client of the account; the exit status (module docstring)."""
    err = err or sys.stderr
    try:
        client = await credentials(options, stdin or sys.stdin)
        try:
            await action(client)
        finally:
            await client.close()
    except ScriptError as exc:
        print(f"error: {exc}", file=err, flush=True)
        return exc.status
    except PrimApiError as exc:
        print(f"error: {exc.message} ({exc.code.name})", file=err, flush=True)
        return AUTH if exc.code in _AUTH_CODES else FAILED
    except AuthenticationFailed as exc:
        print(f"error: {exc}; log in again (prim chat login)", file=err, flush=True)
        return AUTH
    except (PrimClientError, WireClientError, CertificateVerificationError, httpx.HTTPError,
            OSError) as exc:
        print(f"error: {exc}", file=err, flush=True)
        return FAILED
    return OK
