"""Crash-safe file replacement: write a temporary file, fsync it, rename, fsync the folder.

After a crash a reader sees either the old content or the new, never a torn mix.
`AtomicFile` does the same for content written piece by piece (an upload as it arrives).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class AtomicFile:
    """A temporary file beside `path` that becomes `path` on `commit` and vanishes on
    `discard`. Blocking: call it from a worker thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._tmp = tmp
        self._file = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self._file.write(data)

    def commit(self) -> None:
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self._tmp, self.path)
        except BaseException:
            self.discard()
            raise
        fsync_dir(self.path.parent)

    def discard(self) -> None:
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)


def atomic_write(path: Path, data: bytes) -> None:
    file = AtomicFile(path)
    try:
        file.write(data)
    except BaseException:
        file.discard()
        raise
    file.commit()


def fsync_dir(folder: Path) -> None:
    # The rename is only durable once the directory entry is.
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
