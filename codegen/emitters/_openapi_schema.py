"""JSON Schemas of proto3 JSON values, for the OpenAPI document.

The schemas say exactly what the HTTP binding (runtime/http/codec.py) accepts, so that a
schema-driven fuzzer's valid examples pass and its invalid ones fail:
- 32-bit integers: JSON integers with their range;
- 64-bit integers: decimal strings, with a pattern that admits exactly the values in range,
  or JSON integers in range (proto3 JSON parsers accept both; answers carry strings);
- bytes: base64 (standard or URL-safe, padding optional);
- enums: the value names; messages: objects without unknown properties or nulls.
"""

from __future__ import annotations

from typing import Any

from prim.codegen.emitters._openapi_http import HTTP_BODY, simple_name
from prim.codegen.model import Field, Message_, Model

Schema = dict[str, Any]

_INT32 = (-(2**31), 2**31 - 1)
_UINT32 = (0, 2**32 - 1)
_RANGES_32 = {"int32": _INT32, "sint32": _INT32, "sfixed32": _INT32,
              "uint32": _UINT32, "fixed32": _UINT32}
_SIGNED_64 = {"int64", "sint64", "sfixed64"}
_UNSIGNED_64 = {"uint64", "fixed64"}
BASE64_PATTERN = (
    "^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$"
)


def decimal_up_to(limit: str) -> str:
    """A regex (no anchors) matching the decimal numbers 0..limit, leading zeros allowed up
    to limit's length. Same-length decimal strings compare like their values, so: any
    shorter string, or limit's prefix followed by a smaller digit and anything after."""
    n = len(limit)
    parts = [f"[0-9]{{1,{n - 1}}}"] if n > 1 else []
    for i, ch in enumerate(limit):
        if ch != "0":
            smaller = "0" if ch == "1" else f"[0-{int(ch) - 1}]"
            rest = n - i - 1
            tail = f"[0-9]{{{rest}}}" if rest > 1 else ("[0-9]" if rest == 1 else "")
            parts.append(f"{limit[:i]}{smaller}{tail}")
    parts.append(limit)
    return "(?:" + "|".join(parts) + ")"


def integer_pattern(low: int, high: int) -> str:
    """An anchored regex for the decimal spellings of low..high (low is 0 or negative)."""
    if low == 0:
        return "^" + decimal_up_to(str(high)) + "$"
    return "^(?:-" + decimal_up_to(str(-low)) + "|" + decimal_up_to(str(high)) + ")$"


UINT64_PATTERN = integer_pattern(0, 2**64 - 1)
INT64_PATTERN = integer_pattern(-(2**63), 2**63 - 1)


# 64-bit integers are shared components: their exact-range patterns are long.
INT64_SCHEMAS: dict[str, Schema] = {
    "UInt64": {"oneOf": [{"type": "string", "pattern": UINT64_PATTERN},
                         {"type": "integer", "minimum": 0, "maximum": 2**64 - 1}],
               "description": "An unsigned 64-bit integer: a decimal string (as answers "
                              "write it) or a JSON integer (proto3 JSON)."},
    "Int64": {"oneOf": [{"type": "string", "pattern": INT64_PATTERN},
                        {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}],
              "description": "A signed 64-bit integer: a decimal string (as answers write "
                             "it) or a JSON integer (proto3 JSON)."},
}


