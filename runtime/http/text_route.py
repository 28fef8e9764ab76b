"""An ASGI wrapper that answers GET on one extra path with generated text (e.g. Prometheus
metrics at /metrics) and passes everything else to the wrapped app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def with_text_route(app: App, path: str, render: Callable[[], str],
                    content_type: str = PROMETHEUS_TEXT) -> App:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != path:
            await app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _answer(send, 405, b"use GET\n", "text/plain", [(b"allow", b"GET, HEAD")])
            return
        body = render().encode()
        await _answer(send, 200, b"" if scope["method"] == "HEAD" else body, content_type,
                      [(b"cache-control", b"no-store")])

    return wrapped


async def _answer(send: Send, status: int, body: bytes, content_type: str,
                  extra: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()),
                            (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})
