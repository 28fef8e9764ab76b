"""UploadStore on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import asyncpg

from ..errors import AlreadyExists
from ..models import Page
from ..paging import check_limit, make_page
from ..uploads import Upload
from .db import PostgresDatabase

_COLS = "file_id, uploader_id, kind, name, content_type, size, sha256, created_at, public"
_READ = f"{_COLS}, seq"


def _upload(r: Any) -> Upload:
    return Upload(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])


class PostgresUploadStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self._pool = db.pool

    async def add(self, upload: Upload) -> Upload:
        u = upload
        try:
            seq = await self._pool.fetchval(
                f"INSERT INTO uploads ({_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                " RETURNING seq",
                u.file_id, u.uploader_id, u.kind, u.name, u.content_type, u.size, u.sha256,
                u.created_at, u.public,
            )  # fmt: skip
        except asyncpg.UniqueViolationError as exc:
            raise AlreadyExists(f"file {u.file_id}") from exc
        return replace(upload, seq=int(seq))

    async def get(self, file_id: str) -> Upload | None:
        row = await self._pool.fetchrow(f"SELECT {_READ} FROM uploads WHERE file_id = $1",
                                        file_id)
        return None if row is None else _upload(row)

    async def set_public(self, file_id: str) -> bool:
        status = await self._pool.execute(
            "UPDATE uploads SET public = TRUE WHERE file_id = $1", file_id
        )
        return bool(status != "UPDATE 0")

    async def delete(self, file_id: str) -> bool:
        status = await self._pool.execute("DELETE FROM uploads WHERE file_id = $1", file_id)
        return bool(status != "DELETE 0")

    async def list_by_uploader(self, uploader_id: int, *, after: int = 0,
                               limit: int = 100) -> Page[Upload]:
        check_limit(limit)
        rows = await self._pool.fetch(
            f"SELECT {_READ} FROM uploads WHERE uploader_id = $1 AND seq > $2"
            " ORDER BY seq LIMIT $3", uploader_id, after, limit + 1,
        )  # fmt: skip
        return make_page([_upload(r) for r in rows], limit, lambda u: u.seq)

    async def usage(self, uploader_id: int) -> int:
        total = await self._pool.fetchval(
            "SELECT COALESCE(SUM(size), 0) FROM uploads WHERE uploader_id = $1", uploader_id
        )
        return int(total)