def ref(model: Model, full_name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{simple_name(model, full_name)}"}


def scalar_schema(model: Model, kind: str, type_name: str, *, inline: bool = False) -> Schema:
    """The schema of one value of a field kind. `inline` spells enums and 64-bit integers
    out instead of referring to components (for parameters)."""
    if kind in _RANGES_32:
        low, high = _RANGES_32[kind]
        fmt = "int32" if low < 0 else "int64"
        return {"type": "integer", "format": fmt, "minimum": low, "maximum": high}
    if kind in _UNSIGNED_64 or kind in _SIGNED_64:
        name = "UInt64" if kind in _UNSIGNED_64 else "Int64"
        if inline:
            # A URL carries text: parameters are the decimal spelling alone.
            pattern = UINT64_PATTERN if name == "UInt64" else INT64_PATTERN
            return {"type": "string", "pattern": pattern}
        return {"$ref": f"#/components/schemas/{name}"}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "string":
        # Any text but U+0000, which the binding refuses (PostgreSQL cannot store it).
        return {"type": "string", "pattern": NO_NUL_PATTERN}
    if kind == "bytes":
        return {"type": "string", "contentEncoding": "base64", "pattern": BASE64_PATTERN}
    if kind in ("float", "double"):
        return {"oneOf": [{"type": "number"},
                          {"type": "string", "enum": ["NaN", "Infinity", "-Infinity"]}]}
    if kind == "enum":
        if inline:
            return enum_schema(model, type_name)
        return ref(model, type_name)
    if kind == "message":
        return ref(model, type_name)
    raise ValueError(f"unknown field kind {kind}")


NO_NUL_PATTERN = "^[^\\u0000]*$"


def map_key_pattern(kind: str) -> str | None:
    """Map keys are JSON strings: integer and bool keys are spelled in decimal / true|false."""
    if kind in _UNSIGNED_64:
        return UINT64_PATTERN
    if kind in _SIGNED_64:
        return INT64_PATTERN
    if kind in _RANGES_32:
        return integer_pattern(*_RANGES_32[kind])
    if kind == "bool":
        return "^(?:true|false)$"
    return None


def field_schema(model: Model, f: Field, *, inline: bool = False) -> Schema:
    """The schema of a field's JSON value, with its comment as description."""
    if f.map_value is not None and f.map_key is not None:
        schema: Schema = {
            "type": "object",
            "additionalProperties": scalar_schema(model, f.map_value.kind, f.map_value.type_name),
        }
        pattern = map_key_pattern(f.map_key.kind)
        if pattern:
            schema["propertyNames"] = {"pattern": pattern}
    elif f.repeated:
        items = _with_lengths(scalar_schema(model, f.kind, f.type_name, inline=inline), f)
        schema = {"type": "array", "items": items}
        if f.max_items:
            schema["maxItems"] = f.max_items
    else:
        schema = _with_numbers(_with_lengths(
            scalar_schema(model, f.kind, f.type_name, inline=inline), f), f)
    if f.comment:
        schema["description"] = f.comment
    if f.output_only:
        schema["readOnly"] = True
    return schema


def _with_lengths(schema: Schema, f: Field) -> Schema:
    """(prim.v1.rules) string lengths, in code points like JSON Schema's."""
    schema = dict(schema)
    if f.min_length:
        schema["minLength"] = f.min_length
    if f.max_length:
        schema["maxLength"] = f.max_length
    if f.pattern:
        schema["pattern"] = f.pattern
    return schema


def _with_numbers(schema: Schema, f: Field) -> Schema:
    """(prim.v1.rules) ranges and defaults of 32-bit integers, and enum subsets."""
    if f.enum_in:
        return {"type": "string", "enum": list(f.enum_in)}
    if f.maximum is not None:
        schema["maximum"] = f.maximum
    if f.minimum is not None:
        schema["minimum"] = min(f.minimum, 0) if f.default_value else f.minimum
    if f.default_value:
        schema["default"] = f.default_value
    return schema


def enum_schema(model: Model, full_name: str) -> Schema:
    enum = model.enum(full_name)
    schema: Schema = {"type": "string", "enum": [v.name for v in enum.values]}
    if enum.comment:
        schema["description"] = enum.comment
    return schema


def object_schema(model: Model, fields: list[Field], description: str, *,
                  closed: bool = True) -> Schema:
    """An object of `fields`: REQUIRED ones required, at most one member of each oneof, and
    when `closed` no other properties (requests: the binding refuses unknown fields; an
    answer stays open, so a client checking it strictly survives a field added later)."""
    schema: Schema = {
        "type": "object",
        "properties": {f.json_name: field_schema(model, f) for f in fields},
    }
    if closed:
        schema["additionalProperties"] = False
    required = [f.json_name for f in fields if f.required]
    if required:
        schema["required"] = required
    exclusive = _oneof_exclusions(fields)
    if exclusive:
        schema["not"] = {"anyOf": exclusive}
    if description:
        schema["description"] = description
    return schema


def message_schema(model: Model, msg: Message_, *, closed: bool = True) -> Schema:
    # A google.api.HttpBody field is the raw request body, never part of the JSON.
    fields = [f for f in msg.fields if f.type_name != HTTP_BODY]
    return object_schema(model, fields, msg.comment, closed=closed)


def _oneof_exclusions(fields: list[Field]) -> list[Schema]:
    groups: dict[str, list[str]] = {}
    for f in fields:
        if f.oneof:
            groups.setdefault(f.oneof, []).append(f.json_name)
    pairs: list[Schema] = []
    for names in groups.values():
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                pairs.append({"required": [a, b]})
    return pairs
