"""The client half of the HTTP binding: turns a request message into an HTTP request by the
route's HttpRule (the mirror of bind.py) and the answer back into a message or a
PrimApiError. The generated `prim.generated.http_client` gives it typed per-service
methods; everything about HTTP lives here, once."""

from __future__ import annotations

import json
from typing import Any, TypeVar
from urllib.parse import quote

import betterproto2
import httpx

from prim.generated.checks import RuleViolation
from prim.generated.google.api import HttpBody
from prim.generated.prim.v1 import Error, ErrorCode
from prim.generated.routes import ENUMS, MESSAGES, Route
from prim.generated.validate import validate
from prim.runtime.http.codec import Codec, FieldError

T = TypeVar("T", bound=betterproto2.Message)
_CODEC = Codec(MESSAGES, ENUMS)


class PrimApiError(Exception):
    """The server answered with an error status and an `Error` body."""

    def __init__(self, status: int, code: ErrorCode, message: str, field: str = "", *,
                 retry_after_ms: int = 0) -> None:
        super().__init__(f"{status} {code.name}: {message}" + (f" ({field})" if field else ""))
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        # The server's advice on when to retry (rate limits, overload); 0 when it gave none.
        self.retry_after_ms = retry_after_ms


class HttpTransport:
    """One httpx.AsyncClient plus the bearer token; shared by every service sub-client."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        client: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._client = client or httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._owns_client = client is None
        self.token = token
        # The signed-in user, for the rules that refuse the caller's own id (0: unknown).
        self.user_id = 0

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def call(self, route: Route, request: betterproto2.Message, response_type: type[T]) -> T:
        """Sends `request` (checked first by the spec's generated validator, as the server
        would: a broken rule fails here with the server's 400, and text goes trimmed)."""
        try:
            validate(request, self.user_id)
        except RuleViolation as exc:
            raise PrimApiError(400, ErrorCode.INVALID_ARGUMENT, exc.message, exc.field) from None
        method, url, params, content, headers = build_request(route, request)
        if self.token and not route.public:
            headers["authorization"] = f"Bearer {self.token}"
        # A tuple: httpx's parameter type is covariant only for tuples.
        answer = await self._client.request(method, url, params=tuple(params), content=content,
                                            headers=headers)
        return read_response(route, answer, response_type)


def build_request(
    route: Route, request: betterproto2.Message
) -> tuple[str, str, list[tuple[str, str]], bytes | None, dict[str, str]]:
    """(verb, path, query pairs, body, headers) for `request` on `route`."""
    present = request.to_dict(casing=betterproto2.Casing.SNAKE)
    full = request.to_dict(casing=betterproto2.Casing.SNAKE, include_default_values=True)
    path = route.path
    for param in route.path_params:
        value = _text(_get(full, param.field_path))
        template = _variable(route.path, ".".join(param.field_path))
        safe = "/" if "**" in template else ""
        path = path.replace(template, quote(value, safe=safe))
    params: list[tuple[str, str]] = []
    for q in route.query_params:
        shape = _CODEC.field_at(route.request, q.field_path)
        value = _get(present, q.field_path)
        if value is None and shape.required:
            value = _get(full, q.field_path)  # REQUIRED: sent even when it is the default
        if value is None:
            continue
        for item in value if q.repeated else [value]:
            params.append((q.name, _text(item)))
    headers: dict[str, str] = {}
    content: bytes | None = None
    if route.body == "*":
        body = _CODEC.encode(route.request, present)
        for param in route.path_params:
            _drop(body, route.request, param.field_path)
        content = json.dumps(body, separators=(",", ":")).encode("utf-8")
        headers["content-type"] = "application/json"
    elif route.body:
        value = getattr(request, route.body)
        if isinstance(value, HttpBody):
            content = value.data
            headers["content-type"] = value.content_type or "application/octet-stream"
        elif route.body in present:
            shape = _CODEC.field(route.request, route.body)
            encoded = _CODEC.encode(route.request, {shape.name: present[shape.name]})
            content = json.dumps(encoded[shape.json_name]).encode("utf-8")
            headers["content-type"] = "application/json"
    return route.verb, path, params, content, headers


def read_response(route: Route, answer: httpx.Response, response_type: type[T]) -> T:
    if answer.status_code >= 400:
        raise _error(answer)
    if response_type is HttpBody:
        content_type = answer.headers.get("content-type", "application/octet-stream")
        return HttpBody(content_type=content_type, data=answer.content)  # type: ignore[return-value]
    try:
        data: Any = answer.json()
        if route.response_body:
            shape = _CODEC.field(route.response, route.response_body)
            data = {shape.json_name: data}
        # Lenient: a newer server may send fields this client does not know yet.
        return response_type.from_dict(_CODEC.decode(route.response, data, lenient=True))
    except (ValueError, FieldError) as exc:
        raise PrimApiError(answer.status_code, ErrorCode.UNSPECIFIED,
                           f"the server's answer is not a valid {route.response}: {exc}") from None


def _error(answer: httpx.Response) -> PrimApiError:
    try:
        error = Error.from_dict(answer.json(), ignore_unknown_fields=True)
        return PrimApiError(answer.status_code, error.code, error.message, error.field,
                            retry_after_ms=error.retry_after_ms)
    except (ValueError, TypeError, AttributeError):
        text = answer.text[:200] or answer.reason_phrase
        return PrimApiError(answer.status_code, ErrorCode.UNSPECIFIED, text)


def _variable(path: str, name: str) -> str:
    start = path.index("{" + name)
    return path[start:path.index("}", start) + 1]


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _drop(body: dict[str, Any], type_name: str, path: tuple[str, ...]) -> None:
    """Removes a path-bound field (by proto path) from a JSON body keyed by json names."""
    shape = _CODEC.field(type_name, path[0])
    if len(path) == 1:
        body.pop(shape.json_name, None)
    elif isinstance(body.get(shape.json_name), dict):
        _drop(body[shape.json_name], shape.type_name, path[1:])


def _text(value: Any) -> str:
    """A canonical JSON scalar as it is spelled in a URL."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
