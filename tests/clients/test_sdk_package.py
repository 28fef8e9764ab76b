"""The SDK installs on its own: the prim-sdk wheel (clients/python-sdk) is built, installed
into a fresh virtualenv with nothing else of PRIM (its dependencies come from the package
index), and a program there chats with a running `prim serve`; the server's packages and
its backends' drivers are not in that virtualenv."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.clients.test_chat_cli import Served
from tests.clients.test_chat_cli import served as served

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]

PROGRAM = textwrap.dedent("""
    import asyncio, json, sys
    from prim.clients.sdk import Message, PrimClient

    async def main(ready: dict) -> None:
        url = ready["http"]
        alice = await PrimClient.sign_up(url, "alice", "correct horse battery")
        bob = await PrimClient.sign_up(url, "bob", "correct horse battery")
        await alice.add_friend(bob.user_id)
        await bob.accept_friend(alice.user_id)
        for c in (alice, bob):
            await c.connect(ready_line=json.dumps(ready))
        sent = await alice.send_text(bob.user_id, "from a bare virtualenv")
        async for event in bob:
            if isinstance(event, Message):
                print(json.dumps({"text": event.text, "seqnum": event.seqnum,
                                  "sent": sent.seqnum}))
                break
        await alice.close()
        await bob.close()

    asyncio.run(main(json.loads(sys.argv[1])))
""")


def run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


async def test_the_sdk_wheel_alone_chats_with_a_running_server(served: Served,
                                                               tmp_path: Path) -> None:
    def install() -> Path:
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
            "--quiet", "-w", tmp_path / "wheels", ROOT / "clients" / "python-sdk", cwd=tmp_path)
        [wheel] = (tmp_path / "wheels").glob("prim_sdk-*.whl")
        run(sys.executable, "-m", "venv", tmp_path / "venv", cwd=tmp_path)
        python = tmp_path / "venv" / "bin" / "python"
        run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
        return python

    python = await asyncio.to_thread(install)
    # Nothing of the server came along, and the repository is not on the path (cwd: tmp).
    probe = run(python, "-c", "import importlib.util as u; print([m for m in ('prim.services',"
                " 'prim.cli', 'asyncpg', 'redis', 'aiokafka', 'hypercorn') if u.find_spec(m)])",
                cwd=tmp_path)
    assert probe.strip() == "[]"
    proc = await asyncio.create_subprocess_exec(
        str(python), "-c", PROGRAM, json.dumps(served.ready), cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    got = json.loads(out.decode().strip().splitlines()[-1])
    assert got["text"] == "from a bare virtualenv" and got["seqnum"] == got["sent"]
    assert (tmp_path / "venv" / "bin" / "prim-chat").exists()
