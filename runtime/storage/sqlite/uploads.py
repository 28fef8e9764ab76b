"""UploadStore on SQLite."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..errors import AlreadyExists
from ..uploads import Upload
from .db import SqliteDatabase

_COLS = "file_id, uploader_id, kind, name, content_type, size, sha256, created_at, public"


def _upload(r: Any) -> Upload:
    return Upload(str(r[0]), int(r[1]), int(r[2]), str(r[3]), str(r[4]), int(r[5]), str(r[6]),
                  int(r[7]), bool(r[8]))


class SqliteUploadStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def add(self, upload: Upload) -> Upload:
        u = upload

        def tx(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    f"INSERT INTO uploads ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (u.file_id, u.uploader_id, u.kind, u.name, u.content_type, u.size,
                     u.sha256, u.created_at, int(u.public)),
                )
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists(f"file {u.file_id}") from exc

        await self._db.write(tx)
        return upload

    async def get(self, file_id: str) -> Upload | None:
        row = await self._db.run(
            lambda c: c.execute(
                f"SELECT {_COLS} FROM uploads WHERE file_id = ?", (file_id,)
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
