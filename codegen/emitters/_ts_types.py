"""Renders ts/types.ts: a TypeScript type for every message and enum of the spec, in the
proto3 JSON form the HTTP API speaks.

Optionality: proto3 JSON printers omit fields at their default value, so a field may be
absent from any message a server sends; every field is therefore optional (`?`), except
fields marked (google.api.field_behavior) = REQUIRED in request messages (the input of
some method, and the messages nested in one), which a caller must set.
"""

from __future__ import annotations

from dataclasses import replace

from prim.codegen.emitters._ts_common import (
    GENERATED_NOTE,
    WELL_KNOWN,
    doc,
    field_type,
    json_name,
    ts_string,
    type_name,
)
from prim.codegen.model import Enum, Message_, Model, SpecError


def render(model: Model) -> str:
    messages, enums = _types_to_emit(model)
    _check_names(model, messages, enums)
    requests = request_messages(model)
    out: list[str] = [
        "/**",
        " * TypeScript types of every PRIM message and enum in proto3 JSON form: lowerCamelCase",
        " * field names, 64-bit integers and bytes (base64) as strings, enums as the names of",
        " * their values, maps as records. A field a server leaves at its default value is",
        " * absent, so every field is optional except REQUIRED fields of request messages.",
        " *",
        f" * {GENERATED_NOTE.format(emitter='codegen/emitters/_ts_types.py')}",
        " */",
    ]
    by_file: dict[str, tuple[list[Enum], list[Message_]]] = {}
    for e in enums:
        by_file.setdefault(e.file, ([], []))[0].append(e)
    for m in messages:
        by_file.setdefault(m.file, ([], []))[1].append(m)
    # The spec's files first, in protoc's order, then what they import.
    order = [f for f in model.files if f in by_file]
    order += sorted(f for f in by_file if f not in model.files)
    for file in order:
        file_enums, file_messages = by_file[file]
        out += ["", f"// ---- {file} ----"]
        for e in file_enums:
            out += ["", *_enum(e)]
        for m in file_messages:
            if m.file not in model.files:
                # An imported type's comment can be a long tutorial; its summary will do.
                m = replace(m, comment=m.comment.split("\n\n")[0])
            out += ["", *_message(model, m, m.full_name in requests)]
    return "\n".join(out) + "\n"


def _types_to_emit(model: Model) -> tuple[list[Message_], list[Enum]]:
    """The spec's own types, plus every type they reference from imported files (such as
    google.api.HttpBody), except the well-known types that JSON spells natively."""
    wanted: set[str] = set()
    stack = [m.full_name for m in model.generated_messages()]
    stack += [e.full_name for e in model.generated_enums()]
    while stack:
        name = stack.pop()
        if name in wanted or name in WELL_KNOWN:
            continue
        wanted.add(name)
        if name in model.messages:
            for f in model.messages[name].fields:
                for part in (f, f.map_value):
                    if part is not None and part.kind in ("enum", "message"):
                        stack.append(part.type_name)
    messages = [m for m in model.messages.values() if m.full_name in wanted]
    enums = [e for e in model.enums.values() if e.full_name in wanted]
    return messages, enums


def request_messages(model: Model) -> set[str]:
    """Messages that are the input of some method, and the messages nested inside them."""
    found: set[str] = set()
    stack = [m.input_type for svc in model.services for m in svc.methods]
    while stack:
        name = stack.pop()
        if name in found or name in WELL_KNOWN or name not in model.messages:
            continue
        found.add(name)
        for f in model.messages[name].fields:
            if f.kind == "message":
                stack.append(f.type_name)
    return found


def _check_names(model: Model, messages: list[Message_], enums: list[Enum]) -> None:
    seen: dict[str, str] = {}
    for full in [m.full_name for m in messages] + [e.full_name for e in enums]:
        name = type_name(model, full)
        if name in seen:
            raise SpecError(f"{full} and {seen[name]} would both be TypeScript type {name}")
        seen[name] = full


def _enum(e: Enum) -> list[str]:
    out = doc(e.comment)
    out.append(f"export type {e.name} =")
    for i, v in enumerate(e.values):
        out += doc(v.comment, "  ")
        end = ";" if i == len(e.values) - 1 else ""
        out.append(f"  | {ts_string(v.name)}{end}")
    return out


def _message(model: Model, m: Message_, is_request: bool) -> list[str]:
    out = doc(m.comment)
    if not m.fields:
        # An empty interface would accept anything at all; this accepts only `{}`.
        out.append(f"export type {m.name} = Record<string, never>;")
        return out
    out.append(f"export interface {m.name} {{")
    for f in m.fields:
        notes = [f.comment] if f.comment else []
        if f.oneof:
            notes.append(f"Member of oneof `{f.oneof}`: set at most one of its fields.")
        if f.output_only:
            notes.append("Output only: set by the server, ignored in requests.")
        out += doc("\n".join(notes), "  ")
        mark = "" if (is_request and f.required) else "?"
        out.append(f"  {json_name(f)}{mark}: {field_type(model, f)};")
    out.append("}")
    return out
