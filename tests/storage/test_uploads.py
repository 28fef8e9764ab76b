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
    added = await uploads.add(upload)
    assert added.seq > 0 and dataclasses.replace(added, seq=0) == upload
    assert await uploads.get(upload.file_id) == added
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


async def test_list_by_uploader_pages_in_upload_order(uploads: UploadStore) -> None:
    mine = [await uploads.add(_upload(f"{i:032x}", size=100 + i)) for i in (7, 3, 9, 1, 5)]
    await uploads.add(_upload("ff" * 16, uploader_id=10_002, size=99))
    assert [u.seq for u in mine] == sorted(u.seq for u in mine)
    first = await uploads.list_by_uploader(10_001, limit=2)
    assert list(first.items) == mine[:2] and first.next_after == mine[1].seq
    rest = await uploads.list_by_uploader(10_001, after=mine[1].seq, limit=10)
    assert list(rest.items) == mine[2:] and rest.next_after is None
    assert (await uploads.list_by_uploader(10_003)).items == []
    assert await uploads.usage(10_001) == sum(u.size for u in mine)
    assert await uploads.usage(10_002) == 99 and await uploads.usage(10_003) == 0
    await uploads.delete(mine[0].file_id)
    assert await uploads.usage(10_001) == sum(u.size for u in mine[1:])
