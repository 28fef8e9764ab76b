"""The /docs page: the operations of the OpenAPI document as one self-contained HTML page
(no scripts, no CDN), so the docs work offline and under a strict CSP."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

_VERBS = ("get", "put", "post", "delete", "patch")

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;
color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}
td,th{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left;vertical-align:top}
code{font-size:.95em}.verb{font-weight:bold;font-family:monospace}
.get{color:#1a7f37}.post{color:#0550ae}.put{color:#8250df}.patch{color:#9a6700}
.delete{color:#cf222e}.desc{white-space:pre-wrap;color:#444}
"""


def render_docs(document: Mapping[str, Any]) -> bytes:
    info = document.get("info", {})
    title = escape(str(info.get("title", "API")))
    by_tag: dict[str, list[str]] = {}
    for path, item in document.get("paths", {}).items():
        for verb in _VERBS:
            op = item.get(verb)
            if op is None:
                continue
            tag = (op.get("tags") or ["API"])[0]
            auth = "public" if op.get("security") == [] else "bearer token"
            by_tag.setdefault(tag, []).append(
                "<tr>"
                f'<td class="verb {verb}">{verb.upper()}</td>'
                f"<td><code>{escape(path)}</code></td>"
                f"<td><code>{escape(str(op.get('operationId', '')))}</code></td>"
                f'<td class="desc">{escape(str(op.get("description", "")))}</td>'
                f"<td>{auth}</td>"
                "</tr>"
            )
    tag_text = {t.get("name"): t.get("description", "") for t in document.get("tags", [])}
    sections = []
    for tag in sorted(by_tag):
        sections.append(
            f"<h2>{escape(tag)}</h2>"
            f'<p class="desc">{escape(str(tag_text.get(tag, "")))}</p>'
            "<table><tr><th>Method</th><th>Path</th><th>operationId</th>"
            "<th>Description</th><th>Auth</th></tr>"
            + "".join(by_tag[tag])
            + "</table>"
        )
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{title} <small>{escape(str(info.get('version', '')))}</small></h1>"
        f'<p class="desc">{escape(str(info.get("description", "")))}</p>'
        '<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI '
        f"{escape(str(document.get('openapi', '')))}). Errors always carry an "
        "<code>Error</code> body: <code>{code, message, field}</code>.</p>"
        + "".join(sections)
        + "</body></html>\n"
    )
    return page.encode("utf-8")
