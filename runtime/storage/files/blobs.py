"""BlobStore in a local folder: <root>/<id[:2]>/<id>.bin with a <id>.json sidecar.

Ids are random (not the content hash), so deleting one user's upload never removes
another's identical file. Both files are written atomically; the sidecar goes last, so a
blob is visible only once complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import secrets
from pathlib import Path

from ..clock import wall_clock_ms
from ..models import BlobInfo, Clock
from .atomic import atomic_write

_ID = re.compile(r"^[0-9a-f]{32}$")


class BlobTooLarge(ValueError):
    """The upload exceeds the store's size limit."""


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
        if self._max is not None and len(data) > self._max:
            raise BlobTooLarge(f"{len(data)} bytes > limit {self._max}")
        blob_id = secrets.token_hex(16)
        info = BlobInfo(
            blob_id=blob_id,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            content_type=content_type,
            created_at=self._clock(),
        )
        paths = self._paths(blob_id)
        assert paths is not None
        data_path, meta_path = paths
        meta = {
            "sha256": info.sha256,
            "size": info.size,
            "content_type": info.content_type,
            "created_at": info.created_at,
        }

        def write() -> None:
            data_path.parent.mkdir(exist_ok=True)
            atomic_write(data_path, data)
            atomic_write(meta_path, json.dumps(meta).encode())

        await asyncio.to_thread(write)
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

    async def get(self, blob_id: str) -> bytes | None:
        paths = self._paths(blob_id)
        if paths is None:
            return None

        def read() -> bytes | None:
            if not paths[1].exists():
                return None  # incomplete or deleted
            try:
                return paths[0].read_bytes()
            except FileNotFoundError:
                return None

        return await asyncio.to_thread(read)

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
