"""Crash safety for real: a process appending to the WAL is SIGKILLed mid-stream; every LSN
it had been told was durable (append returned) is there after reopening."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from prim.services.msglogger.wal import WriteAheadLog

from .test_wal import message

pytestmark = pytest.mark.anyio

# Appends from 16 concurrent tasks (group commit, segment rolls) and prints "lsn seqnum"
# after each append returned. It never stops on its own.
CHILD = """
import asyncio, sys
from prim.services.msglogger.wal import WriteAheadLog
from tests.msglogger.test_wal import message

async def main(folder):
    wal = await WriteAheadLog.open(folder, segment_bytes=4096)
    counter = iter(range(1, 10**9))

    async def writer():
        while True:
            seqnum = next(counter)
            lsn = await wal.append(message(seqnum))
            sys.stdout.write(f"{lsn} {seqnum}\\n")
            sys.stdout.flush()

    await asyncio.gather(*(writer() for _ in range(16)))

asyncio.run(main(sys.argv[1]))
"""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def run_and_kill(folder: Path, acknowledged: dict[int, int], after: int) -> None:
    """Runs the child until it has printed ``after`` more LSNs, then SIGKILLs it."""
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    seen = 0
    try:
        while seen < after and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lsn, seqnum = map(int, line.split())
            acknowledged[lsn] = seqnum
            seen += 1
        os.kill(proc.pid, signal.SIGKILL)
        # Whatever it printed before dying was acknowledged too.
        for line in proc.stdout:
            if line.strip():
                lsn, seqnum = map(int, line.split())
                acknowledged[lsn] = seqnum
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert seen >= after, proc.stderr.read() if proc.stderr else ""


async def test_nothing_acknowledged_is_lost_on_sigkill(tmp_path: Path) -> None:
    folder = tmp_path / "wal"
    acknowledged: dict[int, int] = {}
    run_and_kill(folder, acknowledged, after=500)
    # A second run continues the same log after recovering it, and is killed as well.
    run_and_kill(folder, acknowledged, after=500)

    wal = await WriteAheadLog.open(folder, segment_bytes=4096)
    replayed = dict(wal.replay())
    assert len(list(folder.glob("wal-*.log"))) > 2  # the kills came across segment rolls
    for lsn, seqnum in acknowledged.items():
        assert replayed.get(lsn) == message(seqnum), f"acknowledged LSN {lsn} lost"
    # LSNs have no gaps, and the log appends after the last one.
    assert sorted(replayed) == list(range(1, len(replayed) + 1))
    assert await wal.append(message(0)) == len(replayed) + 1
    await wal.close()
