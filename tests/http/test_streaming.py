"""Raw bodies stream: an upload reaches the handler as chunks under the limit (refused
as it passes it, Content-Length or not), and a download goes out in chunks with one
`Range` honoured (206, 416; multi-range and stale If-Range get the whole body), also when the
handler answers with the bytes instead of a stream; HEAD gets a GET's status and headers
without the content, and the OpenAPI document says all of it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from prim.runtime.http.app import load_openapi
from prim.runtime.http.ranges import ByteRange, Unsatisfiable, requested_range
from tests.http.conftest import AUTH
from tests.http.fakes import Files, Recorder
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


async def test_a_range_of_bytes_the_handler_holds_in_memory(
        http: httpx.AsyncClient, impls: dict[str, Recorder]) -> None:
    files = impls["FileService"]
    assert isinstance(files, Files)
    files.stream_downloads = False
    path = await _stored(http)
    part = await http.get(path, headers={**AUTH, "range": "bytes=4-7"})
    assert part.status_code == 206 and part.content == DATA[4:8]
    whole = await http.get(path, headers=AUTH)
    assert whole.content == DATA and whole.headers["etag"]


async def test_head_of_a_download_sends_the_headers_only(http: httpx.AsyncClient) -> None:
    path = await _stored(http)
    whole = await http.get(path, headers=AUTH)
    head = await http.head(path, headers=AUTH)
    assert head.status_code == 200 and head.content == b""
    for name in ("content-length", "etag", "accept-ranges", "content-type"):
        assert head.headers[name] == whole.headers[name], name
    part = await http.head(path, headers={**AUTH, "range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == b""
    assert part.headers["content-range"] == "bytes 0-9/1024"
    assert part.headers["content-length"] == "10"


async def test_head_of_a_json_get_and_of_an_error(http: httpx.AsyncClient) -> None:
    got = await http.get("/v1/users/me", headers=AUTH)
    head = await http.head("/v1/users/me", headers=AUTH)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"] != "0"
    missing = await http.head("/v1/files/nope", headers=AUTH)
    assert missing.status_code == 404 and missing.content == b""
    assert (await http.head("/v1/users/me")).status_code == 401


async def test_head_is_allowed_wherever_get_is(http: httpx.AsyncClient) -> None:
    options = await http.options("/v1/users/me")
    assert "HEAD" in options.headers["allow"].split(", ")
    refused = await http.put("/v1/users/me", headers=AUTH)
    assert refused.status_code == 405 and "HEAD" in refused.headers["allow"]
    assert (await http.head("/openapi.json")).status_code == 200


def test_the_document_describes_ranges_and_head() -> None:
    item = json.loads(load_openapi())["paths"]["/v1/files/{file_id}"]
    get, head = item["get"], item["head"]
    assert {p["name"] for p in get["parameters"]} >= {"file_id", "Range", "If-Range"}
    assert {"200", "206", "416", "404"} <= set(get["responses"])
    assert "Content-Range" in get["responses"]["206"]["headers"]
    assert head["operationId"] == "FileService_DownloadFile_Head"
    assert set(head["responses"]) == set(get["responses"])
    assert all("content" not in answer for answer in head["responses"].values())


def test_requested_range_rules() -> None:
    assert requested_range("", 10) is None
    assert requested_range("bytes=2-4", 10) == ByteRange(2, 5)
    assert requested_range(" bytes = 2 - ", 10) == ByteRange(2, 10)
    assert requested_range("bytes=0-" + "9" * 30, 10) is None  # absurd numbers: ignored
    with pytest.raises(Unsatisfiable):
        requested_range("bytes=-3", 0)
    with pytest.raises(Unsatisfiable):
        requested_range("bytes=0-", 0)
