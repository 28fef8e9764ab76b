"""The write-ahead log: records survive reopening, concurrent appends share fsyncs, a torn
tail is cut while real corruption refuses to open, released segments go away, and one
process at a time holds a folder."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prim.runtime.storage.models import Message
from prim.services.msglogger.wal import (
    WalCorrupted,
    WalError,
    WalLocked,
    WriteAheadLog,
    encode_record,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def message(i: int, payload: bytes = b"") -> Message:
    return Message(
        channel="u10000-10001", seqnum=i, sender=10_000, receiver=10_001, type=32,
        server_ts=1_000 + i, client_ts=900 + i, payload=payload or f"m{i}".encode(),
        extension=b"x" if i % 2 else b"", edited_at=i if i % 3 == 0 else None,
    )  # fmt: skip


def segments(folder: Path) -> list[Path]:
    return sorted(folder.glob("wal-*.log"))


async def test_append_then_replay_round_trip(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path / "wal")
    lsns = [await wal.append(message(i)) for i in range(1, 11)]
    assert lsns == list(range(1, 11))
    assert wal.replay() == [(i, message(i)) for i in range(1, 11)]
    assert wal.replay(after=7) == [(i, message(i)) for i in (8, 9, 10)]
    await wal.close()

    again = await WriteAheadLog.open(tmp_path / "wal")
    assert again.replay() == [(i, message(i)) for i in range(1, 11)]
    await again.close()


async def test_lsns_continue_after_reopen(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path)
    for i in range(1, 4):
        await wal.append(message(i))
    await wal.close()
    wal = await WriteAheadLog.open(tmp_path)
    assert wal.next_lsn == 4
    assert await wal.append(message(4)) == 4
    await wal.close()
    wal = await WriteAheadLog.open(tmp_path)
    assert [lsn for lsn, _ in wal.replay()] == [1, 2, 3, 4]
    await wal.close()


async def test_concurrent_appends_share_fsyncs(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path)
    lsns = await asyncio.gather(*(wal.append(message(i)) for i in range(1, 201)))
    # Every caller got its own LSN, in call order, and returned only once durable.
    assert list(lsns) == list(range(1, 201))
    assert wal.durable_lsn == 200
    assert wal.appends == 200
    assert 0 < wal.fsyncs < wal.appends
    # Call order is file order.
    assert [m.seqnum for _, m in wal.replay()] == list(range(1, 201))
    await wal.close()


async def test_idle_log_commits_a_lone_record_at_once(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path)
    for i in range(1, 4):
        await wal.append(message(i))
        assert wal.durable_lsn == i
    assert wal.fsyncs == 3  # one each: nothing was waiting for company
    await wal.close()


async def test_torn_tail_is_cut_and_appending_continues(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wal = await WriteAheadLog.open(tmp_path)
    for i in range(1, 6):
        await wal.append(message(i))
    await wal.close()
    last = segments(tmp_path)[-1]
    good_size = last.stat().st_size
    record = encode_record(6, message(6))
    with open(last, "ab") as f:
        f.write(record[: len(record) // 2])  # a crash halfway through a write

    with caplog.at_level(logging.WARNING):
        wal = await WriteAheadLog.open(tmp_path)
    assert "torn tail" in caplog.text
    assert last.stat().st_size == good_size
    assert [lsn for lsn, _ in wal.replay()] == [1, 2, 3, 4, 5]
    assert await wal.append(message(6)) == 6
    await wal.close()
    wal = await WriteAheadLog.open(tmp_path)
    assert wal.replay()[-1] == (6, message(6))
    await wal.close()


async def test_bad_crc_in_last_record_is_a_torn_tail(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path)
    for i in range(1, 4):
        await wal.append(message(i))
    await wal.close()
    last = segments(tmp_path)[-1]
    data = bytearray(last.read_bytes())
    data[-1] ^= 0xFF  # the last record's body
    last.write_bytes(bytes(data))
    wal = await WriteAheadLog.open(tmp_path)
    assert [lsn for lsn, _ in wal.replay()] == [1, 2]
    assert await wal.append(message(3)) == 3
    await wal.close()


async def test_garbage_after_the_last_record_is_cut(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path)
    await wal.append(message(1))
    await wal.close()
    with open(segments(tmp_path)[-1], "ab") as f:
        f.write(b"\x00" * 40)  # a preallocated or zero-filled tail
    wal = await WriteAheadLog.open(tmp_path)
    assert wal.replay() == [(1, message(1))]
    await wal.close()


async def test_corruption_in_a_sealed_segment_refuses_to_open(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path, segment_bytes=300)
    for i in range(1, 30):
        await wal.append(message(i))
    await wal.close()
    files = segments(tmp_path)
    assert len(files) > 2
    sealed = files[0]
    data = bytearray(sealed.read_bytes())
    data[len(data) // 2] ^= 0xFF
    sealed.write_bytes(bytes(data))
    with pytest.raises(WalCorrupted, match="sealed segment"):
        await WriteAheadLog.open(tmp_path, segment_bytes=300)
    # Nothing was truncated, and the folder is not left locked.
    assert sealed.stat().st_size == len(data)
    with pytest.raises(WalCorrupted):
        await WriteAheadLog.open(tmp_path, segment_bytes=300)


async def test_a_missing_segment_refuses_to_open(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path, segment_bytes=300)
    for i in range(1, 30):
        await wal.append(message(i))
    await wal.close()
    segments(tmp_path)[1].unlink()
    with pytest.raises(WalCorrupted, match="previous segment ends"):
        await WriteAheadLog.open(tmp_path, segment_bytes=300)


async def test_segments_roll_and_release_deletes_old_ones(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path, segment_bytes=1_000)
    # Concurrent appends across several rolls: fsyncs shared, order kept.
    await asyncio.gather(*(wal.append(message(i, b"p" * 60)) for i in range(1, 101)))
    files = segments(tmp_path)
    assert len(files) > 5
    assert all(f.stat().st_size <= 1_000 for f in files)
    firsts = [int(f.name[4:-4]) for f in files]
    assert firsts[0] == 1 and firsts == sorted(firsts)
    assert [lsn for lsn, _ in wal.replay()] == list(range(1, 101))

    release = firsts[3] + 1  # inside the fourth segment
    await wal.release_through(release)
    assert wal.checkpoint == release
    # The three segments wholly at or below it are gone; the fourth stays (it holds more).
    assert [int(f.name[4:-4]) for f in segments(tmp_path)] == firsts[3:]
    assert [lsn for lsn, _ in wal.replay()] == list(range(release + 1, 101))
    await wal.close()

    wal = await WriteAheadLog.open(tmp_path, segment_bytes=1_000)
    assert wal.checkpoint == release
    assert [lsn for lsn, _ in wal.replay()] == list(range(release + 1, 101))
    assert await wal.append(message(101)) == 101
    # Releasing everything keeps the active segment (and the LSNs going).
    await wal.release_through(101)
    assert len(segments(tmp_path)) == 1
    assert wal.replay() == []
    await wal.close()
    wal = await WriteAheadLog.open(tmp_path, segment_bytes=1_000)
    assert wal.replay() == []
    assert await wal.append(message(102)) == 102
    await wal.close()


async def test_release_never_passes_what_is_durable(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path)
    await wal.append(message(1))
    await wal.release_through(50)
    assert wal.checkpoint == 1
    await wal.release_through(0)  # never moves back
    assert wal.checkpoint == 1
    assert await wal.append(message(2)) == 2
    await wal.close()


async def test_a_second_opener_is_refused(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path)
    with pytest.raises(WalLocked, match="in use by another process"):
        await WriteAheadLog.open(tmp_path)
    # Another process, too.
    probe = (
        "import asyncio, sys\n"
        "from prim.services.msglogger.wal import WriteAheadLog, WalLocked\n"
        "try:\n"
        f"    asyncio.run(WriteAheadLog.open({str(tmp_path)!r}))\n"
        "except WalLocked as exc:\n"
        "    print(exc)\n"
        "    sys.exit(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3, done.stderr
    assert "in use by another process" in done.stdout
    await wal.close()
    # Released on close.
    wal = await WriteAheadLog.open(tmp_path)
    await wal.close()


async def test_closed_log_refuses_appends(tmp_path: Path) -> None:
    wal = await WriteAheadLog.open(tmp_path)
    await wal.close()
    with pytest.raises(WalError, match="closed"):
        await wal.append(message(1))


async def test_a_failed_fsync_fails_the_appenders_and_stops_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wal = await WriteAheadLog.open(tmp_path)
    assert await wal.append(message(1)) == 1

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", broken_fsync)
        results = await asyncio.gather(
            *(wal.append(message(i)) for i in (2, 3)), return_exceptions=True
        )
    assert all(isinstance(r, WalError) for r in results)
    assert wal.durable_lsn == 1
    # After a failed fsync the page cache cannot be trusted: no more appends until reopened.
    with pytest.raises(WalError, match="failed earlier"):
        await wal.append(message(4))
    await wal.close()
    wal = await WriteAheadLog.open(tmp_path)
    assert wal.replay()[0] == (1, message(1))
    await wal.close()
