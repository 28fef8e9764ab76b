"""The /docs page: the page a person reads to use the HTTP API, generated from the OpenAPI
document (itself generated from the spec): per operation its description, parameters,
request body with an example, response, and the error statuses with the codes each may
carry. One self-contained HTML page (no scripts, no CDN), so it works offline and under a
strict CSP. Sending and receiving messages happens over the gateway, not here: the page
says so first."""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

from prim.runtime.http.markdown import inline, to_html

_VERBS = ("get", "put", "post", "delete", "patch")

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;
color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}
code,pre{font-size:.95em}pre{background:#f6f8fa;padding:.6rem;overflow-x:auto}
.verb{font-weight:bold;font-family:monospace}.op{border-top:2px solid #eee;margin-top:1.5rem}
.get{color:#1a7f37}.post{color:#0550ae}.put{color:#8250df}.patch{color:#9a6700}
.delete{color:#cf222e}.desc{color:#444}.note{background:#fff8c5;padding:.6rem}
nav li{display:inline;margin-right:1rem}
"""

_GATEWAY_NOTE = (
    "Sending and receiving messages in real time is not done over HTTP: clients connect to "
    "the <strong>gateway</strong> (QUIC, or TLS over TCP; the node to use comes from "
    "<code>GET /v1/node</code>) and speak the wire protocol of "
    "<code>spec/PROTOCOL.md</code>. This API is for accounts, friends, groups, files, and "
    "stored messages (inbox, history, read markers, edit and withdraw)."
)


class _Schemas:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self._named: Mapping[str, Any] = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
        """(the schema's name or "", its definition)."""
        ref = schema.get("$ref", "")
        if ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            return name, self._named.get(name, {})
        return "", schema

    def type_of(self, schema: Mapping[str, Any]) -> str:
        name, definition = self.resolve(schema)
        if name == "UInt64" or (name and definition.get("type") == "string"
                                and "pattern" in definition and "enum" not in definition):
            return "integer (decimal string)"
        if "enum" in definition:
            return " | ".join(str(v) for v in definition["enum"])
        kind = definition.get("type", "object")
        if isinstance(kind, list):
            kind = " or ".join(str(k) for k in kind)
        if kind == "array":
            return f"array of {self.type_of(definition.get('items', {}))}"
        if kind == "object" and name:
            return f'<a href="#schema-{escape(name)}">{escape(name)}</a>'
        return escape(str(kind))

    def example(self, schema: Mapping[str, Any], depth: int = 0) -> Any:
        name, definition = self.resolve(schema)
        if "example" in definition:
            return definition["example"]
        if name == "UInt64":
            return "10001"
        if "enum" in definition:
            values = [v for v in definition["enum"] if not str(v).endswith("_UNSPECIFIED")]
            return (values or definition["enum"])[0]
        kind = definition.get("type", "object")
        if kind == "string":
            return "..." if "pattern" not in definition or "[^" in definition["pattern"] \
                else "10001"
        if kind in ("integer", "number"):
            return 1
        if kind == "boolean":
            return True
        if kind == "array":
            return [self.example(definition.get("items", {}), depth + 1)] if depth < 3 else []
        if depth >= 3:
            return {}
        return {prop: self.example(sub, depth + 1)
                for prop, sub in definition.get("properties", {}).items()}

    def fields(self, schema: Mapping[str, Any]) -> str:
        _, definition = self.resolve(schema)
        properties = definition.get("properties", {})
        if not properties:
            return "<p>No fields.</p>"
        required = set(definition.get("required", []))
        rows = "".join(
            f"<tr><td><code>{escape(prop)}</code></td><td>{self.type_of(sub)}</td>"
            f"<td>{'required' if prop in required else ''}</td>"
            f"<td>{_limits(self.resolve(sub)[1])}{inline(str(sub.get('description', '')))}"
            "</td></tr>"
            for prop, sub in properties.items())
        return ("<table><tr><th>Field</th><th>Type</th><th></th><th>Description</th></tr>"
                + rows + "</table>")


def _limits(schema: Mapping[str, Any]) -> str:
    if "default" in schema:  # a declared number (a page size): its default and range
        return (f"<em>1 to {schema.get('maximum')}; 0 or left out means "
                f"{schema['default']}.</em> ")
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if high is None:
        return f"<em>At least {low} characters.</em> " if low else ""
    return f"<em>{low} to {high} characters.</em> " if low else \
        f"<em>At most {high} characters.</em> "


def _operation(verb: str, path: str, op: Mapping[str, Any], document: Mapping[str, Any],
               schemas: _Schemas) -> str:
    op_id = str(op.get("operationId", ""))
    auth = "public" if op.get("security") == [] else "needs <code>Authorization: Bearer " \
        "&lt;access token&gt;</code>"
    out = [f'<div class="op" id="{escape(op_id)}"><h3><span class="verb {verb}">'
           f"{verb.upper()}</span> <code>{escape(path)}</code></h3>",
           f"<p><code>{escape(op_id)}</code>; {auth}</p>",
           f'<div class="desc">{to_html(str(op.get("description", "")))}</div>']
    params = op.get("parameters", [])
    if params:
        out.append("<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th>"
                   "<th></th><th>Description</th></tr>")
        for p in params:
            out.append(f"<tr><td><code>{escape(str(p.get('name')))}</code></td>"
                       f"<td>{escape(str(p.get('in')))}</td>"
                       f"<td>{schemas.type_of(p.get('schema', {}))}</td>"
                       f"<td>{'required' if p.get('required') else ''}</td>"
                       f"<td>{_limits(p.get('schema', {}))}"
                       f"{inline(str(p.get('description', '')))}</td></tr>")
        out.append("</table>")
    body = op.get("requestBody", {}).get("content", {})
    if "application/json" in body:
        schema = body["application/json"].get("schema", {})
        example = json.dumps(schemas.example(schema), indent=2)
        out.append("<h4>Request body</h4>" + schemas.fields(schema)
                   + f"<p>Example:</p><pre>{escape(example)}</pre>")
    elif body:
        kinds = ", ".join(escape(k) for k in body)
        out.append(f"<h4>Request body</h4><p>The raw bytes ({kinds}).</p>")
    responses = op.get("responses", {})
    ok = responses.get("200", {}).get("content", {})
    if "application/json" in ok:
        schema = ok["application/json"].get("schema", {})
        out.append(f"<h4>Response</h4><p>200: {schemas.type_of(schema)}</p>"
                   + schemas.fields(schema))
    elif ok:
        out.append(f"<h4>Response</h4><p>200: the raw bytes "
                   f"({', '.join(escape(k) for k in ok)}).</p>")
    errors = []
    for status, answer in responses.items():
        if not status.isdigit() or status == "200":
            continue
        # One line per code the operation declares at this status: "`CODE`: when".
        lines = str(answer.get("description", "")).split("\n")
        errors.append(f"<tr><td>{status}</td><td>"
                      + "<br>".join(inline(line) for line in lines) + "</td></tr>")
    if errors:
        out.append("<h4>Errors</h4><table><tr><th>Status</th><th>Codes and when</th></tr>"
                   + "".join(errors) + "</table>")
    out.append("</div>")
    return "".join(out)


def render_docs(document: Mapping[str, Any]) -> bytes:
    info = document.get("info", {})
    title = escape(str(info.get("title", "API")))
    schemas = _Schemas(document)
    by_tag: dict[str, list[str]] = {}
    for path, item in document.get("paths", {}).items():
        for verb in _VERBS:
            op = item.get(verb)
            if op is not None:
                tag = (op.get("tags") or ["API"])[0]
                by_tag.setdefault(tag, []).append(
                    _operation(verb, path, op, document, schemas))
    tag_text = {t.get("name"): t.get("description", "") for t in document.get("tags", [])}
    nav = "".join(f'<li><a href="#{escape(t)}">{escape(t)}</a></li>' for t in sorted(by_tag))
    sections = [f'<h2 id="{escape(tag)}">{escape(tag)}</h2>'
                f'<div class="desc">{to_html(str(tag_text.get(tag, "")))}</div>'
                + "".join(by_tag[tag]) for tag in sorted(by_tag)]
    named = document.get("components", {}).get("schemas", {})
    shown = [f'<h3 id="schema-{escape(name)}">{escape(name)}</h3>'
             + schemas.fields({"$ref": f"#/components/schemas/{name}"})
             for name, s in sorted(named.items()) if s.get("properties")]
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{title} <small>{escape(str(info.get('version', '')))}</small></h1>"
        f'<p class="note">{_GATEWAY_NOTE}</p>'
        f'<div class="desc">{to_html(str(info.get("description", "")))}</div>'
        '<p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI '
        f"{escape(str(document.get('openapi', '')))}). Sign up with "
        "<code>POST /v1/users</code>, log in with <code>POST /v1/sessions</code>, then "
        "send the access token as <code>Authorization: Bearer &lt;token&gt;</code>. Errors "
        "always carry an <code>Error</code> body: <code>{code, message, violations, "
        "retryAfterMs}</code>.</p>"
        f"<nav><ul>{nav}</ul></nav>"
        + "".join(sections)
        + "<h2>Types</h2>" + "".join(shown)
        + "</body></html>\n"
    )
    return page.encode("utf-8")
