"""BlobStore in a local folder."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from prim.runtime.storage.files.blobs import BlobTooLarge, FileBlobStore

pytestmark = pytest.mark.anyio


async def test_put_get_stat_delete(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs", clock=lambda: 42)
    data = b"\x89PNG" + bytes(range(256)) * 10
    info = await store.put(data, "image/png")
    assert info.size == len(data) and info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.content_type == "image/png" and info.created_at == 42
    assert await store.get(info.blob_id) == data
    assert await store.stat(info.blob_id) == info
    twin = await store.put(data, "image/png")  # same bytes, separate blob
    assert twin.blob_id != info.blob_id
    assert await store.delete(info.blob_id)
    assert not await store.delete(info.blob_id)
    assert await store.get(info.blob_id) is None and await store.stat(info.blob_id) is None
    assert await store.get(twin.blob_id) == data
    empty = await store.put(b"", "text/plain")
    assert await store.get(empty.blob_id) == b""
    # A reopened store over the same folder sees the same blobs.
    assert await FileBlobStore(tmp_path / "blobs").get(twin.blob_id) == data


async def test_ids_cannot_escape_the_folder(tmp_path: Path) -> None:
    (tmp_path / "secret.bin").write_bytes(b"secret")
    store = FileBlobStore(tmp_path / "blobs")
    for bad in ["../secret", "../../etc/passwd", "", "ABCDEF" * 6, "a" * 31, "a" * 33]:
        assert await store.get(bad) is None
        assert await store.stat(bad) is None
        assert not await store.delete(bad)


async def test_size_limit(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path, max_bytes=10)
    await store.put(b"x" * 10, "text/plain")
    with pytest.raises(BlobTooLarge):
        await store.put(b"x" * 11, "text/plain")


async def test_put_stream_and_ranged_reads(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    pieces = [bytes([i]) * 100_000 for i in range(7)]

    async def chunks() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    info = await store.put_stream(chunks(), "video/mp4")
    data = b"".join(pieces)
    assert info.size == len(data) and info.sha256 == hashlib.sha256(data).hexdigest()
    reader = await store.open(info.blob_id)
    assert reader is not None and reader.info == info
    assert b"".join([c async for c in reader.chunks()]) == data
    assert b"".join([c async for c in reader.chunks(99_990, 300_010)]) == data[99_990:300_010]
    assert [c async for c in reader.chunks(5, 5)] == []
    assert await store.open("f" * 32) is None


async def test_put_stream_over_the_limit_leaves_nothing(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs", max_bytes=1000)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"x" * 300

    with pytest.raises(BlobTooLarge):
        await store.put_stream(chunks(), "text/plain")
    with pytest.raises(BlobTooLarge):
        await FileBlobStore(tmp_path / "b2").put_stream(chunks(), "a/b", max_bytes=899)
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert leftovers == []
