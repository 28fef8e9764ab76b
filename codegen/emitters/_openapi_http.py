"""The HTTP surface of the spec as the HTTP emitters (routes, OpenAPI, Python client) see it:
one Operation per google.api.http binding, and the messages and enums those operations
reach. Decided once here so that the route table and the OpenAPI document cannot disagree
on an operationId, a handler name or which types are part of the API."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from prim.codegen.model import (
    Field,
    HttpBinding,
    Message_,
    Method,
    Model,
    Service,
    SpecError,
    to_snake,
)

HTTP_BODY = "google.api.HttpBody"


@dataclass(frozen=True)
class Operation:
    service: Service
    method: Method
    binding: HttpBinding
    index: int  # 0 for the primary binding, 1.. for additional_bindings

    @property
    def operation_id(self) -> str:
        base = f"{self.service.name}_{self.method.name}"
        # operationIds must be unique: additional bindings get a numeric suffix.
        return base if self.index == 0 else f"{base}_{self.index}"

    @property
    def handler(self) -> str:
        return to_snake(self.method.name)


def operations(model: Model) -> list[Operation]:
    """Every HTTP binding of the generated files, in spec order."""
    ops: list[Operation] = []
    for svc in model.services:
        for m in svc.methods:
            if m.http and (m.client_streaming or m.server_streaming):
                raise SpecError(f"{svc.name}.{m.name}: streaming methods cannot have HTTP bindings")
            for i, b in enumerate(m.http):
                ops.append(Operation(svc, m, b, i))
    _check_unique_params(model, ops)
    return ops


def _check_unique_params(model: Model, ops: Iterable[Operation]) -> None:
    # Dotted variables become `a_b`: two variables must not collapse to one name, and the
    # collapsed name must not shadow a query parameter of the same name.
    for op in ops:
        names = [v.param_name for v in op.binding.variables]
        if len(set(names)) != len(names):
            raise SpecError(f"{op.operation_id}: two path variables share the name {names}")


def body_field(model: Model, op: Operation) -> Field | None:
    """The request field bound to the body by `body: "<field>"`, else None."""
    if op.binding.body in ("", "*"):
        return None
    return model.message(op.method.input_type).field(op.binding.body)


def body_fields(model: Model, op: Operation) -> list[Field]:
    """With `body: "*"`: the top-level request fields that travel in the JSON body (every
    field not bound to the path by a plain, undotted variable)."""
    if op.binding.body != "*":
        return []
    bound = {v.field_path[0] for v in op.binding.variables if len(v.field_path) == 1}
    return [f for f in model.message(op.method.input_type).fields if f.name not in bound]


def response_field(model: Model, op: Operation) -> Field | None:
    """The response field named by `response_body`, else None (the whole message)."""
    if not op.binding.response_body:
        return None
    return model.message(op.method.output_type).field(op.binding.response_body)


def is_http_body(f: Field | None) -> bool:
    return f is not None and f.kind == "message" and f.type_name == HTTP_BODY


def reachable_types(model: Model, ops: Iterable[Operation],
                    also: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """Full names of the messages and enums the operations' requests and responses (and the
    messages in `also`, such as the error body) reach, sorted. google.api.HttpBody is not
    among them: it never travels as JSON."""
    messages: set[str] = set()
    enums: set[str] = set()

    def visit_field(f: Field, where: str) -> None:
        target = f.map_value if f.map_value is not None else f
        if target.kind == "enum":
            enums.add(target.type_name)
        elif target.kind == "message":
            if target.type_name == HTTP_BODY:
                return
            visit_message(target.type_name, where)

    def visit_message(name: str, where: str) -> None:
        if name in messages or name == HTTP_BODY:
            return
        if name.startswith("google.protobuf."):
            # Well-known types have special JSON mappings that the binding does not implement.
            raise SpecError(f"{where}: {name} is not supported in HTTP messages")
        messages.add(name)
        msg = model.message(name)
        for f in msg.fields:
            visit_field(f, f"{msg.full_name}.{f.name}")

    ops = list(ops)
    for op in ops:
        visit_message(op.method.input_type, op.operation_id)
        visit_message(op.method.output_type, op.operation_id)
    for name in also:
        visit_message(name, name)
    for name in messages:
        for f in model.message(name).fields:
            if is_http_body(f) or (f.map_value is not None and is_http_body(f.map_value)):
                _check_http_body_use(model, ops, name, f)
    return sorted(messages), sorted(enums)


def _check_http_body_use(model: Model, ops: Iterable[Operation], owner: str, f: Field) -> None:
    """HttpBody is raw bytes: only a request's body field may have that type."""
    for op in ops:
        if op.method.input_type == owner and op.binding.body == f.name and not f.repeated:
            return
    raise SpecError(f"{owner}.{f.name}: google.api.HttpBody is only allowed as the field "
                    "named by an HTTP rule's `body`")


def simple_name(model: Model, full_name: str) -> str:
    """The name a message or enum goes by in generated code and the OpenAPI components."""
    if full_name in model.messages:
        return model.messages[full_name].name
    return model.enum(full_name).name


def request_message(model: Model, op: Operation) -> Message_:
    return model.message(op.method.input_type)
