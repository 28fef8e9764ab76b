"""UploadStore on SQLite."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import Any

from ..errors import AlreadyExists
from ..models import Page
from ..paging import check_limit, make_page
from ..uploads import Upload
from .db import SqliteDatabase

_COLS = "file_id, uploader_id, kind, name, content_type, size, sha256, created_at, public"
_READ = f"{_COLS}, seq"


def _upload(r: Any) -> Upload:
    return Upload(str(r[0]), int(r[1]), int(r[2]), str(r[3]), str(r[4]), int(r[5]), str(r[6]),
                  int(r[7]), bool(r[8]), int(r[9]))


class SqliteUploadStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def add(self, upload: Upload) -> Upload:
        u = upload

        def tx(conn: sqlite3.Connection) -> int:
            # One writer at a time: MAX + 1 inside the write is unique.
            seq = int(conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM uploads")
                      .fetchone()[0])
            try:
                conn.execute(
                    f"INSERT INTO uploads ({_COLS}, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (u.file_id, u.uploader_id, u.kind, u.name, u.content_type, u.size,
                     u.sha256, u.created_at, int(u.public), seq),
                )
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists(f"file {u.file_id}") from exc
            return seq

        return replace(upload, seq=await self._db.write(tx))

    async def get(self, file_id: str) -> Upload | None:
        row = await self._db.run(
            lambda c: c.execute(
                f"SELECT {_READ} FROM uploads WHERE file_id = ?", (file_id,)
            ).fetchone()
        )
        return None if row is None else _upload(row)

    async def set_public(self, file_id: str) -> bool:
        def tx(conn: sqlite3.Connection) -> bool:
            cur = conn.execute("UPDATE uploads SET public = 1 WHERE file_id = ?", (file_id,))
            return cur.rowcount > 0

        return await self._db.write(tx)

    async def delete(self, file_id: str) -> bool:
        def tx(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM uploads WHERE file_id = ?", (file_id,)).rowcount > 0

        return await self._db.write(tx)

    async def list_by_uploader(self, uploader_id: int, *, after: int = 0,
                               limit: int = 100) -> Page[Upload]:
        check_limit(limit)
        rows = await self._db.run(
            lambda c: c.execute(
                f"SELECT {_READ} FROM uploads WHERE uploader_id = ? AND seq > ?"
                " ORDER BY seq LIMIT ?", (uploader_id, after, limit + 1),
            ).fetchall()
        )
        return make_page([_upload(r) for r in rows], limit, lambda u: u.seq)

    async def usage(self, uploader_id: int) -> int:
        row = await self._db.run(
            lambda c: c.execute(
                "SELECT COALESCE(SUM(size), 0) FROM uploads WHERE uploader_id = ?",
                (uploader_id,),
            ).fetchone()
        )
        return int(row[0])
