"""SeqnumStore in one JSON file, replaced atomically on every save.

An exclusive lock on ``<file>.lock`` keeps a second seqnum process from using the same
file: two writers could each persist a ceiling the other then lowers.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
from pathlib import Path

from .atomic import atomic_write


class SeqnumFileLocked(RuntimeError):
    """Another process holds the seqnum file; ``pid`` is that process's, when it wrote it."""

    def __init__(self, path: Path, pid: int | None) -> None:
        holder = f"another process (pid {pid})" if pid else "another process"
        super().__init__(f"{path} is in use by {holder}")
        self.path = path
        self.pid = pid


class FileSeqnumStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._ceilings: dict[int, int] = {}
        self._lock = asyncio.Lock()
        self._lock_fd: int | None = None

    @classmethod
    async def open(cls, path: str | Path) -> FileSeqnumStore:
        """``path`` is the JSON file, or a folder that gets ``seqnum.json``."""
        p = Path(path)
        if p.is_dir() or str(path).endswith(os.sep):
            p = p / "seqnum.json"
        store = cls(p)
        await asyncio.to_thread(store._open)
        return store

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            pid = _holder(fd)
            os.close(fd)
            raise SeqnumFileLocked(self.path, pid) from exc
        # The holder's pid, for the message a second process shows.
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_fd = fd
        if self.path.exists():
            doc = json.loads(self.path.read_bytes())
            self._ceilings = {int(k): int(v) for k, v in doc["ceilings"].items()}

    async def load(self) -> dict[int, int]:
        return dict(self._ceilings)

    async def get(self, section: int) -> int:
        return self._ceilings.get(section, 0)

    async def save(self, section: int, ceiling: int) -> int:
        async with self._lock:
            current = self._ceilings.get(section, 0)
            if ceiling <= current:
                return current
            updated = {**self._ceilings, section: ceiling}
            doc = {"version": 1, "ceilings": {str(k): v for k, v in sorted(updated.items())}}
            await asyncio.to_thread(atomic_write, self.path, json.dumps(doc).encode())
            # Only after the file is durable do callers see (and hand out) the new ceiling.
            self._ceilings = updated
            return ceiling

    async def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None


def _holder(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None
