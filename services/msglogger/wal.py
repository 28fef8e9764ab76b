"""The message node's write-ahead log: a message is durable once its record is fsync'd here.

The node Acks a sender as soon as the message is on its own disk, without waiting for Kafka
or PostgreSQL; the shipper (shipper.py) copies the log to Kafka and releases what the
msgprocessor has persisted, and after a crash the node re-ships what is left. Group commit
keeps this cheap: append() puts its record in the write buffer at once (LSN order is file
order) and one flusher task writes the buffer and fsyncs it in a worker thread, so the
appends that arrive during an fsync share the next one: N concurrent senders cost about one
fsync per disk round trip, not N. An idle log fsyncs a lone record at once.

On disk, in one folder:
- ``wal-<first LSN, 20 digits>.log`` segments, each a run of records
  ``body length (4, big-endian) | crc32 of lsn+body (4) | lsn (8) | body``,
  body = codec.encode_message(). LSNs are 1, 2, 3, ... without gaps, across segments and
  restarts. A segment is closed after ``segment_bytes``.
- ``checkpoint``: the highest LSN released (persisted downstream), replaced atomically.
- ``lock``: held with flock while a process has the log open.

Crash recovery (open): only records whose fsync had not returned can be damaged by a crash,
and a new segment gets its first byte only after the previous one is fsync'd. So a short
record or a bad crc can only be a torn tail at the end of the newest non-empty segment:
it is cut off (never acknowledged), with a warning. The same anywhere else is corruption
and open() refuses with WalCorrupted rather than lose acknowledged messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from prim.runtime.storage.codec import CodecError, decode_message, encode_message
from prim.runtime.storage.files.atomic import atomic_write, fsync_dir
from prim.runtime.storage.models import Message

log = logging.getLogger(__name__)

DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024
_HEADER = struct.Struct(">IIQ")  # body length, crc32(lsn + body), lsn
_LSN = struct.Struct(">Q")
_PREFIX, _SUFFIX = "wal-", ".log"
_CHECKPOINT = "checkpoint"
_LOCK = "lock"


class WalError(Exception):
    """The write-ahead log cannot be used (closed, or a write or fsync failed)."""


class WalLocked(WalError):
    """Another process has the folder's write-ahead log open."""


class WalCorrupted(WalError):
    """A record that should be intact is not: the log refuses to guess."""


def _segment_name(first_lsn: int) -> str:
    return f"{_PREFIX}{first_lsn:020d}{_SUFFIX}"


def _crc(lsn: int, body: bytes) -> int:
    return zlib.crc32(body, zlib.crc32(_LSN.pack(lsn)))


def encode_record(lsn: int, message: Message) -> bytes:
    body = encode_message(message)
    return _HEADER.pack(len(body), _crc(lsn, body), lsn) + body


@dataclass(slots=True)
class _Segment:
    first_lsn: int
    path: Path
    size: int = 0  # bytes written or buffered


@dataclass(slots=True)
class _Chunk:
    """Bytes for one segment, written and fsync'd by one commit cycle."""

    fd: int
    data: bytes
    close_after: bool  # a sealed segment: nothing more is written to it


class _BadRecord(Exception):
    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason


def _read_records(
    f: BinaryIO, first_lsn: int, *, skip_through: int = 0, through: int | None = None
) -> Iterator[tuple[int, bytes]]:
    """(lsn, body) of each record of a segment file, up to LSN ``through`` (all if None);
    raises _BadRecord at the first one that is short, fails its crc or breaks the LSN
    sequence. Records with lsn <= skip_through are stepped over without reading their body."""
    expected = first_lsn
    offset = 0
    while through is None or expected <= through:
        head = f.read(_HEADER.size)
        if not head:
            return
        if len(head) < _HEADER.size:
            raise _BadRecord(offset, "record header cut short")
        length, crc, lsn = _HEADER.unpack(head)
        if lsn != expected:
            raise _BadRecord(offset, f"LSN {lsn} where {expected} was due")
        if lsn <= skip_through:
            f.seek(length, os.SEEK_CUR)
        else:
            body = f.read(length)
            if len(body) < length:
                raise _BadRecord(offset, "record body cut short")
            if _crc(lsn, body) != crc:
                raise _BadRecord(offset, "crc mismatch")
            yield lsn, body
        offset += _HEADER.size + length
        expected += 1


