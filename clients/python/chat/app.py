"""`ChatApp`: runs the command loop of `prim chat` over one `PrimClient`.

Lines come from a `LineReader` (a terminal, or a pipe when a script drives it); incoming
events are printed by a background task as they arrive. At a terminal a failed command
prints its error and the loop goes on; from a pipe the first failure ends the run with
status 1 (2 for a line that is not a valid command), so scripts notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from dataclasses import dataclass
from typing import TextIO
from urllib.parse import urlsplit

import httpx

from prim.clients.sdk import Message, PrimClient, PrimClientError
from prim.generated import constants as rules
from prim.generated.constants import is_group_id
from prim.generated.http_client import PrimApiError
from prim.generated.prim.v1 import ErrorCode, GetGroupRequest, GetMyProfileRequest
from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.wire.client_errors import WireClientError

from .commands import HELP, Command, UsageError, parse
from .lines import LineReader
from .render import Renderer, clock
from .targets import TargetError, group_by_name

DEFAULT_GATEWAY_PORT = 4433
NOT_LOGGED_IN = "not logged in: use /login ID or /signup NICK"
PASSWORD_MIN = rules.SIGNUP_REQUEST_PASSWORD_MIN_LENGTH
PASSWORD_MAX = rules.SIGNUP_REQUEST_PASSWORD_MAX_LENGTH


@dataclass(frozen=True, slots=True)
class ChatOptions:
    server: str
    ca_file: str | None = None
    pin_sha256: str | None = None
    # host:port of the gateway, used when the server cannot name a node itself.
    gateway: str | None = None
    password_stdin: bool = False
    device_name: str = "prim chat"


class CommandFailed(Exception):
    """A command that could not be done; the message says what to do instead."""


class ChatApp:
    def __init__(self, options: ChatOptions, reader: LineReader, *,
                 out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.options = options
        self.reader = reader
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.client: PrimClient | None = None
        self.renderer: Renderer | None = None
        self.peer: int | None = None
        self._printer: asyncio.Task[None] | None = None

    # -- the loop ----------------------------------------------------------------------

    async def run(self) -> int:
        interactive = self.reader.interactive
        if interactive:
            self.say(f"PRIM chat on {self.options.server}. /signup NICK to create an account, "
                     "/login ID to use yours, /help for the rest.")
        status = 0
        try:
            while True:
                line = await self.reader.line()
                if line is None:
                    break
                try:
                    command = parse(line)
                except UsageError as exc:
                    self.error(str(exc))
                    if not interactive:
                        status = 2
                        break
                    continue
                if command is None:
                    continue
                if command.name == "quit":
                    break
                try:
                    await self.execute(command)
                except (CommandFailed, TargetError, PrimApiError, PrimClientError,
                        WireClientError, CertificateVerificationError, httpx.HTTPError,
                        OSError) as exc:
                    self.error(describe(exc, self.options.server))
                    if not interactive:
                        status = 1
                        break
        finally:
            await self.shutdown()
        return status

    async def shutdown(self) -> None:
        if self._printer is not None:
            self._printer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._printer
            self._printer = None
        if self.client is not None:
            await self.client.close()
            self.client = None

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def error(self, text: str) -> None:
        print(f"error: {text}", file=self.err, flush=True)

    # -- commands ----------------------------------------------------------------------

    async def execute(self, command: Command) -> None:
        name, args, rest = command.name, command.args, command.rest
        if name == "help":
            self.say(HELP)
        elif name == "signup":
            await self.sign_up(args[0])
        elif name == "login":
            await self.log_in(int(args[0]), await self.password())
        else:
            await self.logged_in_command(name, [int(a) for a in args if a.isdigit()], rest)

    async def logged_in_command(self, name: str, ids: list[int], rest: str) -> None:
        client, render = self.session()
        if name == "say":
            await self.send(rest)
        elif name == "to":
            await self.talk_to(rest)
        elif name == "friend":
            await client.add_friend(ids[0], rest)
            self.say(f"friend request sent to {await render.name(ids[0])}")
        elif name == "requests":
            requests = await client.friend_requests()
            if not requests:
                self.say("no friend requests are waiting for you")
            for r in requests:
                said = f': "{r.message}"' if r.message else ""
                self.say(f"  {await render.name(r.requester_id)}{said}; "
                         f"/accept {r.requester_id}")
        elif name == "accept":
            await client.accept_friend(ids[0])
            self.say(f"you and {await render.name(ids[0])} are friends now; "
                     f"/to {ids[0]} to talk")
        elif name == "friends":
            friends = await client.friends()
            if not friends:
                self.say("no friends yet: /friend ID to ask someone")
            for f in friends:
                self.say(f"  {await render.name(f.user_id)}")
        elif name == "group":
            group = await client.create_group(rest)
            render.remember(group.group_id, group.name)
            self.peer = group.group_id
            self.say(f"created group {group.name}({group.group_id}); you are talking there "
                     f"now. Others ask to join with /join {group.group_id}")
        elif name == "join":
            group_id, message = group_by_name(rest, render.known_groups())
            await client.join_group(group_id, message)
            self.say(f"request sent to join {await render.name(group_id)}; you will see when "
                     "an admin decides")
        elif name == "approve":
            await client.approve_join(ids[0], ids[1])
            self.say(f"{await render.name(ids[1])} is now a member of "
                     f"{await render.name(ids[0])}")
        elif name == "groups":
            groups = await client.my_groups()
            if not groups:
                self.say("you are in no group: /group create NAME, or /join GID")
            for g in groups:
                render.remember(g.group_id, g.name)
                self.say(f"  {g.name}({g.group_id}), {g.member_count} members")
        elif name == "history":
            await self.history(int(rest) if rest else 20)
        elif name == "inbox":
            await self.inbox()
        else:  # pragma: no cover - parse() knows every name
            raise CommandFailed(f"/{name} is not implemented")

    async def talk_to(self, target: str) -> None:
        client, render = self.session()
        if target.isdigit():
            peer = int(target)
        else:
            for g in await client.my_groups():
                render.remember(g.group_id, g.name)
            peer, extra = group_by_name(target, render.known_groups())
            if extra:
                raise CommandFailed(f"no group named {target!r} that you know of: give its "
                                    "id, or see /groups")
        if peer == client.user_id:
            raise CommandFailed("that is your own id: /to a friend's id, or a group")
        if is_group_id(peer):  # an unknown id fails here, with the server's reason
            render.remember(peer, (await client.http.groups.get_group(
                GetGroupRequest(group_id=peer))).name)
        else:
            render.remember(peer, (await client.user(peer)).nickname)
        self.peer = peer
        where = "group" if is_group_id(peer) else "with"
        self.say(f"talking {where} {await render.name(peer)}; type to send, "
                 f"/history to scroll back")

    def session(self) -> tuple[PrimClient, Renderer]:
        if self.client is None or self.renderer is None:
            raise CommandFailed(NOT_LOGGED_IN)
        return self.client, self.renderer

    async def password(self, confirm: bool = False) -> str:
        if self.options.password_stdin:
            password = await self.reader.line()
            if password is None:
                raise CommandFailed("expected the password on the next line of input "
                                    "(--password-stdin)")
            if confirm:
                check_new_password(password)
            return password
        if not self.reader.interactive:
            raise CommandFailed("no terminal to ask for the password: run with "
                                "--password-stdin and put it on the line after the command")
        password = await self.reader.password("password: ")
        if confirm and password is not None:
            check_new_password(password)
            again = await self.reader.password("same password again: ")
            if again != password:
                raise CommandFailed("the two passwords differ; try /signup again")
        if not password:
            raise CommandFailed("no password given")
        return password

    async def sign_up(self, nickname: str) -> None:
        self.require_trust()
        password = await self.password(confirm=True)
        client = await PrimClient.sign_up(self.options.server, nickname, password,
                                          device_name=self.options.device_name)
        await client.close()
        self.say(f"signed up as {nickname}: your user id is {client.user_id} "
                 f"(next time: /login {client.user_id})")
        await self.log_in(client.user_id, password)

    async def log_in(self, user_id: int, password: str) -> None:
        self.require_trust()
        await self.shutdown()  # another account may have been logged in
        self.peer = None
        client = await PrimClient.log_in(self.options.server, user_id, password,
                                         device_name=self.options.device_name)
        try:
            await client.connect(ca_file=self.options.ca_file,
                                 pin_sha256=self.options.pin_sha256, gateway=self.gateway())
            profile = await client.http.users.get_my_profile(GetMyProfileRequest())
        except BaseException:
            await client.close()
            raise
        self.client = client
        self.renderer = Renderer(client)
        self.renderer.remember(client.user_id, profile.nickname)
        self._printer = asyncio.create_task(self.print_events(client, self.renderer))
        self.say(f"logged in as {profile.nickname}({client.user_id}), connected over "
                 f"{client.connection.transport}")
        await self.offline_news(client)

    async def offline_news(self, client: PrimClient) -> None:
        """One line on what came while this user was away."""
        entries = [e for e in await client.inbox() if e.unread_count > 0]
        talks = sum(1 for e in entries if e.peer_id != client.user_id)
        parts = [f"{talks} conversation{'s' if talks > 1 else ''} with new messages"] \
            if talks else []
        if len(entries) > talks:
            parts.append("new notifications")
        if parts:
            self.say(f"{' and '.join(parts)}; /inbox")

    def require_trust(self) -> None:
        if self.options.ca_file is None and self.options.pin_sha256 is None:
            raise CommandFailed("no way to check the server's certificate: start prim chat "
                                "with --ca FILE (the ca_cert of the server's ready line) or "
                                "--pin SHA256 (its fingerprint)")

    def gateway(self) -> str:
        if self.options.gateway:
            return self.options.gateway
        host = urlsplit(self.options.server).hostname or "127.0.0.1"
        return f"{host}:{DEFAULT_GATEWAY_PORT}"

    async def send(self, text: str) -> None:
        client, render = self.session()
        if self.peer is None:
            raise CommandFailed("no conversation selected: /to ID first (a friend's id, or "
                                "a group's)")
        sent = await client.send_text(self.peer, text)
        if self.reader.interactive:
            return  # the terminal shows the line as typed: no second copy
        where = f"[{await render.name(self.peer)}] " if is_group_id(self.peer) else ""
        self.say(f"[{clock(sent.server_timestamp_ms)}] {where}"
                 f"{await render.name(client.user_id)}: {text}")

    async def history(self, count: int) -> None:
        client, render = self.session()
        if self.peer is None:
            raise CommandFailed("no conversation selected: /to ID first")
        # N messages shown: edits and withdrawals show in the messages they changed, and
        # notices are not talk, so older pages are read until N messages are found.
        count = max(1, min(count, 200))
        messages: list[Message] = []
        before, newest = 0, 0
        while len(messages) < count:
            events = await client.history(self.peer, limit=count, before=before)
            if not events:
                break
            newest = newest or events[-1].seqnum
            found = [e for e in events if isinstance(e, Message)]
            messages[:0] = found[-(count - len(messages)):] if found else []
            before = events[0].seqnum - 1
            if before <= 0:
                break
        if not messages:
            self.say("no messages yet")
        for message in messages:
            self.say(await render.message(message))
        if newest:
            await client.mark_read(self.peer, newest)

    async def inbox(self) -> None:
        client, render = self.session()
        entries = await client.inbox()
        if not entries:
            self.say("nothing new since you were last online")
        for e in entries:
            if e.peer_id == client.user_id:
                await self.notifications(e.read_seqnum)
                continue
            last = e.last_message
            preview = ""
            if last is not None and last.type == 32:  # Text
                preview = ": " + last.payload.decode("utf-8", "replace")[:60]
            self.say(f"  {await render.name(e.peer_id)}: {e.unread_count} unread, "
                     f"up to #{e.last_seqnum}{preview}; /to {e.peer_id}")

    async def notifications(self, read: int) -> None:
        """The unread notices of one's own notification stream; then they count as read."""
        client, render = self.session()
        events = [e for e in await client.history(client.user_id, limit=50)
                  if e.seqnum > read]
        for event in events:
            line = await render.event(event)
            if line is not None:
                self.say(f"  {line}")
        if events:
            await client.mark_read(client.user_id, events[-1].seqnum)

    async def print_events(self, client: PrimClient, render: Renderer) -> None:
        async for event in client:
            line = await render.event(event)
            if line is not None:
                self.say(line)
            if isinstance(event, Message) and event.sender != client.user_id:
                await self.mark_shown(client, event)

    async def mark_shown(self, client: PrimClient, message: Message) -> None:
        """The read marker follows what was printed; a failure costs only an unread count."""
        try:
            await client.mark_read(message.conversation, message.seqnum)
        except (PrimApiError, httpx.HTTPError) as exc:
            print(f"error: could not move the read marker: {exc}", file=self.err, flush=True)


def check_new_password(password: str) -> None:
    """The spec's bounds, checked before the password is asked a second time."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise CommandFailed(f"a password has {PASSWORD_MIN} to {PASSWORD_MAX} characters, "
                            f"this one {len(password)}; try /signup again")


def describe(exc: BaseException, server: str) -> str:
    """An error as a sentence that says what to do."""
    if isinstance(exc, PrimApiError):
        if exc.code == ErrorCode.INVALID_CREDENTIALS:
            return f"{exc.message}; try again, or /signup NICK for a new account"
        if exc.code == ErrorCode.UNAUTHENTICATED:
            return f"{exc.message}; your session ended: /login ID again"
        return f"{exc.message} ({exc.code.name})"
    if isinstance(exc, httpx.HTTPError):
        return f"cannot reach {server}: {exc}; is the server running (prim serve)?"
    if isinstance(exc, CertificateVerificationError):
        return f"{exc}; is --ca (or --pin) the one this server printed in its ready line?"
    return str(exc)


async def run_chat(options: ChatOptions) -> int:
    return await ChatApp(options, LineReader()).run()
