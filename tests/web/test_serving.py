"""`prim serve` serves the built web client at `/` and its files under `/web/`, leaves every
other path to the API (so /docs stays reachable), says how to build the client when it is
not built, and never serves a file outside the build folder."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from prim.runtime.http.text_route import Receive, Scope, Send
from prim.runtime.http.web_client import PAGE_POLICY, with_web_client

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _api(scope: Scope, receive: Receive, send: Send) -> None:
    """Stands in for the API: names the path it was given."""
    body = f"api {scope['path']}".encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


def _client(web_dir: Path) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=with_web_client(_api, web_dir))
    return httpx.AsyncClient(transport=transport, base_url="http://prim.test")


async def test_the_built_page_and_its_files(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>PRIM</title>")
    (tmp_path / "app.js").write_text("console.log('hi')")
    (tmp_path / "style.css").write_text("body {}")
    async with _client(tmp_path) as http:
        page = await http.get("/")
        assert page.status_code == 200
        assert page.text == "<!doctype html><title>PRIM</title>"
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["content-security-policy"] == PAGE_POLICY
        script = await http.get("/web/app.js")
        assert script.headers["content-type"] == "text/javascript; charset=utf-8"
        assert script.text == "console.log('hi')"
        assert (await http.get("/web/style.css")).headers["content-type"].startswith("text/css")
        assert (await http.head("/web/app.js")).content == b""
        # A rebuild shows without a restart.
        (tmp_path / "app.js").write_text("console.log('rebuilt')")
        assert (await http.get("/web/app.js")).text == "console.log('rebuilt')"
        assert (await http.get("/docs")).text == "api /docs"
        assert (await http.get("/v1/users/me")).text == "api /v1/users/me"


async def _raw_get(app_dir: Path, path: str) -> tuple[int, bytes]:
    """GET `path` exactly as given (no client normalises its dots away)."""
    app = with_web_client(_api, app_dir)
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    await app({"type": "http", "method": "GET", "path": path}, receive, send)  # type: ignore[arg-type]
    status = sent[0]["status"]
    assert isinstance(status, int)
    return status, b"".join(m.get("body", b"") for m in sent[1:])  # type: ignore[misc]


async def test_nothing_outside_the_build_folder(tmp_path: Path) -> None:
    build = tmp_path / "dist"
    build.mkdir()
    (build / "index.html").write_text("page")
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    for path in ("/web/../secret.txt", "/web/../dist/../secret.txt", f"/web/{tmp_path}/secret.txt",
                 "/web/", "/web/missing.js", "/web/..\\secret.txt", "/web/index.html\0"):
        status, body = await _raw_get(build, path)
        assert status == 404, path
        assert b"TOP SECRET" not in body
    async with _client(build) as http:
        refused = await http.post("/", content=b"x")
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, HEAD"


async def test_an_unbuilt_client_says_what_to_run(tmp_path: Path) -> None:
    async with _client(tmp_path / "absent") as http:
        page = await http.get("/")
    assert page.status_code == 200
    assert "The web client is not built" in page.text
    assert "make web" in page.text
    assert 'href="/docs"' in page.text