def _scan(path: Path, first_lsn: int) -> tuple[int, int, _BadRecord | None]:
    """(last good LSN, bytes of good records, the first bad record or None)."""
    last = first_lsn - 1
    good_bytes = 0
    with open(path, "rb") as f:
        try:
            for lsn, body in _read_records(f, first_lsn):
                last = lsn
                good_bytes += _HEADER.size + len(body)
        except _BadRecord as bad:
            return last, good_bytes, bad
    size = path.stat().st_size
    if good_bytes != size:  # a length field that ran past the end of the file
        return last, good_bytes, _BadRecord(good_bytes, "record cut short")
    return last, good_bytes, None


class WriteAheadLog:
    """Open with ``await WriteAheadLog.open(folder)``; one process per folder."""

    def __init__(
        self,
        directory: Path,
        *,
        segment_bytes: int,
        lock_fd: int,
        segments: list[_Segment],
        checkpoint: int,
        next_lsn: int,
    ) -> None:
        self.directory = directory
        self._segment_bytes = segment_bytes
        self._lock_fd: int | None = lock_fd
        self._segments = segments  # oldest first; the last is the active one
        self._checkpoint = checkpoint
        self._next_lsn = next_lsn
        self._durable_lsn = next_lsn - 1
        #: Appends so far and commit cycles (write + fsync) so far: fsyncs < appends is group
        #: commit at work.
        self.appends = 0
        self.fsyncs = 0
        active = segments[-1]
        self._active_fd = os.open(active.path, os.O_WRONLY | os.O_APPEND)
        self._buffer = bytearray()  # records of the active segment not yet written
        self._sealed: list[_Chunk] = []  # full segments with their unwritten records
        self._dir_dirty = False  # a segment was created since the last commit
        self._waiters: list[asyncio.Future[None]] = []
        self._work = asyncio.Event()
        self._failure: BaseException | None = None
        self._closing = False
        self._release_lock = asyncio.Lock()
        self._flusher = asyncio.create_task(self._flush_loop(), name=f"wal-flusher {directory}")

    # -- opening and recovery -------------------------------------------------------------
    @classmethod
    async def open(
        cls, directory: Path | str, *, segment_bytes: int = DEFAULT_SEGMENT_BYTES
    ) -> WriteAheadLog:
        """Locks the folder (WalLocked if another process has it), recovers it and returns
        the log ready to append after its last record."""
        if segment_bytes <= 0:
            raise ValueError("segment_bytes must be positive")
        folder = Path(directory)
        lock_fd = await asyncio.to_thread(_lock_folder, folder)
        try:
            segments, checkpoint, next_lsn = await asyncio.to_thread(_recover, folder)
        except BaseException:
            os.close(lock_fd)
            raise
        return cls(
            folder,
            segment_bytes=segment_bytes,
            lock_fd=lock_fd,
            segments=segments,
            checkpoint=checkpoint,
            next_lsn=next_lsn,
        )

    # -- state -------------------------------------------------------------------------------
    @property
    def next_lsn(self) -> int:
        """The LSN the next append gets."""
        return self._next_lsn

    @property
    def durable_lsn(self) -> int:
        """Every record with an LSN up to this one is fsync'd."""
        return self._durable_lsn

    @property
    def checkpoint(self) -> int:
        """The highest LSN released by release_through (0 if none)."""
        return self._checkpoint

    def segment_paths(self) -> list[Path]:
        return [s.path for s in self._segments]

    # -- appending ---------------------------------------------------------------------------
    async def append(self, message: Message) -> int:
        """Logs ``message`` and returns its LSN once the record is fsync'd."""
        if self._failure is not None:
            raise WalError(f"write-ahead log failed earlier; reopen it: {self._failure}")
        if self._closing:
            raise WalError("write-ahead log is closed")
        lsn = self._next_lsn
        record = encode_record(lsn, message)
        active = self._segments[-1]
        if active.size > 0 and active.size + len(record) > self._segment_bytes:
            try:
                self._roll(lsn)
            except OSError as exc:
                raise WalError(f"cannot start a new segment: {exc}") from exc
            active = self._segments[-1]
        # No await from taking the LSN to buffering the record: LSN order is file order.
        self._next_lsn = lsn + 1
        self._buffer += record
        active.size += len(record)
        self.appends += 1
        done = asyncio.get_running_loop().create_future()
        self._waiters.append(done)
        self._work.set()
        await done
        return lsn

    def _roll(self, first_lsn: int) -> None:
        """Seals the active segment and starts ``wal-<first_lsn>.log``. The new file gets no
        byte before the sealed one is fsync'd (the commit cycle writes chunks in order)."""
        path = self.directory / _segment_name(first_lsn)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o644)
        self._sealed.append(_Chunk(self._active_fd, bytes(self._buffer), close_after=True))
        self._buffer = bytearray()
        self._active_fd = fd
        self._segments.append(_Segment(first_lsn, path))
        self._dir_dirty = True

    async def _flush_loop(self) -> None:
        while True:
            if not self._waiters and not self._buffer and not self._sealed:
                if self._closing:
                    return
                self._work.clear()
                await self._work.wait()
                continue
            await self._commit()

    async def _commit(self) -> None:
        """One group commit: everything buffered so far is written and fsync'd, then its
        appenders are released. Appends arriving meanwhile wait for the next cycle."""
        waiters, self._waiters = self._waiters, []
        chunks = [*self._sealed, _Chunk(self._active_fd, bytes(self._buffer), False)]
        self._sealed, self._buffer = [], bytearray()
        sync_dir, self._dir_dirty = self._dir_dirty, False
        through = self._next_lsn - 1
        try:
            await asyncio.to_thread(_write_and_sync, chunks, self.directory if sync_dir else None)
        except Exception as exc:
            # After a failed write or fsync the page cache cannot be trusted (the kernel may
            # have dropped the dirty pages): fail everything and refuse further appends.
            self._failure = exc
            log.error("write-ahead log %s failed: %r", self.directory, exc)
            for w in waiters:
                if not w.done():
                    w.set_exception(WalError(f"write-ahead log write failed: {exc}"))
            return
        self.fsyncs += 1
        self._durable_lsn = through
        for w in waiters:
            if not w.done():  # the appender may have been cancelled; its record stays
                w.set_result(None)

    # -- reading -----------------------------------------------------------------------------
    def replay(self, after: int = 0) -> list[tuple[int, Message]]:
        """(lsn, message) of every durable record above the checkpoint (and above
        ``after``), in LSN order: what a restarted node has to re-ship. Blocking file I/O."""
        return list(self.records(after))

    def records(self, after: int = 0) -> Iterator[tuple[int, Message]]:
        """replay() read lazily, for a big backlog (iterate it in a worker thread: it does
        blocking file I/O). Records appended after the call are not included."""
        # Snapshot now, not at the first next(): that may run in another thread, later.
        return self._read(max(after, self._checkpoint), self._durable_lsn, list(self._segments))

    def _read(
        self, floor: int, through: int, segments: list[_Segment]
    ) -> Iterator[tuple[int, Message]]:
        for i, seg in enumerate(segments):
            last = segments[i + 1].first_lsn - 1 if i + 1 < len(segments) else through
            if last <= floor:
                continue
            if seg.first_lsn > through:
                return
            try:
                f = open(seg.path, "rb")  # noqa: SIM115 (closed below; a generator holds it)
            except FileNotFoundError:
                if last <= self._checkpoint:  # released meanwhile
                    continue
                raise
            with f:
                try:
                    for lsn, body in _read_records(
                        f, seg.first_lsn, skip_through=floor, through=through
                    ):
                        yield lsn, _decode(seg.path, lsn, body)
                except _BadRecord as bad:
                    raise WalCorrupted(
                        f"{seg.path}: {bad.reason} at byte {bad.offset} (the log changed"
                        " under the process that has it open)"
                    ) from None

    # -- releasing ---------------------------------------------------------------------------
    async def release_through(self, lsn: int) -> None:
        """Everything up to ``lsn`` is persisted downstream: records the checkpoint durably
        and deletes the segments (never the active one) holding nothing above it."""
        async with self._release_lock:
            lsn = min(lsn, self._durable_lsn)
            if lsn <= self._checkpoint:
                return
            await asyncio.to_thread(atomic_write, self.directory / _CHECKPOINT, f"{lsn}\n".encode())
            self._checkpoint = lsn
            doomed = [
                seg
                for seg, successor in zip(self._segments, self._segments[1:], strict=False)
                if successor.first_lsn - 1 <= lsn
            ]
            if doomed:
                await asyncio.to_thread(_delete_segments, self.directory, doomed)
                gone = {id(s) for s in doomed}
                self._segments = [s for s in self._segments if id(s) not in gone]

    # -- closing -----------------------------------------------------------------------------
    async def close(self) -> None:
        """Commits what is buffered, then closes the files and releases the folder."""
        if self._lock_fd is None:
            return
        self._closing = True
        self._work.set()
        await self._flusher
        os.close(self._active_fd)
        lock_fd, self._lock_fd = self._lock_fd, None
        fcntl.flock(lock_fd, fcntl.LOCK_UN)
        os.close(lock_fd)


