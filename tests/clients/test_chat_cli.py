"""`prim chat` driven through pipes against a real `prim serve` process: two people get
from nothing to chatting, one of them in the terminal client and one through the SDK, or
both in terminal clients; scripts get exit codes and errors that say what to do."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from prim.clients.sdk import FriendNotice, Message, PrimClient
from tests.clients.conftest import PASSWORD, Events

pytestmark = pytest.mark.anyio
PRIM = [sys.executable, "-m", "prim.cli.main"]
ENV = {**os.environ, "PRIM_AUTH__SCRYPT_LOG_N": "10", "PYTHONUNBUFFERED": "1"}


@dataclass
class Served:
    ready: dict[str, str]

    def chat_args(self) -> list[str]:
        return ["chat", "--server", self.ready["http"], "--ca", self.ready["ca_cert"],
                "--gateway", self.ready["quic"], "--password-stdin"]


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    proc = await asyncio.create_subprocess_exec(
        *PRIM, "serve", "--data-dir", str(tmp_path / "data"), "--http-port", "0",
        "--gateway-port", "0", stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, env=ENV)
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        ready = json.loads(line)
        assert ready["event"] == "ready"
        yield Served(ready)
    finally:
        proc.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(proc.wait(), 10)
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


class Chat:
    """One `prim chat` process: lines in through stdin, its output lines collected."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: asyncio.Queue[str] = asyncio.Queue()
        self.seen: list[str] = []
        self.errors: list[str] = []
        self._tasks = [asyncio.create_task(self._pump(proc.stdout, self.lines)),
                       asyncio.create_task(self._pump(proc.stderr, None))]

    @classmethod
    async def start(cls, served: Served) -> Chat:
        proc = await asyncio.create_subprocess_exec(
            *PRIM, *served.chat_args(), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=ENV)
        return cls(proc)

    async def _pump(self, stream: asyncio.StreamReader | None,
                    into: asyncio.Queue[str] | None) -> None:
        assert stream is not None
        while line := await stream.readline():
            text = line.decode().rstrip("\n")
            if into is None:
                self.errors.append(text)
            else:
                await into.put(text)

    async def type(self, *lines: str) -> None:
        assert self.proc.stdin is not None
        for line in lines:
            self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()

    async def expect(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        """The first new output line matching `pattern` (a regex, searched)."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    line = await self.lines.get()
                    self.seen.append(line)
                    found = re.search(pattern, line)
                    if found:
                        return found
        except TimeoutError:
            raise AssertionError(f"no line matching {pattern!r}; output: {self.seen}, "
                                 f"errors: {self.errors}") from None

    async def finish(self, *lines: str) -> int:
        """Types the last lines, closes stdin and waits for the exit status."""
        await self.type(*lines)
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        code = await asyncio.wait_for(self.proc.wait(), 20)
        for task in self._tasks:
            await asyncio.wait_for(task, 5)
        while not self.lines.empty():
            self.seen.append(self.lines.get_nowait())
        return code

    def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()


async def test_terminal_client_chats_with_an_sdk_client(served: Served) -> None:
    bob = await PrimClient.sign_up(served.ready["http"], "bob", PASSWORD)
    await bob.connect(ready_line=json.dumps(served.ready))
    bob_events = Events(bob)
    alice = await Chat.start(served)
    try:
        await alice.type("/signup alice", PASSWORD)
        alice_id = int((await alice.expect(r"your user id is (\d+)"))[1])
        await alice.expect(rf"logged in as alice\({alice_id}\), connected over (quic|tcp)")
        await alice.type(f"/friend {bob.user_id} hi, it's alice")
        await alice.expect(rf"friend request sent to bob\({bob.user_id}\)")
        request = await bob_events.next(FriendNotice)
        assert isinstance(request, FriendNotice) and request.message == "hi, it's alice"
        await bob.accept_friend(alice_id)
        await alice.expect(rf"\* bob\({bob.user_id}\) accepted your friend request")

        await alice.type(f"/to {bob.user_id}", "hello bob")
        await alice.expect(rf"^\[\d\d:\d\d\] alice\({alice_id}\): hello bob$")
        got = await bob_events.next(Message)
        assert isinstance(got, Message) and (got.sender, got.text) == (alice_id, "hello bob")

        await bob.send_text(alice_id, "hi alice, welcome")
        await alice.expect(rf"^\[\d\d:\d\d\] bob\({bob.user_id}\): hi alice, welcome$")
        await alice.type("/history 5")
        await alice.expect(r"alice\(\d+\): hello bob")
        await alice.expect(r"bob\(\d+\): hi alice, welcome")
        assert await alice.finish("/quit") == 0
    finally:
        alice.kill()
        await bob_events.stop()
        await bob.close()


async def test_two_terminal_clients_befriend_and_chat(served: Served) -> None:
    alice, bob = await Chat.start(served), await Chat.start(served)
    try:
        await alice.type("/signup alice", PASSWORD)
        alice_id = int((await alice.expect(r"your user id is (\d+)"))[1])
        await bob.type("/signup bob", PASSWORD)
        bob_id = int((await bob.expect(r"your user id is (\d+)"))[1])
        await bob.expect(r"logged in as bob")
        await alice.expect(r"logged in as alice")

        await alice.type(f"/friend {bob_id} tea?")
        await bob.expect(rf'\* alice\({alice_id}\) wants to be your friend: "tea\?"; '
                         rf"/accept {alice_id}")
        await bob.type("/requests")
        await bob.expect(rf'alice\({alice_id}\): "tea\?"')
        await bob.type(f"/accept {alice_id}")
        await bob.expect(rf"you and alice\({alice_id}\) are friends now")
        await alice.expect(rf"\* bob\({bob_id}\) accepted your friend request")

        await alice.type(f"/to {bob_id}", "hi bob")
        await bob.expect(rf"^\[\d\d:\d\d\] alice\({alice_id}\): hi bob$")
        await bob.type(f"/to {alice_id}", "hi alice")
        await alice.expect(rf"^\[\d\d:\d\d\] bob\({bob_id}\): hi alice$")
        await bob.type("/friends")
        await bob.expect(rf"^  alice\({alice_id}\)$")
        assert await alice.finish() == 0  # end of input
        assert await bob.finish("/quit") == 0
    finally:
        alice.kill()
        bob.kill()


async def test_scripts_get_exit_codes_and_errors_that_say_what_to_do(served: Served) -> None:
    chat = await Chat.start(served)
    assert await chat.finish("hello?") == 1
    assert any("not logged in: use /login ID or /signup NICK" in e for e in chat.errors)

    chat = await Chat.start(served)
    assert await chat.finish("/frobnicate") == 2
    assert any("unknown command /frobnicate; type /help" in e for e in chat.errors)

    chat = await Chat.start(served)
    assert await chat.finish("/login 10999", "not the password") == 1
    assert any("try again, or /signup NICK for a new account" in e for e in chat.errors)

    chat = await Chat.start(served)
    await chat.type("/signup carol", PASSWORD)
    await chat.expect(r"logged in as carol")
    assert await chat.finish("no conversation chosen") == 1
    assert any("no conversation selected: /to ID first" in e for e in chat.errors)

    proc = await asyncio.create_subprocess_exec(
        *PRIM, "chat", "--no-such-flag", stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL, env=ENV)
    assert await proc.wait() == 2



async def test_groups_by_name_notices_per_role_history_and_offline_news(served: Served) -> None:
    alice, bob = await Chat.start(served), await Chat.start(served)
    try:
        await alice.type("/signup alice", PASSWORD)
        alice_id = int((await alice.expect(r"your user id is (\d+)"))[1])
        await alice.expect(r"logged in as alice")
        await bob.type("/signup bob", PASSWORD)
        bob_id = int((await bob.expect(r"your user id is (\d+)"))[1])
        await bob.expect(r"logged in as bob")

        await alice.type("/group create book club")
        gid = int((await alice.expect(r"created group book club\((\d+)\)"))[1])
        await bob.type(f"/join {gid} let me in")
        await bob.expect(rf"request sent to join book club\({gid}\)")
        await alice.expect(rf'\* bob\({bob_id}\) asks to join book club\({gid}\): "let me in"')
        await alice.type(f"/approve {gid} {bob_id}")
        await bob.expect(rf"\* you are now a member of book club\({gid}\)")
        await bob.type("/to Book Club")  # by name, in any case
        await bob.expect(rf"talking group book club\({gid}\)")
        await alice.type("/to book club", "m0", "m1", "m2")
        for i in range(3):
            await bob.expect(rf"alice\({alice_id}\): m{i}$")
        await bob.type("/history 3")  # three messages, though a join notice is among them
        for i in range(3):
            await bob.expect(rf"alice\({alice_id}\): m{i}$")
        assert await bob.finish("/quit") == 0
        assert not any("asks to join" in line for line in bob.seen)  # the admins' notice

        # bob read everything live (his marker moved); one message comes while he is away.
        await alice.type("while you were away")
        await alice.expect(r"alice\(\d+\): while you were away")
        bob = await Chat.start(served)
        await bob.type(f"/login {bob_id}", PASSWORD)
        await bob.expect(r"logged in as bob")
        await bob.expect(r"^1 conversation with new messages; /inbox$")
        assert await bob.finish("/quit") == 0
        assert await alice.finish("/quit") == 0
    finally:
        alice.kill()
        bob.kill()


async def test_chat_refuses_a_short_password_and_ones_own_id(served: Served) -> None:
    chat = await Chat.start(served)
    assert await chat.finish("/signup dave", "short") == 1
    assert any("a password has 8 to 128 characters, this one 5" in e for e in chat.errors)

    chat = await Chat.start(served)
    await chat.type("/signup erin", PASSWORD)
    erin = int((await chat.expect(r"your user id is (\d+)"))[1])
    assert await chat.finish(f"/to {erin}") == 1
    assert any("that is your own id" in e for e in chat.errors)

    chat = await Chat.start(served)
    await chat.type(f"/login {erin}", PASSWORD)
    await chat.expect(r"logged in as erin")
    assert await chat.finish("/to no such group") == 1
    assert any("no group named 'no such group'" in e for e in chat.errors)


# What each walk-through command prints when it is done, so the other terminal goes on only
# then (the README's order is the order of the two people's actions).
_DONE = {"/signup": r"logged in as", "/friend": r"friend request sent", "/accept": r"are "
         r"friends now", "/to": r"^talking ", "/group": r"^created group", "/join":
         r"^request sent to join", "/approve": r"is now a member of"}


def _walk_through() -> list[tuple[int, str]]:
    """(terminal 0 or 1, line) of the README's chat walk-through, in order."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("### Chat in two terminals", 1)[1].split("```sh\n", 1)[1]
    block = block.split("```", 1)[0]
    steps: list[tuple[int, str]] = []
    for raw in block.splitlines()[2:]:  # after the header and the `prim chat` lines
        column = 1 if raw.startswith(" " * 20) else 0
        line = raw.strip().split("  #", 1)[0].split(" #", 1)[0].strip()
        if line:
            steps.append((column, line))
    return steps


async def test_the_readme_walk_through_works_word_for_word(served: Served) -> None:
    steps = _walk_through()
    assert (0, "/signup alice") in steps and (1, "/to book club") in steps
    chats = [await Chat.start(served), await Chat.start(served)]
    nicks = ["alice", "bob"]
    try:
        for who, line in steps:
            chat = chats[who]
            if line.startswith("/"):
                await chat.type(line, *([PASSWORD] if line.startswith("/signup") else []))
                await chat.expect(_DONE[line.split()[0]])
            else:
                await chat.type(line)
                await chat.expect(rf"{nicks[who]}\(\d+\): {re.escape(line)}$")
        assert [await chat.finish("/quit") for chat in chats] == [0, 0]
    finally:
        for chat in chats:
            chat.kill()
    assert chats[0].errors == [] and chats[1].errors == []


async def test_notices_that_came_while_away_show_in_the_inbox(served: Served) -> None:
    alice, bob = await Chat.start(served), await Chat.start(served)
    try:
        await alice.type("/signup alice", PASSWORD)
        alice_id = int((await alice.expect(r"your user id is (\d+)"))[1])
        await alice.type("/group create chess")
        gid = int((await alice.expect(r"created group chess\((\d+)\)"))[1])
        assert await alice.finish("/quit") == 0
        await bob.type("/signup bob", PASSWORD)
        bob_id = int((await bob.expect(r"your user id is (\d+)"))[1])
        await bob.type(f"/join {gid} checkmate?")
        await bob.expect(r"request sent to join chess")

        alice = await Chat.start(served)
        await alice.type(f"/login {alice_id}", PASSWORD)
        await alice.expect(r"^new notifications; /inbox$")
        await alice.type("/inbox")
        await alice.expect(rf'^  \* bob\({bob_id}\) asks to join chess\({gid}\): "checkmate\?"')
        await alice.type("/inbox")  # shown once: the read marker moved past it
        await alice.type("/groups")
        await alice.expect(r"^  chess\(")
        assert await alice.finish("/quit") == 0
        assert sum("asks to join" in line for line in alice.seen) == 1
        assert await bob.finish("/quit") == 0
    finally:
        alice.kill()
        bob.kill()
