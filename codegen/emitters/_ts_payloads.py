"""Renders ts/payloads.ts: the protobuf schemas of the structured frame payloads (every
message the MsgType table names as a payload, and the messages and enums they use), as
data the SDK's binary codec (clients/ts/src/protobuf.ts) walks.

Decoded payloads take the proto3 JSON shapes of types.ts (64-bit integers as decimal
strings, enums as value names, bytes as base64), so a wire `Error` and an HTTP error body
are the same `Error` type.
"""

from __future__ import annotations

from prim.codegen.emitters._ts_common import GENERATED_NOTE, ts_string, type_name
from prim.codegen.model import Message_, Model, SpecError

_KINDS = {
    "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64",
    "sfixed32", "sfixed64", "bool", "string", "bytes", "float", "double", "enum", "message",
}


def payload_messages(model: Model) -> list[Message_]:
    """The payload messages and everything they reference, dependencies first."""
    names = sorted({v.msg_type.payload_message for e in model.enums.values() for v in e.values
                    if v.msg_type is not None and v.msg_type.payload_message})
    ordered: list[Message_] = []
    seen: set[str] = set()

    def visit(full_name: str) -> None:
        if full_name in seen:
            return
        seen.add(full_name)
        msg = model.message(full_name)
        for f in msg.fields:
            if f.kind == "message":
                visit(f.type_name)
        ordered.append(msg)

    for name in names:
        visit(name)
    return ordered


def render(model: Model) -> str:
    messages = payload_messages(model)
    enums = sorted({f.type_name for m in messages for f in m.fields if f.kind == "enum"})
    out = [
        "/**",
        " * Schemas of the structured frame payloads (protobuf binary), for the SDK's codec.",
        " *",
        f" * {GENERATED_NOTE.format(emitter='codegen/emitters/_ts_payloads.py')}",
        " */",
        "",
        'import type * as T from "./types.js";',
        "",
        "/** One field: its number, JSON name and protobuf kind. */",
        "export interface FieldSchema {",
        "  readonly no: number;",
        "  readonly name: string;",
        "  readonly kind: string;",
        "  readonly repeated: boolean;",
        "  /** Enum fields: value number -> name. */",
        "  readonly enumNames?: Readonly<Record<number, string>>;",
        "  /** Message fields: the nested message's schema (a function: schemas may nest). */",
        "  readonly message?: () => MessageSchema<object>;",
        "}",
        "",
        "/** A message's schema; `T` is the JSON type decoding gives. */",
        "export interface MessageSchema<T extends object> {",
        "  readonly name: string;",
        "  readonly fields: readonly FieldSchema[];",
        "  /** Never set: carries the JSON type for the codec's signatures. */",
        "  readonly __type?: T;",
        "}",
    ]
    for full in enums:
        enum = model.enum(full)
        out += ["", f"const {enum.name}Names: Readonly<Record<number, string>> = {{"]
        out += [f"  {v.number}: {ts_string(v.name)}," for v in enum.values]
        out.append("};")
    for msg in messages:
        out += ["", f"export const {msg.name}Schema: MessageSchema<T.{msg.name}> = {{",
                f"  name: {ts_string(msg.full_name)},", "  fields: ["]
        for f in msg.fields:
            if f.kind not in _KINDS or f.map_value is not None:
                raise SpecError(f"{msg.full_name}.{f.name}: {f.kind} is not supported in a "
                                "frame payload")
            extra = ""
            if f.kind == "enum":
                extra = f", enumNames: {model.enum(f.type_name).name}Names"
            elif f.kind == "message":
                extra = f", message: () => {type_name(model, f.type_name)}Schema"
            out.append(f"    {{ no: {f.number}, name: {ts_string(f.json_name)}, "
                       f"kind: {ts_string(f.kind)}, repeated: {str(f.repeated).lower()}"
                       f"{extra} }},")
        out += ["  ],", "};"]
    out += ["", "/** The schema of each payload message, by its full proto name. */",
            "export const PAYLOAD_SCHEMAS: Readonly<Record<string, MessageSchema<object>>> = {"]
    out += [f"  {ts_string(m.full_name)}: {m.name}Schema," for m in messages]
    out.append("};")
    return "\n".join(out) + "\n"
