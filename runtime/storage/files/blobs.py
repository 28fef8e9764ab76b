"""BlobStore in a local folder: <root>/<id[:2]>/<id>.bin with a <id>.json sidecar.

Ids are random (not the content hash), so deleting one user's upload never removes
another's identical file. Both files are written atomically; the sidecar goes last, so a
blob is visible only once complete. Bytes stream both ways: `put_stream` writes chunks to a
temporary file as they arrive (hashing and counting them, refusing past the limit) and
`open` reads a range back in chunks, so a file never has to fit in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import secrets
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from ..clock import wall_clock_ms
from ..errors import BlobTooLarge
from ..models import BlobInfo, Clock
from .atomic import AtomicFile, atomic_write

_ID = re.compile(r"^[0-9a-f]{32}$")
#: Bytes per read of a download and per write of an upload: big enough to keep thread hops
#: few, small enough that several transfers at once stay light.
CHUNK_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class BlobReader:
    """An open blob: its metadata, and its bytes by range."""

    info: BlobInfo
    path: Path

    @property
    def size(self) -> int:
        return self.info.size

    @property
    def version(self) -> str:
        return self.info.sha256

    async def chunks(self, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        stop = self.info.size if end is None else min(end, self.info.size)
        f = await asyncio.to_thread(open, self.path, "rb")
        try:
            await asyncio.to_thread(f.seek, start)
            position = start
            while position < stop:
                chunk = await asyncio.to_thread(f.read, min(CHUNK_BYTES, stop - position))
                if not chunk:
                    raise OSError(f"{self.path} ends at {position}, expected {stop}")
                position += len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(f.close)


class FileBlobStore:
    def __init__(
        self, root: str | Path, *, max_bytes: int | None = None, clock: Clock = wall_clock_ms
    ) -> None:
        self.root = Path(root)
        self._max = max_bytes
        self._clock = clock
        self.root.mkdir(parents=True, exist_ok=True)

    def _paths(self, blob_id: str) -> tuple[Path, Path] | None:
        # Only our own id format reaches the file system: no path traversal.
        if not _ID.match(blob_id):
            return None
        folder = self.root / blob_id[:2]
        return folder / f"{blob_id}.bin", folder / f"{blob_id}.json"

    async def put(self, data: bytes, content_type: str) -> BlobInfo:
        async def one() -> AsyncIterator[bytes]:
            yield data

        return await self.put_stream(one(), content_type)

    async def put_stream(self, chunks: AsyncIterable[bytes], content_type: str,
                         *, max_bytes: int | None = None) -> BlobInfo:
        """Stores the chunks as one blob; BlobTooLarge (nothing stored) once they pass
        the store's limit or `max_bytes`. Any error leaves nothing behind."""
        limits = [m for m in (self._max, max_bytes) if m is not None]
        limit = min(limits) if limits else None
        blob_id = secrets.token_hex(16)
        paths = self._paths(blob_id)
        assert paths is not None
        data_path, meta_path = paths

        def start() -> AtomicFile:
            data_path.parent.mkdir(exist_ok=True)
            return AtomicFile(data_path)

        file = await asyncio.to_thread(start)
        digest = hashlib.sha256()
        size = 0
        try:
            async for chunk in chunks:
                size += len(chunk)
                if limit is not None and size > limit:
                    raise BlobTooLarge(f"more than {limit} bytes")
                digest.update(chunk)
                await asyncio.to_thread(file.write, chunk)
            info = BlobInfo(blob_id=blob_id, sha256=digest.hexdigest(), size=size,
                            content_type=content_type, created_at=self._clock())
            meta = {"sha256": info.sha256, "size": info.size,
                    "content_type": info.content_type, "created_at": info.created_at}

            def commit() -> None:
                file.commit()
                atomic_write(meta_path, json.dumps(meta).encode())

            await asyncio.to_thread(commit)
        except BaseException:
            await asyncio.to_thread(file.discard)
            raise
        return info

    async def stat(self, blob_id: str) -> BlobInfo | None:
        paths = self._paths(blob_id)
        if paths is None:
            return None

        def read() -> BlobInfo | None:
            try:
                meta = json.loads(paths[1].read_bytes())
            except FileNotFoundError:
                return None
            return BlobInfo(
                blob_id, meta["sha256"], meta["size"], meta["content_type"], meta["created_at"]
            )

        return await asyncio.to_thread(read)

    async def open(self, blob_id: str) -> BlobReader | None:
        """The blob for reading by range, or None when it is unknown or incomplete."""
        info = await self.stat(blob_id)
        paths = self._paths(blob_id)
        if info is None or paths is None or not await asyncio.to_thread(paths[0].exists):
            return None
        return BlobReader(info, paths[0])

    async def get(self, blob_id: str) -> bytes | None:
        reader = await self.open(blob_id)
        if reader is None:
            return None
        try:
            return b"".join([chunk async for chunk in reader.chunks()])
        except FileNotFoundError:
            return None

    async def delete(self, blob_id: str) -> bool:
        paths = self._paths(blob_id)
        if paths is None:
            return False

        def remove() -> bool:
            # Sidecar first: the blob disappears for readers before its bytes do.
            try:
                os.unlink(paths[1])
            except FileNotFoundError:
                return False
            with contextlib.suppress(FileNotFoundError):
                os.unlink(paths[0])
            return True

        return await asyncio.to_thread(remove)

    async def close(self) -> None:
        return None
