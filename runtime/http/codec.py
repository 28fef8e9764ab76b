"""Strict proto3 JSON for the HTTP binding, driven by the generated message shapes.

betterproto2's from_dict is lenient (negative or oversized uint64, floats for integers,
garbage base64 all pass or fail with a bare exception) and ignores json_name. So requests
are validated here first, against exactly what the OpenAPI document promises, and turned
into dicts keyed by proto field names with canonical JSON values, which from_dict then
reads without surprises. Every rejection names the field by its proto path
("friend.user_id"), as `Error.field` requires.

The document is the contract: 64-bit integers are decimal strings or JSON integers (as
proto3 JSON parsers accept both, and JavaScript clients send numbers; answers always carry
strings), 32-bit ones JSON integers, enums their value names, bytes base64, and null is not
a value.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from prim.generated.routes import FieldShape

_INT_RANGES: dict[str, tuple[int, int]] = {
    "int32": (-(2**31), 2**31 - 1),
    "sint32": (-(2**31), 2**31 - 1),
    "sfixed32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "fixed32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "sint64": (-(2**63), 2**63 - 1),
    "sfixed64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
    "fixed64": (0, 2**64 - 1),
}
INT64_KINDS = frozenset({"int64", "sint64", "sfixed64", "uint64", "fixed64"})
_FLOAT_KINDS = frozenset({"float", "double"})
_FLOAT32_MAX = 3.4028234663852886e38
_FLOAT_WORDS = ("NaN", "Infinity", "-Infinity")
_DECIMAL = re.compile(r"(-?)([0-9]+)")
# Standard or URL-safe alphabet, padding optional (proto3 JSON accepts all four spellings).
BASE64 = re.compile(r"(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?")


class FieldError(Exception):
    """A request value is invalid; `field` is its proto path ("" for the whole body)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