def _decode(path: Path, lsn: int, body: bytes) -> Message:
    try:
        return decode_message(body)
    except CodecError as exc:
        raise WalCorrupted(f"{path}: LSN {lsn} passed its crc but does not decode: {exc}") from exc


def _write_and_sync(chunks: list[_Chunk], sync_dir: Path | None) -> None:
    """Writes and fsyncs each chunk in order (a segment is complete on disk before the next
    gets a byte), then fsyncs the folder if segments were created (their names durable).
    Closes the sealed segments' files, whatever happens: this thread owns them now."""
    try:
        for chunk in chunks:
            if chunk.data:
                _write_all(chunk.fd, chunk.data)
                os.fsync(chunk.fd)
        if sync_dir is not None:
            fsync_dir(sync_dir)
    finally:
        for chunk in chunks:
            if chunk.close_after:
                with contextlib.suppress(OSError):
                    os.close(chunk.fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _delete_segments(folder: Path, segments: list[_Segment]) -> None:
    for seg in segments:
        with contextlib.suppress(FileNotFoundError):
            seg.path.unlink()
    fsync_dir(folder)


def _lock_folder(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise WalLocked(
            f"write-ahead log folder {folder} is in use by another process (pid {holder}"
            f" holds {path}); stop it or give this node its own folder"
        ) from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _read_checkpoint(folder: Path) -> int:
    path = folder / _CHECKPOINT
    try:
        text = path.read_text("ascii").strip()
    except FileNotFoundError:
        return 0
    if not text.isdigit():
        raise WalCorrupted(f"{path}: expected an LSN, found {text[:40]!r}")
    return int(text)


def _recover(folder: Path) -> tuple[list[_Segment], int, int]:
    """Checks the segments, cuts a torn tail, returns (segments, checkpoint, next LSN)."""
    for leftover in folder.glob(f".{_CHECKPOINT}.*.tmp"):  # an interrupted atomic_write
        leftover.unlink()
    checkpoint = _read_checkpoint(folder)
    segments: list[_Segment] = []
    for path in sorted(folder.glob(f"{_PREFIX}*{_SUFFIX}")):
        digits = path.name[len(_PREFIX) : -len(_SUFFIX)]
        if len(digits) != 20 or not digits.isdigit():
            raise WalCorrupted(f"{path}: not a segment name this log writes")
        segments.append(_Segment(int(digits), path, path.stat().st_size))

    # A segment created just before a crash may have no bytes; drop empty trailing ones so
    # the newest non-empty segment is the one whose tail a crash may have torn.
    changed = False
    while segments and segments[-1].size == 0:
        segments.pop().path.unlink()
        changed = True

    next_lsn = checkpoint + 1
    for i, seg in enumerate(segments):
        if i == 0 and seg.first_lsn > checkpoint + 1:
            raise WalCorrupted(
                f"{seg.path}: starts at LSN {seg.first_lsn} but the checkpoint is {checkpoint}:"
                f" records {checkpoint + 1}..{seg.first_lsn - 1} are missing"
            )
        if i > 0 and seg.first_lsn != next_lsn:
            raise WalCorrupted(
                f"{seg.path}: starts at LSN {seg.first_lsn} but the previous segment ends at"
                f" {next_lsn - 1}"
            )
        last, good_bytes, bad = _scan(seg.path, seg.first_lsn)
        if bad is not None:
            if i < len(segments) - 1:
                raise WalCorrupted(
                    f"{seg.path}: {bad.reason} at byte {bad.offset} in a sealed segment;"
                    " acknowledged messages may be damaged, refusing to open"
                )
            log.warning(
                "write-ahead log %s: torn tail (%s at byte %d) cut off, %d bytes dropped;"
                " records through LSN %d kept",
                seg.path, bad.reason, bad.offset, seg.size - good_bytes, last,
            )  # fmt: skip
            os.truncate(seg.path, good_bytes)
            seg.size = good_bytes
        next_lsn = last + 1
    if next_lsn <= checkpoint:
        raise WalCorrupted(
            f"{folder}: the checkpoint says LSN {checkpoint} was logged, but the segments end"
            f" at {next_lsn - 1}"
        )

    if segments:
        # Records a crashed process wrote but never fsync'd are in the page cache only.
        fd = os.open(segments[-1].path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    if not segments:
        path = folder / _segment_name(next_lsn)
        path.touch()
        segments.append(_Segment(next_lsn, path))
        changed = True
    if changed:
        fsync_dir(folder)
    return segments, checkpoint, next_lsn
