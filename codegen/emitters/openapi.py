"""Emits openapi/openapi.json (and a copy in python/, so the installed package can serve it):
the OpenAPI 3.1 document of every google.api.http binding, mapped by the HttpRule rules.

- Path parameters are named by their proto field path joined with "_" (never json_name,
  never dots: `{message.conversation_id}` -> `{message_conversation_id}`).
- With `body: "*"` the body is an inline object of the fields the path does not bind (not a
  $ref: schemathesis's ST202 misfires on $ref bodies combined with path patterns).
- Otherwise the fields neither in the path nor in the body are query parameters: one per
  leaf field (oneof members one by one, never the oneof), `required` only for REQUIRED.
- Every error answer is the `Error` schema, one response per status listing exactly the
  codes the operation can answer (_openapi_errors.py); public methods drop the global
  bearer security.
- A GET answering a google.api.HttpBody (a download) documents `Range`/`If-Range`, 206 and
  416, and a HEAD beside it (_openapi_ranges.py).
- Links, for readers and stateful testing, only from a create (a POST to a collection: the
  path ends in a literal segment) to what its caller may do with the resource it made: the
  reads at or below the item path (`<collection>/{id}`, `.../info`, `.../members`) and the
  PATCH, PUT and DELETE of the item itself, each path parameter taken from the response field
  of the same name. Actions (POSTs below the item) and other resources' writes below it
  (a join request, one's membership) are someone else's move or need another state, so the
  rule never links them: a creator does not accept their own friend request, request to
  join or leave the group they own.
- Schemas of what an answer can carry stay open to fields added later; request schemas
  refuse unknown properties, as the binding does. Only components the paths reach are
  listed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from prim.codegen.emitters._openapi_errors import code_enum, error_responses, http_code_schema
from prim.codegen.emitters._openapi_http import (
    Operation,
    body_field,
    body_fields,
    is_http_body,
    operations,
    reachable_types,
    response_field,
    simple_name,
)
from prim.codegen.emitters._openapi_ranges import (
    RANGE_PARAMETERS,
    download_responses,
    head_operation,
)
from prim.codegen.emitters._openapi_schema import (
    INT64_SCHEMAS,
    Schema,
    enum_schema,
    field_schema,
    message_schema,
    object_schema,
    ref,
)
from prim.codegen.model import (
    Enum,
    Field,
    Model,
    SpecError,
    query_params,
    resolve_field_path,
)

OPENAPI_VERSION = "3.1.0"
BINARY: Schema = {"type": "string", "format": "binary"}

def emit(model: Model) -> dict[str, str]:
    ops = operations(model)
    if not ops:
        return {}
    text = json.dumps(document(model, ops), indent=2, ensure_ascii=False) + "\n"
    return {"openapi/openapi.json": text, "python/openapi.json": text}


def document(model: Model, ops: list[Operation]) -> dict[str, Any]:
    error = _error_message(model, ops)
    codes = code_enum(model, error)
    messages, enums = reachable_types(model, ops, also=[error])
    # Types an answer can carry stay open (no additionalProperties: false), also where a
    # request uses them too.
    answered, _ = reachable_types(model, [],
                                  also=[error, *(op.method.output_type for op in ops)])
    schemas: dict[str, Schema] = {}
    for name in [*messages, *enums]:
        key = simple_name(model, name)
        if key in schemas:
            raise SpecError(f"two types are both called {key} in the OpenAPI components")
        if name in model.messages:
            schemas[key] = message_schema(model, model.message(name),
                                          closed=name not in answered)
        elif name == codes.full_name:
            schemas[key] = http_code_schema(model, codes)
        else:
            schemas[key] = enum_schema(model, name)

    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        item = paths.setdefault(op.binding.openapi_path, {})
        verb = op.binding.verb.lower()
        if verb in item:
            raise SpecError(f"{op.operation_id}: {op.binding.verb} {op.binding.path} is "
                            f"bound twice")
        item[verb] = _operation(model, op, ops, codes, error)
        if _is_download(op):
            item["head"] = head_operation(item[verb])

    for name, schema in INT64_SCHEMAS.items():
        if _refers_to(paths, name) or _refers_to(schemas, name):
            if name in schemas:
                raise SpecError(f"a spec type is called {name}, a name the document reserves")
            schemas[name] = schema
    schemas = _referenced(paths, schemas)

    packages = sorted({op.service.package for op in ops})
    root = packages[0].split(".")[0] if packages and packages[0] else "api"
    version = packages[0].split(".")[-1] if packages and "." in packages[0] else "0"
    services = []
    for op in ops:
        if op.service not in services:
            services.append(op.service)
    api = model.api
    info: dict[str, Any] = {
        "title": api.title if api else f"{root.upper()} HTTP API",
        "version": version,
        "description": (
            "Generated from the protobuf spec (google.api.http bindings). Bodies are "
            "proto3 JSON: lowerCamelCase names, 64-bit integers as decimal strings "
            "(requests may also send JSON integers), enums by value name, bytes as "
            "base64. Every error answer has an `Error` body and a real HTTP status. "
            "Answers may gain fields in later versions: ignore those you do not know."
        ),
    }
    if api and api.license:
        info["license"] = {"name": api.license, "identifier": api.license}
    servers = [{"url": url, "description": text} for url, text in api.servers] if api else []
    return {
        "openapi": OPENAPI_VERSION,
        "info": info,
        "servers": servers or [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [
            {"name": svc.name, "description": svc.comment or model.file_comments.get(svc.file, "")}
            for svc in services
        ],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An access token from a login, sent as "
                                   "`Authorization: Bearer <token>`.",
                }
            },
        },
    }


def _referenced(paths: dict[str, Any], schemas: dict[str, Schema]) -> dict[str, Schema]:
    """The components the paths reach, directly or through other components: a request
    message whose fields are all parameters or an inline body is never referred to."""
    keep: set[str] = set()
    todo: list[object] = [paths]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            target = node.get("$ref")
            if isinstance(target, str) and target.startswith(_COMPONENT):
                name = target.removeprefix(_COMPONENT)
                if name not in keep:
                    keep.add(name)
                    todo.append(schemas[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return {name: schema for name, schema in schemas.items() if name in keep}


_COMPONENT = "#/components/schemas/"


def _refers_to(node: object, component: str) -> bool:
    if isinstance(node, dict):
        if node.get("$ref") == f"#/components/schemas/{component}":
            return True
        return any(_refers_to(v, component) for v in node.values())
    if isinstance(node, list):
        return any(_refers_to(v, component) for v in node)
    return False


def _error_message(model: Model, ops: list[Operation]) -> str:
    """The `Error` message: the one named Error whose code is the enum that carries the
    (prim.v1.error) HTTP statuses. The services' own package wins if several exist."""
    found = sorted(
        m.full_name for m in model.messages.values()
        if m.name == "Error" and any(
            f.kind == "enum" and any(v.http_status for v in model.enum(f.type_name).values)
            for f in m.fields)
    )
    packages = {op.service.package for op in ops}
    own = [name for name in found if model.message(name).package in packages]
    if own or len(found) == 1:
        return (own or found)[0]
    raise SpecError("the HTTP API needs one `Error` message whose code enum carries "
                    "(prim.v1.error) statuses")


