"""HttpRule, request side: assembles a route's request message from the path variables, the
query string and the body.

- `body: "*"`: the JSON body holds every field the path does not bind; no query string.
- `body: "<field>"`: the body is that field (raw bytes for google.api.HttpBody, else its
  JSON value); every other field not bound by the path comes from the query string.
- no body: everything not in the path comes from the query string.
Query parameters are named by JSON names joined with dots (`message.conversationId`; the
proto names are accepted too); a repeated field repeats its parameter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import betterproto2

from prim.generated.checks import RuleViolation
from prim.generated.google.api import HttpBody
from prim.generated.prim.v1 import ErrorCode
from prim.generated.routes import QueryParam, Route
from prim.generated.validate import validate
from prim.runtime.errors import ApiError
from prim.runtime.http.codec import Codec, FieldError

HTTP_BODY = "google.api.HttpBody"
# A proto or JSON field path: dotted identifiers, short enough to be one.
_FIELD_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_FIELD_PATH_MAX = 200


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/")
                                           and media.endswith("+json"))


def parse_json(body: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity literals, no duplicate keys."""
    try:
        text = body.decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant,
                          object_pairs_hook=_no_duplicates)
    except FieldError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FieldError("", f"the body is not valid JSON: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise FieldError("", f"the body is not valid JSON: {name} is not a JSON value")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise FieldError(key, f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


class RequestBinder:
    def __init__(self, codec: Codec) -> None:
        self._codec = codec
        self._query: dict[str, dict[str, QueryParam]] = {}

    def _query_names(self, route: Route) -> dict[str, QueryParam]:
        names = self._query.get(route.operation_id)
        if names is None:
            names = {}
            for q in route.query_params:
                names[q.name] = q
                names[".".join(q.field_path)] = q
            self._query[route.operation_id] = names
        return names

    def bind(
        self,
        route: Route,
        path_values: Mapping[str, str],
        query_string: bytes,
        body: bytes,
        content_type: str,
        caller: int = 0,
    ) -> betterproto2.Message:
        """The request message, or ApiError (400 naming the field, 415) when the request
        does not fit the route or breaks a rule of the spec (the generated validator, which
        also trims text fields; `caller` is the calling user, 0 when none)."""
        try:
            data, raw_body = self._assemble(route, path_values, query_string, body, content_type)
            self._codec.check_presence(route.request, data)
        except FieldError as exc:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, exc.message,
                           error_field(exc.field)) from None
        message = route.request_type.from_dict(data)
        if raw_body is not None:
            setattr(message, route.body, raw_body)
        try:
            validate(message, caller)
        except RuleViolation as exc:
            raise ApiError(ErrorCode.INVALID_ARGUMENT, exc.message, exc.field) from None
        return message

    def _assemble(
        self,
        route: Route,
        path_values: Mapping[str, str],
        query_string: bytes,
        body: bytes,
        content_type: str,
    ) -> tuple[dict[str, Any], HttpBody | None]:
        codec = self._codec
        data: dict[str, Any] = {}
        raw_body: HttpBody | None = None
        path_fields = {p.field_path for p in route.path_params}

        if route.body == "*":
            if body:
                _require_json(content_type)
                top = frozenset(p[0] for p in path_fields if len(p) == 1)
                data = codec.decode(route.request, parse_json(body), exclude=top)
        elif route.body:
            shape = codec.field(route.request, route.body)
            if shape.kind == "message" and shape.type_name == HTTP_BODY:
                raw_body = HttpBody(content_type=content_type or "application/octet-stream",
                                    data=body)
            elif body:
                _require_json(content_type)
                data[shape.name] = codec.decode_field(shape, _not_null(parse_json(body),
                                                                       shape.name), shape.name)
        elif body:
            raise FieldError("", "this operation takes no request body")

        self._add_query(route, data, query_string)

        for param in route.path_params:
            shape = codec.field_at(route.request, param.field_path)
            name = ".".join(param.field_path)
            value = codec.parse_text(shape.kind, shape.type_name, path_values[param.name], name)
            _put(data, param.field_path, value, from_path=True)
        return data, raw_body

    def _add_query(self, route: Route, data: dict[str, Any], query_string: bytes) -> None:
        if not query_string:
            return
        try:
            pairs = parse_qsl(query_string.decode("ascii"), keep_blank_values=True,
                              errors="strict", max_num_fields=1000)
        except (UnicodeDecodeError, ValueError) as exc:
            raise FieldError("", f"the query string is malformed: {exc}") from None
        names = self._query_names(route)
        given: dict[tuple[str, ...], list[str]] = {}
        for name, text in pairs:
            param = names.get(name)
            if param is None:
                raise FieldError(name, f"unknown query parameter {name!r}")
            given.setdefault(param.field_path, []).append(text)
        for field_path, texts in given.items():
            shape = self._codec.field_at(route.request, field_path)
            label = ".".join(field_path)
            if not shape.repeated and len(texts) > 1:
                raise FieldError(label, f"{label} may be given only once")
            values = [self._codec.parse_text(shape.kind, shape.type_name, t, label)
                      for t in texts]
            _put(data, field_path, values if shape.repeated else values[0], from_path=False)


def error_field(name: str) -> str:
    """`name` as Error.field, or "" when it cannot be a field path: an unknown query
    parameter or JSON key is the client's text and may hold NUL, controls or megabytes,
    none of which belongs in a response field (the message quotes it escaped)."""
    return name if len(name) <= _FIELD_PATH_MAX and _FIELD_PATH.fullmatch(name) else ""


def _require_json(content_type: str) -> None:
    if not is_json(content_type):
        raise ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                       f"the body must be application/json, not {content_type or 'untyped'}")


def _not_null(value: Any, field: str) -> Any:
    if value is None:
        raise FieldError(field, f"{field} may not be null")
    return value


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any, *, from_path: bool) -> None:
    target = data
    for part in path[:-1]:
        inner = target.setdefault(part, {})
        if not isinstance(inner, dict):
            raise FieldError(part, f"{part} cannot be combined with its sub-fields")
        target = inner
    if path[-1] in target:
        name = ".".join(path)
        where = "the URL path" if from_path else "the query string"
        raise FieldError(name, f"{name} is given both in {where} and elsewhere")
    target[path[-1]] = value
