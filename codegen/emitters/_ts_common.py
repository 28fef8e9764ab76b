"""What the TypeScript emitters share: doc comments, identifiers, and how a proto field is
spelled as a TypeScript type in proto3 JSON form."""

from __future__ import annotations

import json

from prim.codegen.model import Field, Model, SpecError, to_camel

GENERATED_NOTE = "Generated from spec/prim/v1 by `make gen` ({emitter}); do not edit."

# proto3 JSON prints 64-bit integers as strings (they do not fit a JS number exactly).
_STRING_INTS = {"int64", "uint64", "fixed64", "sfixed64", "sint64"}
_NUMBERS = {"int32", "uint32", "fixed32", "sfixed32", "sint32", "float", "double"}

# Well-known types have their own JSON forms (the proto3 JSON mapping table).
WELL_KNOWN: dict[str, str] = {
    "google.protobuf.Any": '{ "@type": string; [key: string]: unknown }',
    "google.protobuf.Timestamp": "string",
    "google.protobuf.Duration": "string",
    "google.protobuf.FieldMask": "string",
    "google.protobuf.Empty": "Record<string, never>",
    "google.protobuf.Struct": "{ [key: string]: unknown }",
    "google.protobuf.Value": "unknown",
    "google.protobuf.ListValue": "unknown[]",
    "google.protobuf.NullValue": "null",
    "google.protobuf.BoolValue": "boolean",
    "google.protobuf.StringValue": "string",
    "google.protobuf.BytesValue": "string",
    "google.protobuf.Int32Value": "number",
    "google.protobuf.UInt32Value": "number",
    "google.protobuf.FloatValue": "number",
    "google.protobuf.DoubleValue": "number",
    "google.protobuf.Int64Value": "string",
    "google.protobuf.UInt64Value": "string",
}

HTTP_BODY = "google.api.HttpBody"


def doc(text: str, indent: str = "") -> list[str]:
    """A JSDoc block for `text` (nothing when it is empty)."""
    if not text.strip():
        return []
    lines = text.replace("*/", "*\\/").split("\n")
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**", *(f"{indent} * {ln}".rstrip() for ln in lines), f"{indent} */"]


def ts_string(value: str) -> str:
    """A TypeScript string literal (JSON's escaping is valid TypeScript)."""
    return json.dumps(value)


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def method_name(rpc: str) -> str:
    """`NewUserId` -> `newUserId`."""
    return lower_first(rpc)


def service_property(service: str) -> str:
    """`AccountService` -> `account`: the PrimClient property holding its methods."""
    return lower_first(service.removesuffix("Service") or service)


def type_name(model: Model, full_name: str) -> str:
    """The TypeScript name of a message or enum: its simple name, nested names joined."""
    if full_name in model.messages:
        return model.messages[full_name].name
    if full_name in model.enums:
        return model.enums[full_name].name
    raise SpecError(f"unknown type {full_name}")


def scalar_type(model: Model, f: Field, ns: str = "") -> str:
    """The JSON type of one value of `f` (ignoring repeated and map); `ns` qualifies
    references to types.ts from another module (e.g. "T.")."""
    if f.kind in _STRING_INTS or f.kind in ("string", "bytes"):
        return "string"
    if f.kind in _NUMBERS:
        return "number"
    if f.kind == "bool":
        return "boolean"
    if f.kind in ("enum", "message"):
        if f.type_name in WELL_KNOWN:
            return WELL_KNOWN[f.type_name]
        return ns + type_name(model, f.type_name)
    raise SpecError(f"no TypeScript type for field kind {f.kind}")


def field_type(model: Model, f: Field, ns: str = "") -> str:
    """The JSON type of `f`: arrays for repeated, Record for maps (JSON keys are strings)."""
    if f.map_value is not None:
        return f"Record<string, {scalar_type(model, f.map_value, ns)}>"
    inner = scalar_type(model, f, ns)
    if f.repeated:
        return f"({inner})[]" if " " in inner or "|" in inner else f"{inner}[]"
    return inner


def json_name(f: Field) -> str:
    return f.json_name or to_camel(f.name)
