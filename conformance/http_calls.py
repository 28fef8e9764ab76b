"""HTTP steps: a call by operationId, built from the generated route table (path fields
into the path, `body: "*"` into the JSON body, the rest into the query), the way any
client of the spec would build it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from prim.generated.routes import ROUTES, Route

_BY_OPERATION: dict[str, Route] = {r.operation_id: r for r in ROUTES}
_PLACEHOLDER = re.compile(r"\{([^}=]+)(?:=[^}]*)?\}")


class UnknownOperation(Exception):
    pass


@dataclass
class HttpAnswer:
    status: int
    body: Any  # the JSON answer (None when it is not JSON)
    text: str


def route_of(operation: str) -> Route:
    try:
        return _BY_OPERATION[operation]
    except KeyError:
        raise UnknownOperation(f"no operation {operation!r} in the spec") from None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _take(body: dict[str, Any], path: tuple[str, ...]) -> Any:
    """Removes and returns the field at `path` (proto or JSON names), None if absent."""
    node: Any = body
    for name in path[:-1]:
        node = node.get(name, node.get(_camel(name))) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return None
    last = path[-1]
    for key in (last, _camel(last)):
        if key in node:
            return node.pop(key)
    return None


async def call(http: httpx.AsyncClient, operation: str, body: dict[str, Any],
               token: str | None) -> HttpAnswer:
    route = route_of(operation)
    fields = json.loads(json.dumps(body))  # a copy we may take fields out of
    path = route.path
    for param in route.path_params:
        value = _take(fields, param.field_path)
        if value is None:
            raise ValueError(f"{operation} needs {'.'.join(param.field_path)} in its body")
        path = _fill(path, ".".join(param.field_path), quote(str(value), safe=""))
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    params: dict[str, Any] = {}
    content: bytes | None = None
    if route.body == "*":
        content = json.dumps(fields).encode()
        headers["Content-Type"] = "application/json"
    elif route.body:
        content = json.dumps(_take(fields, (route.body,)) or {}).encode()
        headers["Content-Type"] = "application/json"
        params = _flatten(fields)
    else:
        params = _flatten(fields)
    response = await http.request(route.verb, path, params=params, content=content,
                                  headers=headers)
    try:
        parsed = response.json() if response.content else {}
    except ValueError:
        parsed = None
    return HttpAnswer(response.status_code, parsed, response.text[:500])


def _fill(path: str, dotted: str, value: str) -> str:
    def one(m: re.Match[str]) -> str:
        return value if m.group(1) == dotted else m.group(0)

    return _PLACEHOLDER.sub(one, path)


def _flatten(fields: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        name = f"{prefix}{_camel(key)}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = value
    return out


def dig(answer: Any, dotted: str) -> Any:
    """The value at a dotted path ("group.id", "items.0.seqnum"; proto or JSON names)."""
    node = answer
    for part in dotted.split("."):
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.get(part, node.get(_camel(part)))
        else:
            return None
    return node