def _summary(op: Operation) -> str:
    text = op.method.comment.strip()
    if not text:
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", op.method.name)
    first = re.split(r"(?<=\.)\s", text.replace("\n", " "), maxsplit=1)[0]
    return first.rstrip(".")


def _operation(model: Model, op: Operation, ops: list[Operation], codes: Enum,
               error: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "operationId": op.operation_id,
        "tags": [op.service.name],
        "summary": _summary(op),
    }
    if op.method.comment:
        result["description"] = op.method.comment
    params = _path_params(model, op) + _query_params(model, op)
    if _is_download(op):
        params += RANGE_PARAMETERS
    if params:
        result["parameters"] = params
    body = _request_body(model, op)
    if body is not None:
        result["requestBody"] = body
    ok = _ok_response(model, op, ops)
    result["responses"] = {**(download_responses(ok) if _is_download(op) else {"200": ok}),
                           **error_responses(model, op, codes, error)}
    if op.method.public:
        result["security"] = []
    return result


def _is_download(op: Operation) -> bool:
    return op.binding.verb == "GET" and op.method.output_type == "google.api.HttpBody"


def _path_params(model: Model, op: Operation) -> list[dict[str, Any]]:
    req = model.message(op.method.input_type)
    out = []
    for var in op.binding.variables:
        f = resolve_field_path(model, req, var.field_path)
        schema = field_schema(model, f, inline=True)
        description = schema.pop("description", "")
        schema.pop("readOnly", None)
        if schema.get("type") == "string" and "contentEncoding" not in schema:
            # An empty segment would not match the template.
            schema["minLength"] = max(1, schema.get("minLength", 0))
        param: dict[str, Any] = {"name": var.param_name, "in": "path", "required": True,
                                 "schema": schema}
        if description:
            param["description"] = description
        out.append(param)
    return out


