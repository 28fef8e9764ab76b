"""The upload port: what FileService knows about an uploaded file (who uploaded it, its
name, kind and type, whether anyone may read it). The bytes live in the BlobStore under
the same id; this record is written after the bytes, so a record always has its bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .models import Page


@dataclass(frozen=True, slots=True)
class Upload:
    #: The BlobStore id (random, 128 bits, hex).
    file_id: str
    uploader_id: int
    #: The MsgType number the file was uploaded for (Image 35, File 34, ...).
    kind: int
    name: str
    content_type: str
    size: int
    sha256: str
    created_at: int
    #: True once the file is something every signed-in user may read (a profile avatar).
    public: bool = False
    #: The store's listing position (set by `add`; increases with every upload).
    seq: int = 0


class UploadStore(Protocol):
    async def add(self, upload: Upload) -> Upload:
        """Stores the record (returned with its `seq`); AlreadyExists if its id is taken."""

    async def get(self, file_id: str) -> Upload | None: ...

    async def set_public(self, file_id: str) -> bool:
        """Makes the file readable by every signed-in user; False for an unknown id."""

    async def delete(self, file_id: str) -> bool: ...

    async def list_by_uploader(self, uploader_id: int, *, after: int = 0,
                               limit: int = 100) -> Page[Upload]:
        """The user's uploads in upload order, from just past `seq` ``after``."""

    async def usage(self, uploader_id: int) -> int:
        """The bytes of every file the user has stored (what the quota counts)."""
