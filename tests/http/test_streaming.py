"""Raw bodies stream: an upload reaches the handler as chunks under the limit (refused
as it passes it, Content-Length or not), and a download goes out in chunks with one
`Range` honoured (206, 416; multi-range and stale If-Range get the whole body)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from prim.runtime.http.ranges import ByteRange, Unsatisfiable, requested_range
from tests.http.conftest import AUTH
from tests.http.fakes import Recorder
from tests.http.test_binding import error_of

pytestmark = pytest.mark.anyio
DATA = bytes(range(256)) * 4  # 1024 bytes


async def _pieces(total: int, size: int = 1000) -> AsyncIterator[bytes]:
    for at in range(0, total, size):
        yield b"z" * min(size, total - at)


async def test_a_chunked_upload_is_refused_once_it_passes_the_limit(
        http: httpx.AsyncClient, impls: dict[str, Recorder]) -> None:
    # No Content-Length: only counting the chunks as they come can catch it.
    response = await http.post("/v1/files?kind=MSG_TYPE_FILE", content=_pieces(9000),
                               headers={**AUTH, "content-type": "application/zip"})
    assert response.status_code == 413
    assert error_of(response)["field"] == "content"
    fine = await http.post("/v1/files?kind=MSG_TYPE_FILE", content=_pieces(8192),
                           headers={**AUTH, "content-type": "application/zip"})
    assert fine.status_code == 200 and fine.json()["size"] == "8192"


async def _stored(http: httpx.AsyncClient) -> str:
    upload = await http.post("/v1/files?kind=MSG_TYPE_FILE", content=DATA,
                             headers={**AUTH, "content-type": "application/zip"})
    assert upload.status_code == 200, upload.text
    return f"/v1/files/{upload.json()['fileId']}"


@pytest.mark.parametrize(("header", "start", "end"), [
    ("bytes=0-9", 0, 10), ("bytes=1000-", 1000, 1024), ("bytes=-5", 1019, 1024),
    ("bytes=10-5000", 10, 1024), ("bytes=-5000", 0, 1024), ("bytes=1023-1023", 1023, 1024),
])
async def test_a_single_range_is_206(http: httpx.AsyncClient, header: str, start: int,
                                     end: int) -> None:
    path = await _stored(http)
    response = await http.get(path, headers={**AUTH, "range": header})
    assert response.status_code == 206, response.text
    assert response.content == DATA[start:end]
    assert response.headers["content-range"] == f"bytes {start}-{end - 1}/1024"
    assert response.headers["content-length"] == str(end - start)
    assert response.headers["content-disposition"] == "attachment"


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
async def test_a_range_past_the_end_is_416(http: httpx.AsyncClient, header: str) -> None:
    path = await _stored(http)
    response = await http.get(path, headers={**AUTH, "range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */1024"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-1", "bytes=5-1", "bytes=-",
                                    "bytes=x-y"])
async def test_other_ranges_get_the_whole_body(http: httpx.AsyncClient, header: str) -> None:
    path = await _stored(http)
    response = await http.get(path, headers={**AUTH, "range": header})
    assert response.status_code == 200 and response.content == DATA
    assert response.headers["accept-ranges"] == "bytes"


async def test_if_range_must_name_the_current_etag(http: httpx.AsyncClient) -> None:
    path = await _stored(http)
    whole = await http.get(path, headers=AUTH)
    etag = whole.headers["etag"]
    assert whole.status_code == 200 and whole.content == DATA
    fresh = await http.get(path, headers={**AUTH, "range": "bytes=0-0", "if-range": etag})
    assert fresh.status_code == 206 and fresh.content == DATA[:1]
    stale = await http.get(path, headers={**AUTH, "range": "bytes=0-0", "if-range": '"old"'})
    assert stale.status_code == 200 and stale.content == DATA


def test_requested_range_rules() -> None:
    assert requested_range("", 10) is None
    assert requested_range("bytes=2-4", 10) == ByteRange(2, 5)
    assert requested_range(" bytes = 2 - ", 10) == ByteRange(2, 10)
    assert requested_range("bytes=0-" + "9" * 30, 10) is None  # absurd numbers: ignored
    with pytest.raises(Unsatisfiable):
        requested_range("bytes=-3", 0)
    with pytest.raises(Unsatisfiable):
        requested_range("bytes=0-", 0)
