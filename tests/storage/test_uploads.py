"""Contract: UploadStore (file metadata beside the BlobStore) on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses

import pytest

from prim.runtime.storage.errors import AlreadyExists
from prim.runtime.storage.factory import Database, upload_store
from prim.runtime.storage.postgres.db import PostgresDatabase
from prim.runtime.storage.uploads import Upload, UploadStore

pytestmark = pytest.mark.anyio


@pytest.fixture
async def uploads(database: Database) -> UploadStore:
    if isinstance(database, PostgresDatabase):
        await database.pool.execute("TRUNCATE uploads")
    return upload_store(database)


def _upload(file_id: str = "ab" * 16, **changes: object) -> Upload:
    base = Upload(file_id=file_id, uploader_id=10_001, kind=35, name="cat.png",
                  content_type="image/png", size=1234, sha256="cd" * 32,
                  created_at=1_700_000_000_000)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


async def test_add_and_get_round_trip(uploads: UploadStore) -> None:
    upload = _upload(name="été ☃.png", size=(1 << 32) + 5)
    assert await uploads.add(upload) == upload
    assert await uploads.get(upload.file_id) == upload
    assert await uploads.get("ef" * 16) is None


async def test_ids_are_unique(uploads: UploadStore) -> None:
    await uploads.add(_upload())
    with pytest.raises(AlreadyExists):
        await uploads.add(_upload(uploader_id=10_002))
    stored = await uploads.get(_upload().file_id)
    assert stored is not None and stored.uploader_id == 10_001


async def test_set_public_and_delete(uploads: UploadStore) -> None:
    upload = await uploads.add(_upload())
    other = await uploads.add(_upload("12" * 16))
    assert upload.public is False
    assert await uploads.set_public(upload.file_id)
    assert await uploads.get(upload.file_id) == dataclasses.replace(upload, public=True)
    assert await uploads.get(other.file_id) == other
    assert not await uploads.set_public("00" * 16)
    assert await uploads.delete(upload.file_id)
    assert not await uploads.delete(upload.file_id)
    assert await uploads.get(upload.file_id) is None