class Codec:
    def __init__(
        self,
        messages: Mapping[str, tuple[FieldShape, ...]],
        enums: Mapping[str, tuple[str, ...]],
    ) -> None:
        self._fields = dict(messages)
        self._enums = {name: frozenset(values) for name, values in enums.items()}
        # JSON parsers accept both the json_name and the proto name of a field.
        self._by_key: dict[str, dict[str, FieldShape]] = {}
        for name, fields in messages.items():
            keys: dict[str, FieldShape] = {}
            for f in fields:
                keys[f.name] = f
                keys[f.json_name] = f
            self._by_key[name] = keys

    def fields(self, type_name: str) -> tuple[FieldShape, ...]:
        return self._fields[type_name]

    def field(self, type_name: str, name: str) -> FieldShape:
        for f in self._fields[type_name]:
            if f.name == name:
                return f
        raise KeyError(f"{type_name} has no field {name!r}")

    def field_at(self, type_name: str, path: Iterable[str]) -> FieldShape:
        """The field a proto-name path (("message", "conversation_id")) leads to."""
        shape: FieldShape | None = None
        for name in path:
            if shape is not None:
                type_name = shape.type_name
            shape = self.field(type_name, name)
        if shape is None:
            raise KeyError("empty field path")
        return shape

    # -- JSON -> proto-named dict ------------------------------------------------------

    def decode(
        self,
        type_name: str,
        value: object,
        where: str = "",
        *,
        lenient: bool = False,
        exclude: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        """A JSON object of message `type_name` as {proto name: canonical value}.
        `lenient` skips unknown fields (a client reading a newer server's answer);
        `exclude` lists proto names that may not appear (bound elsewhere, e.g. the path)."""
        if not isinstance(value, dict):
            raise FieldError(where, f"{where or 'the body'} must be a JSON object")
        keys = self._by_key[type_name]
        out: dict[str, Any] = {}
        for key, item in value.items():
            shape = keys.get(key)
            if shape is None or shape.name in exclude:
                if lenient:
                    continue
                if shape is not None:
                    raise FieldError(join(where, shape.name),
                                     f"{join(where, shape.name)} is set by the URL path; "
                                     "leave it out of the body")
                raise FieldError(join(where, key), f"unknown field {key!r}")
            path = join(where, shape.name)
            if shape.name in out:
                raise FieldError(path, f"{path} is given twice (JSON name and proto name)")
            if item is None:
                if lenient:
                    continue
                raise FieldError(path, f"{path} may not be null")
            out[shape.name] = self.decode_field(shape, item, path, lenient=lenient)
        return out

    def decode_field(self, shape: FieldShape, value: object, path: str,
                     *, lenient: bool = False) -> Any:
        """One field's JSON value (a whole list for repeated, an object for a map)."""
        if shape.kind == "map":
            if not isinstance(value, dict):
                raise FieldError(path, f"{path} must be a JSON object")
            result: dict[str, Any] = {}
            for k, v in value.items():
                key = self.parse_text(shape.map_key, "", k, f"{path}[{k!r}]", field=path)
                result[str(key)] = self._single(shape.map_value, shape.type_name, v,
                                                f"{path}[{k!r}]", path, lenient)
            return result
        if shape.repeated:
            if not isinstance(value, list):
                raise FieldError(path, f"{path} must be a JSON array")
            return [self._single(shape.kind, shape.type_name, v, f"{path}[{i}]", path, lenient)
                    for i, v in enumerate(value)]
        return self._single(shape.kind, shape.type_name, value, path, path, lenient)

    def _single(self, kind: str, type_name: str, value: object, label: str, field: str,
                lenient: bool) -> Any:
        if value is None:
            raise FieldError(field, f"{label} may not be null")
        if kind == "message":
            return self.decode(type_name, value, field, lenient=lenient)
        if kind in _INT_RANGES:
            return self._integer(kind, value, label, field)
        if kind == "bool":
            if not isinstance(value, bool):
                raise FieldError(field, f"{label} must be true or false")
            return value
        if kind == "string":
            if not isinstance(value, str):
                raise FieldError(field, f"{label} must be a string")
            return _utf8(value, label, field)
        if kind == "bytes":
            if not isinstance(value, str):
                raise FieldError(field, f"{label} must be a base64 string")
            return _base64(value, label, field)
        if kind == "enum":
            return self._enum(type_name, value, label, field)
        if kind in _FLOAT_KINDS:
            return _float(kind, value, label, field)
        raise FieldError(field, f"{label} has a type the binding does not know ({kind})")

    def _integer(self, kind: str, value: object, label: str, field: str) -> int | str:
        wide = kind in INT64_KINDS
        if wide and isinstance(value, str):
            return _decimal(kind, value, label, field)
        what = "an integer (a JSON number or a decimal string)" if wide else "an integer"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FieldError(field, f"{label} must be {what}")
        # 3.0 and 1e3 are integers in JSON Schema and proto3 JSON; 3.5 is not. A float is
        # compared with the range exactly (int(2.0**64) is out of uint64's range).
        if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
            raise FieldError(field, f"{label} must be {what}")
        low, high = _INT_RANGES[kind]
        if not low <= int(value) <= high:
            raise FieldError(field, f"{label} must be between {low} and {high}")
        # betterproto2 reads 64-bit values from their canonical string form.
        return str(int(value)) if wide else int(value)

    def _enum(self, type_name: str, value: object, label: str, field: str) -> str:
        names = self._enums[type_name]
        if not isinstance(value, str) or value not in names:
            raise FieldError(field, f"{label} must be one of {', '.join(sorted(names))}")
        return value

    # -- URL text (path and query values) -> canonical value ---------------------------

    def parse_text(self, kind: str, type_name: str, text: str, label: str,
                   *, field: str = "") -> Any:
        """A path or query value (already percent-decoded) of a scalar field."""
        field = field or label
        if kind in _INT_RANGES:
            return _decimal(kind, text, label, field)
        if kind == "bool":
            if text not in ("true", "false"):
                raise FieldError(field, f"{label} must be true or false")
            return text == "true"
        if kind == "string":
            return _utf8(text, label, field)
        if kind == "bytes":
            return _base64(text, label, field)
        if kind == "enum":
            return self._enum(type_name, text, label, field)
        if kind in _FLOAT_KINDS:
            if text in _FLOAT_WORDS:
                return text
            try:
                number = float(text)
            except ValueError:
                raise FieldError(field, f"{label} must be a number") from None
            return _float(kind, number, label, field)
        raise FieldError(field, f"{label} cannot be given in the URL")

    # -- presence rules across path, query and body ------------------------------------

    def check_presence(self, type_name: str, data: Mapping[str, Any], where: str = "") -> None:
        """REQUIRED fields are present and at most one member of each oneof is set, at every
        level of a request assembled from the path, the query and the body."""
        seen_oneof: dict[str, str] = {}
        for shape in self._fields[type_name]:
            path = join(where, shape.name)
            if shape.name not in data:
                if shape.required:
                    raise FieldError(path, f"{path} is required")
                continue
            if shape.oneof:
                if shape.oneof in seen_oneof:
                    raise FieldError(path, f"{path} and {join(where, seen_oneof[shape.oneof])} "
                                           f"are both members of oneof {shape.oneof}; set one")
                seen_oneof[shape.oneof] = shape.name
            value = data[shape.name]
            if shape.kind == "message":
                items = value if shape.repeated else [value]
                for item in items:
                    self.check_presence(shape.type_name, item, path)
            elif shape.kind == "map" and shape.map_value == "message":
                for item in value.values():
                    self.check_presence(shape.type_name, item, path)

    # -- proto-named dict -> JSON -----------------------------------------------------

    def encode(self, type_name: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """betterproto2's `to_dict(casing=SNAKE)` output with keys renamed to json_name."""
        out: dict[str, Any] = {}
        fields = {f.name: f for f in self._fields[type_name]}
        for key, value in data.items():
            shape = fields.get(key)
            if shape is None:  # a python-mangled name (keyword): keep as betterproto2 wrote it
                out[key] = value
                continue
            if shape.kind == "message":
                if shape.repeated:
                    value = [self.encode(shape.type_name, v) for v in value]
                else:
                    value = self.encode(shape.type_name, value)
            elif shape.kind == "map" and shape.map_value == "message":
                value = {k: self.encode(shape.type_name, v) for k, v in value.items()}
            out[shape.json_name] = value
        return out


def _decimal(kind: str, text: str, label: str, field: str) -> int | str:
    """A decimal integer as the OpenAPI patterns spell it: optional "-" (signed kinds
    only), then at most as many digits as the largest magnitude of the kind has."""
    low, high = _INT_RANGES[kind]
    m = _DECIMAL.fullmatch(text)
    if m is None or (m.group(1) and low == 0):
        raise FieldError(field, f"{label} must be a decimal integer between {low} and {high}")
    limit = -low if m.group(1) else high
    number = int(text)
    if len(m.group(2)) > len(str(limit)) or not low <= number <= high:
        raise FieldError(field, f"{label} must be between {low} and {high}")
    return str(number) if kind in INT64_KINDS else number


def _utf8(text: str, label: str, field: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise FieldError(field, f"{label} is not valid UTF-8 (lone surrogate)") from None
    # proto3 allows U+0000 in strings, but no PRIM text needs it and PostgreSQL cannot store
    # it: refused here, once for every field (the document's string pattern says so too).
    if "\x00" in text:
        raise FieldError(field, f"{label} may not contain the NUL character (U+0000)")
    return text


def _base64(text: str, label: str, field: str) -> str:
    if not BASE64.fullmatch(text):
        raise FieldError(field, f"{label} must be base64")
    std = text.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(std + "=" * (-len(std) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise FieldError(field, f"{label} must be base64") from None
    return base64.b64encode(raw).decode("ascii")


def _float(kind: str, value: object, label: str, field: str) -> float | str:
    if isinstance(value, str) and value in _FLOAT_WORDS:
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(field, f"{label} must be a number")
    try:
        number = float(value)
    except OverflowError:  # an integer literal too large for a double
        raise FieldError(field, f"{label} is out of range") from None
    if not math.isfinite(number):
        raise FieldError(field, f"{label} must be a finite number or NaN/Infinity/-Infinity")
    if kind == "float" and abs(number) > _FLOAT32_MAX:
        raise FieldError(field, f"{label} is out of range for a float")
    return number
