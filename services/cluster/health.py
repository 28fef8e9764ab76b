"""/healthz and /metrics for a process whose role has no HTTP API of its own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prim.runtime.http.text_route import with_text_route
from prim.runtime.http_serve import HttpServer

Render = Callable[[], str]


async def _not_found(scope: MutableMapping[str, Any],
                     receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
                     send: Callable[[MutableMapping[str, Any]], Awaitable[None]]) -> None:
    if scope["type"] != "http":
        return
    body = b"only /healthz and /metrics are served here\n"
    await send({"type": "http.response.start", "status": 404,
                "headers": [(b"content-type", b"text/plain"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def health_server(host: str, port: int, metrics: Render, healthy: Callable[[], bool]
                  ) -> HttpServer:
    """/metrics, and /healthz: 200 {"status":"ok"} while `healthy()`, else 503
    {"status":"unavailable"} (probes that read only the status tell the two apart)."""
    app = with_text_route(_not_found, "/metrics", metrics)

    async def with_health(scope: MutableMapping[str, Any],
                          receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
                          send: Callable[[MutableMapping[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] != "http" or scope.get("path") != "/healthz":
            await app(scope, receive, send)
            return
        ok = healthy()
        body = b'{"status":"ok"}' if ok else b'{"status":"unavailable"}'
        await send({"type": "http.response.start", "status": 200 if ok else 503,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})

    return HttpServer(with_health, host=host, port=port)


def health_fields(base_url: str) -> dict[str, object]:
    """The ready line's entries for a health server at `base_url`."""
    return {"health": f"{base_url}/healthz", "metrics": f"{base_url}/metrics"}


def render_counters(prefix: str, values: dict[str, float], help_text: dict[str, str]) -> str:
    """Prometheus text for a flat set of counters/gauges (`<prefix>_<name>`)."""
    lines: list[str] = []
    for name, value in values.items():
        full = f"{prefix}_{name}"
        if name in help_text:
            lines.append(f"# HELP {full} {help_text[name]}")
        lines.append(f"{full} {value}")
    return "\n".join(lines) + "\n"
