"""`prim chat login|send|tail|history|friends` as scripts run them, against a real
`prim serve` process: no prompts (a saved session, --password-stdin, $PRIM_PASSWORD), JSON
lines with --json, and the documented exit codes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from prim.clients.sdk import PrimClient
from tests.clients.conftest import PASSWORD, befriend
from tests.clients.test_chat_cli import ENV, PRIM, Served
from tests.clients.test_chat_cli import served as served

pytestmark = pytest.mark.anyio


async def start(served: Served, store: Path, *args: str,
                env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *PRIM, "chat", *args, "--server", served.ready["http"], "--ca", served.ready["ca_cert"],
        "--gateway", served.ready["quic"], "--store", str(store), "--json",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env={**ENV, **(env or {})})


async def prim_chat(served: Served, store: Path, *args: str, stdin: str = "",
                    env: dict[str, str] | None = None) -> tuple[int, list[Any], str]:
    """Runs `prim chat ARGS` to its end: (exit status, its stdout lines as JSON, stderr)."""
    proc = await start(served, store, *args, env=env)
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), 30)
    assert proc.returncode is not None
    return proc.returncode, [json.loads(line) for line in out.decode().splitlines()], \
        err.decode()


async def test_scripts_send_tail_and_read_without_prompts(served: Served,
                                                          tmp_path: Path) -> None:
    http = served.ready["http"]
    alice = await PrimClient.sign_up(http, "alice", PASSWORD)
    bob = await PrimClient.sign_up(http, "bob", PASSWORD)
    await befriend(alice, bob)
    await alice.close()
    await bob.close()
    a_store, b_store = tmp_path / "alice", tmp_path / "bob"

    status, [logged_in], _ = await prim_chat(served, a_store, "login", "--account",
                                             str(alice.user_id), "--password-stdin",
                                             stdin=PASSWORD + "\n")
    assert status == 0 and logged_in["user_id"] == alice.user_id
    # bob follows his messages with the password in the environment...
    tail = await start(served, b_store, "tail", "--count", "2", "--timeout", "20",
                       env={"PRIM_ACCOUNT": str(bob.user_id), "PRIM_PASSWORD": PASSWORD})
    assert tail.stdout is not None
    connected = json.loads(await asyncio.wait_for(tail.stdout.readline(), 20))
    assert (connected["event"], connected["state"]) == ("ConnectionNotice", "connected")
    # ...while alice sends with her saved session: no password, no account id.
    status, [sent], _ = await prim_chat(served, a_store, "send", str(bob.user_id), "hello",
                                        "bob")
    assert status == 0 and not sent["duplicate"]
    status, [again], _ = await prim_chat(served, a_store, "send", str(bob.user_id), "-",
                                         stdin="from stdin\n")
    assert status == 0 and again["seqnum"] == sent["seqnum"] + 1

    out, err = await asyncio.wait_for(tail.communicate(), 20)
    assert tail.returncode == 0, err
    messages = [e for e in map(json.loads, out.decode().splitlines())
                if e["event"] == "Message"]
    assert [(m["text"], m["sender"], m["seqnum"]) for m in messages] == [
        ("hello bob", alice.user_id, sent["seqnum"]),
        ("from stdin", alice.user_id, again["seqnum"])]

    status, rows, _ = await prim_chat(served, b_store, "history", str(alice.user_id))
    assert status == 0
    assert [r["text"] for r in rows if r["event"] == "Message"] == ["hello bob", "from stdin"]
    status, friends, _ = await prim_chat(served, a_store, "friends")
    assert status == 0 and friends == [{"user_id": bob.user_id, "nickname": "bob"}]


async def test_exit_codes_say_what_went_wrong(served: Served, tmp_path: Path) -> None:
    http = served.ready["http"]
    alice = await PrimClient.sign_up(http, "alice", PASSWORD)
    stranger = await PrimClient.sign_up(http, "stranger", PASSWORD)
    for c in (alice, stranger):
        await c.close()
    store = tmp_path / "s"
    as_alice = {"PRIM_ACCOUNT": str(alice.user_id), "PRIM_PASSWORD": PASSWORD}

    status, _, err = await prim_chat(served, store, "friends")  # no session saved anywhere
    assert status == 3 and "--account" in err
    status, _, err = await prim_chat(served, store, "friends",
                                     env={**as_alice, "PRIM_PASSWORD": "wrong password!"})
    assert status == 3, err
    status, _, err = await prim_chat(served, store, "send", str(stranger.user_id), "hi",
                                     env=as_alice)
    assert status == 1 and "PERMISSION_DENIED" in err
    status, _, err = await prim_chat(served, store, "send", str(stranger.user_id))
    assert status == 2 and "TEXT" in err  # argparse: the text is missing
