"""The error answers of each HTTP operation, from the spec alone: the codes the RPC declares
with (prim.v1.errors) plus the codes whose (prim.v1.error_scope) covers every call of its
kind (every call, calls with a token, calls with a body). One response per HTTP status,
whose `code` is narrowed to exactly those codes, so a checker of responses against the
document (schemathesis) also checks that no handler answers with an undeclared code.
Wire-only codes are no HTTP answer and stay out of the document's ErrorCode enum."""

from __future__ import annotations

from typing import Any

from prim.codegen.emitters._openapi_http import Operation
from prim.codegen.emitters._openapi_schema import Schema, enum_schema, ref
from prim.codegen.model import Enum, EnumValue, Model, SpecError

WIRE = "WIRE"


def code_enum(model: Model, error_message: str) -> Enum:
    """The enum of the error body's `code` field."""
    for f in model.message(error_message).fields:
        if f.kind == "enum" and any(v.http_status for v in model.enum(f.type_name).values):
            return model.enum(f.type_name)
    raise SpecError(f"{error_message} has no code enum with (prim.v1.error) statuses")


def http_code_schema(model: Model, codes: Enum) -> Schema:
    """The ErrorCode enum as the HTTP API knows it: without the wire-only codes."""
    schema = enum_schema(model, codes.full_name)
    schema["enum"] = [v.name for v in codes.values if v.error_scope != WIRE]
    return schema


def operation_codes(op: Operation, codes: Enum) -> list[EnumValue]:
    """The codes `op` can answer with, in enum order."""
    by_name = {v.name: v for v in codes.values}
    for name in op.method.errors:
        value = by_name.get(name)
        if value is None:
            raise SpecError(f"{op.operation_id}: (prim.v1.errors) names {name}, not a code")
        if value.error_scope == WIRE:
            raise SpecError(f"{op.operation_id}: {name} is a wire-only code")
    scoped = {"EVERY_CALL"}
    if not op.method.public:
        scoped.add("AUTHENTICATED")
    if op.binding.body:
        scoped.add("WITH_BODY")
    return [v for v in codes.values if v.name in op.method.errors or v.error_scope in scoped]


def error_responses(model: Model, op: Operation, codes: Enum,
                    error_message: str) -> dict[str, Any]:
    """status -> the response documenting the codes `op` answers with at that status."""
    by_status: dict[int, list[EnumValue]] = {}
    for v in operation_codes(op, codes):
        by_status.setdefault(v.http_status or 500, []).append(v)
    out: dict[str, Any] = {}
    for status in sorted(by_status):
        values = by_status[status]
        lines = [f"`{v.name}`" + (f": {_sentence(v.comment)}" if v.comment else "")
                 for v in values]
        schema = {"allOf": [ref(model, error_message),
                            {"properties": {"code": {"enum": [v.name for v in values]}}}]}
        out[str(status)] = {"description": "\n".join(lines),
                            "content": {"application/json": {"schema": schema}}}
    return out


def _sentence(comment: str) -> str:
    return " ".join(comment.split())
