"""The text limits the spec declares with (prim.v1.rules), for the services' own checks:
the HTTP binding enforces the same numbers from the same source, so the two cannot drift."""

from __future__ import annotations

from prim.generated.routes import MESSAGES, FieldShape


def _shape(message: str, field: str) -> FieldShape:
    for shape in MESSAGES[message]:
        if shape.name == field:
            return shape
    raise LookupError(f"{message} has no field {field!r}")


def max_length(message: str, field: str) -> int:
    limit = _shape(message, field).max_length
    if not limit:
        raise LookupError(f"{message}.{field} declares no max_length in the spec")
    return limit


def min_length(message: str, field: str) -> int:
    return _shape(message, field).min_length


def max_items(message: str, field: str) -> int:
    limit = _shape(message, field).max_items
    if not limit:
        raise LookupError(f"{message}.{field} declares no max_items in the spec")
    return limit
