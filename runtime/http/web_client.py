"""An ASGI wrapper that serves the web client (clients/web, built into clients/web/dist) at
`/`, its assets under `/web/`, and passes everything else to the wrapped app. Files are read
per request, so a rebuild shows without a restart. Without a build, `/` says how to make one
and links the API's page."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from prim.runtime.http.text_route import App, Receive, Scope, Send

# The repository's build output (runtime/http/ -> the repository root).
DEFAULT_WEB_DIR = Path(__file__).resolve().parents[2] / "clients" / "web" / "dist"
ASSET_PREFIX = "/web/"

# The page talks to its own origin over HTTP and to the gateway over WebTransport (https:)
# or WebSocket (ws:, wss:); previews are blob: URLs. Nothing is loaded from elsewhere.
PAGE_POLICY = ("default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
               "connect-src 'self' https: wss: ws:; object-src 'none'; base-uri 'none'; "
               "frame-ancestors 'none'")

NOT_BUILT = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PRIM</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>PRIM</h1>
<p>The web client is not built. It needs Node.js 20 with npm: install them, then run
<code>make web</code> (or <code>make run</code>, which builds it when npm is there) and reload.</p>
<p>The HTTP API is documented at <a href="/docs">/docs</a>.</p>
</body></html>
"""


def with_web_client(app: App, web_dir: Path = DEFAULT_WEB_DIR) -> App:
    root = web_dir.resolve()

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/" or path.startswith(ASSET_PREFIX)):
            await app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _answer(send, scope, 405, b"use GET\n", "text/plain",
                          [(b"allow", b"GET, HEAD")])
            return
        if path == "/":
            index = root / "index.html"
            body = index.read_bytes() if index.is_file() else NOT_BUILT
            await _answer(send, scope, 200, body, "text/html; charset=utf-8",
                          [(b"content-security-policy", PAGE_POLICY.encode()),
                           (b"cache-control", b"no-cache")])
            return
        file = _asset(root, path[len(ASSET_PREFIX):])
        if file is None:
            await _answer(send, scope, 404, b"no such file\n", "text/plain", [])
            return
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        await _answer(send, scope, 200, file.read_bytes(), content_type,
                      [(b"cache-control", b"no-cache")])

    return wrapped


def _asset(root: Path, name: str) -> Path | None:
    """The file `name` inside root; None for anything outside it (`..`, absolute paths)."""
    if not name or "\\" in name or "\0" in name:
        return None
    file = (root / name).resolve()
    return file if file.is_relative_to(root) and file.is_file() else None


async def _answer(send: Send, scope: Scope, status: int, body: bytes, content_type: str,
                  extra: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()),
                            (b"content-length", str(len(body)).encode()),
                            (b"x-content-type-options", b"nosniff"), *extra]})
    await send({"type": "http.response.body",
                "body": b"" if scope["method"] == "HEAD" else body})
