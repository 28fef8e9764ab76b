"""Emits python/routes.py: the HTTP route table (one Route per google.api.http binding) and
the shapes of the messages the routes carry, which the runtime binding uses to validate
JSON strictly and to honour json_name (betterproto2 itself ignores json_name)."""

from __future__ import annotations

import json
import re

from prim.codegen.emitters._openapi_http import (
    Operation,
    operations,
    reachable_types,
)
from prim.codegen.emitters._python_refs import class_ref
from prim.codegen.model import Field, Model, PathVariable, query_params


def emit(model: Model) -> dict[str, str]:
    ops = operations(model)
    if not ops:
        return {}
    return {"python/routes.py": _render(model, ops)}


def path_regex(path: str, variables: tuple[PathVariable, ...]) -> str:
    """The regex a request's raw (still percent-encoded) path must match, one named group per
    variable. `*` matches one segment, `**` any number of them (HttpRule)."""
    out: list[str] = []
    pos = 0
    var_iter = iter(variables)
    for m in re.finditer(r"\{[^}]*\}", path):
        out.append(re.escape(path[pos:m.start()]))
        var = next(var_iter)
        segments = []
        for seg in var.pattern.split("/"):
            if seg == "**":
                segments.append(".+")
            elif seg == "*":
                segments.append("[^/]+")
            else:
                segments.append(re.escape(seg))
        out.append(f"(?P<{var.param_name}>{'/'.join(segments)})")
        pos = m.end()
    out.append(re.escape(path[pos:]))
    return "^" + "".join(out) + "$"