def _query_params(model: Model, op: Operation) -> list[dict[str, Any]]:
    req = model.message(op.method.input_type)
    out = []
    for q in query_params(model, op.method, op.binding):
        schema = field_schema(model, q.field, inline=True)
        description = schema.pop("description", "")
        schema.pop("readOnly", None)
        # Required only when the field and every message field above it are REQUIRED.
        chain = [resolve_path_field(model, req, q.field_path[: i + 1])
                 for i in range(len(q.field_path))]
        param: dict[str, Any] = {"name": q.name, "in": "query",
                                 "required": all(f.required for f in chain), "schema": schema}
        if q.field.repeated:
            param["style"], param["explode"] = "form", True
        if description:
            param["description"] = description
        out.append(param)
    return out


def resolve_path_field(model: Model, req: Any, path: tuple[str, ...]) -> Field:
    """Like model.resolve_field_path, but the path may end at a message field."""
    msg = req
    f: Field | None = None
    for part in path:
        if f is not None:
            msg = model.message(f.type_name)
        f = msg.field(part)
    assert f is not None
    return f


def _request_body(model: Model, op: Operation) -> dict[str, Any] | None:
    if op.binding.body == "*":
        fields = body_fields(model, op)
        req = model.message(op.method.input_type)
        schema = object_schema(model, fields, req.comment)
        return {
            "required": any(f.required for f in fields),
            "content": {"application/json": {"schema": schema}},
        }
    f = body_field(model, op)
    if f is None:
        return None
    if is_http_body(f):
        return {
            "description": f.comment or "The raw bytes; Content-Type is their media type.",
            "required": f.required,
            "content": {"*/*": {"schema": dict(BINARY)}},
        }
    result: dict[str, Any] = {
        "required": f.required,
        "content": {"application/json": {"schema": field_schema(model, f)}},
    }
    if f.comment:
        result["description"] = f.comment
    return result


def _ok_response(model: Model, op: Operation, ops: list[Operation]) -> dict[str, Any]:
    if op.method.output_type == "google.api.HttpBody":
        return {
            "description": "The raw bytes, with their own Content-Type.",
            # Under */* any media type, parsed or not, is a valid answer: no schema.
            "content": {"application/octet-stream": {"schema": dict(BINARY)},
                        "*/*": {"schema": {}}},
        }
    resp = model.message(op.method.output_type)
    rf = response_field(model, op)
    schema = field_schema(model, rf) if rf is not None else ref(model, resp.full_name)
    result: dict[str, Any] = {
        "description": resp.comment or "OK",
        "content": {"application/json": {"schema": schema}},
    }
    links = _links(model, op, ops) if rf is None else {}
    if links:
        result["links"] = links
    return result


def _links(model: Model, source: Operation, ops: list[Operation]) -> dict[str, Any]:
    """The create -> its resource links of the module docstring."""
    collection = _segments(source.binding.path)
    if source.binding.verb != "POST" or not collection or collection[-1] == "{}":
        return {}
    resp = model.message(source.method.output_type)
    by_name = {f.name: f for f in resp.fields if not f.repeated and not f.is_map}
    links: dict[str, Any] = {}
    for target in ops:
        b = target.binding
        path = _segments(b.path)
        if path[:len(collection)] != collection or len(path) <= len(collection) \
                or path[len(collection)] != "{}":
            continue  # not the item (or something below it) of the source's collection
        on_item = len(path) == len(collection) + 1
        if not (b.verb == "GET" or (on_item and b.verb in ("PATCH", "PUT", "DELETE"))):
            continue
        req = model.message(target.method.input_type)
        parameters: dict[str, str] = {}
        for var in b.variables:
            want = resolve_field_path(model, req, var.field_path)
            have = by_name.get(var.field_path[-1])
            if have is None or have.kind != want.kind or have.type_name != want.type_name:
                break
            parameters[var.param_name] = f"$response.body#/{have.json_name}"
        else:
            links[target.operation_id] = {
                "operationId": target.operation_id,
                "parameters": parameters,
                "description": f"{target.method.name} of the resource "
                               f"{source.method.name} created.",
            }
    return links


def _segments(path: str) -> list[str]:
    """A path template's segments with every variable written `{}` (names and dotted
    field paths differ between bindings of the same place)."""
    return [re.sub(r"\{[^}]*\}", "{}", seg) for seg in path.strip("/").split("/")]