def _py(value: object) -> str:
    """A Python literal in double quotes (the style of the rest of the code base)."""
    if isinstance(value, str):
        return json.dumps(value)  # ASCII with JSON escapes: also a valid Python literal
    if isinstance(value, tuple):
        inner = ", ".join(_py(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def _shape(f: Field) -> str:
    if f.map_value is not None and f.map_key is not None:
        args = [_py(f.name), _py(f.json_name), '"map"']
        if f.map_value.type_name:
            args.append(f"type_name={_py(f.map_value.type_name)}")
        args += [f"map_key={_py(f.map_key.kind)}", f"map_value={_py(f.map_value.kind)}"]
        return "FieldShape(" + ", ".join(args) + ")"
    args = [_py(f.name), _py(f.json_name), _py(f.kind)]
    if f.type_name:
        args.append(f"type_name={_py(f.type_name)}")
    if f.repeated:
        args.append("repeated=True")
    if f.optional:
        args.append("optional=True")
    if f.oneof:
        args.append(f"oneof={_py(f.oneof)}")
    if f.required:
        args.append("required=True")
    return "FieldShape(" + ", ".join(args) + ")"


_HEADER = '''\
"""The HTTP route table: one Route per google.api.http binding of the spec, and the shapes of
the messages those routes carry (what the binding validates JSON against). Generated from
the spec by `make gen` (codegen/emitters/routes_py.py): do not edit."""

from __future__ import annotations

import re
from dataclasses import dataclass

import betterproto2
'''

_CLASSES = '''

@dataclass(frozen=True)
class FieldShape:
    """One field of a message as proto3 JSON sees it."""

    name: str  # the proto field name
    json_name: str
    kind: str  # "uint64", "string", "enum", "message", ...; for a map, "map"
    type_name: str = ""  # enum or message full name (of the value, for a map)
    repeated: bool = False
    optional: bool = False  # proto3 `optional`
    oneof: str = ""
    required: bool = False  # (google.api.field_behavior) = REQUIRED
    map_key: str = ""  # the key kind, for a map
    map_value: str = ""  # the value kind, for a map
    # The (prim.v1.rules) are checked by the generated validators (validate.py), not here.


@dataclass(frozen=True)
class PathParam:
    name: str  # identifier-safe: the regex group and the OpenAPI parameter name
    field_path: tuple[str, ...]  # proto field names, outermost first


@dataclass(frozen=True)
class QueryParam:
    name: str  # JSON names joined with dots
    field_path: tuple[str, ...]  # proto field names, outermost first
    repeated: bool


@dataclass(frozen=True)
class Route:
    verb: str
    path: str  # the template as written in the spec
    pattern: re.Pattern[str]  # matches the raw (percent-encoded) request path
    path_params: tuple[PathParam, ...]
    body: str  # "", "*" or the name of the request field the body fills
    response_body: str  # "" or the response field sent as the body
    query_params: tuple[QueryParam, ...]
    request: str  # full name of the request message
    response: str  # full name of the response message
    request_type: type[betterproto2.Message]
    response_type: type[betterproto2.Message]
    service: str
    method: str
    handler: str  # the snake_case method of the service interface
    operation_id: str
    public: bool  # needs no bearer token
'''


def _render(model: Model, ops: list[Operation]) -> str:
    imports: dict[str, set[str]] = {}
    routes: list[str] = []
    for op in ops:
        b = op.binding
        req = class_ref(model, op.method.input_type, imports)
        resp = class_ref(model, op.method.output_type, imports)
        params = [f"PathParam({_py(v.param_name)}, {_py(v.field_path)})" for v in b.variables]
        query = "".join(
            f"\n            QueryParam({_py(q.name)}, {_py(q.field_path)}, {q.field.repeated}),"
            for q in query_params(model, op.method, b)
        )
        routes.append(
            "    Route(\n"
            f"        verb={_py(b.verb)},\n"
            f"        path={_py(b.path)},\n"
            f"        pattern=re.compile({_py(path_regex(b.path, b.variables))}),\n"
            f"        path_params=({', '.join(params)}{',' if len(params) == 1 else ''}),\n"
            f"        body={_py(b.body)},\n"
            f"        response_body={_py(b.response_body)},\n"
            f"        query_params=({query}{chr(10) + '        ' if query else ''}),\n"
            f"        request={_py(op.method.input_type)},\n"
            f"        response={_py(op.method.output_type)},\n"
            f"        request_type={req},\n"
            f"        response_type={resp},\n"
            f"        service={_py(op.service.name)},\n"
            f"        method={_py(op.method.name)},\n"
            f"        handler={_py(op.handler)},\n"
            f"        operation_id={_py(op.operation_id)},\n"
            f"        public={op.method.public},\n"
            "    ),"
        )
    messages, enums = reachable_types(model, ops)
    out = [_HEADER]
    for module in sorted(imports):
        names = sorted(imports[module])
        out.append(f"from {module} import (")
        out.extend(f"    {n}," for n in names)
        out.append(")")
    out.append(_CLASSES)
    out.append("")
    out.append("# Enum value names (proto3 JSON spells enums by name), by enum full name.")
    out.append("ENUMS: dict[str, tuple[str, ...]] = {")
    for name in enums:
        out.append(f"    {_py(name)}: (")
        out.extend(f"        {_py(v.name)}," for v in model.enum(name).values)
        out.append("    ),")
    out.append("}")
    out.append("")
    out.append("# The fields of every message the routes carry as JSON, by message full name.")
    out.append("MESSAGES: dict[str, tuple[FieldShape, ...]] = {")
    for name in messages:
        fields = model.message(name).fields
        if not fields:
            out.append(f"    {_py(name)}: (),")
            continue
        out.append(f"    {_py(name)}: (")
        out.extend(f"        {_shape(f)}," for f in fields)
        out.append("    ),")
    out.append("}")
    out.append("")
    out.append("ROUTES: tuple[Route, ...] = (")
    out.extend(routes)
    out.append(")")
    out.append("")
    out.append("BY_OPERATION_ID: dict[str, Route] = {r.operation_id: r for r in ROUTES}")
    out.append("")
    return "\n".join(out)
