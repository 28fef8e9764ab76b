"""The header's bit layout, worked out once from the model for every header emitter
(Python codec, TypeScript codec, test vectors)."""

from __future__ import annotations

from dataclasses import dataclass

from prim.codegen.model import Model, SpecError


@dataclass(frozen=True)
class HeaderField:
    name: str
    json_name: str
    word: int
    bits: int
    shift: int  # how far left of bit 0 the field's lowest bit sits in its word


@dataclass(frozen=True)
class HeaderLayout:
    fields: tuple[HeaderField, ...]
    words: int
    msg_type_enum: str  # full name of the enum the `type` field uses
    protocol_version: int  # the current one: the highest ProtocolVersion value
    supported_protocol_versions: tuple[int, ...]  # every ProtocolVersion value, ascending
    categories: tuple[str, ...]  # MsgCategory names without prefix, in number order from 1
    payload_kinds: tuple[str, ...]
    group_id_bit: int

    @property
    def size(self) -> int:
        return self.words * 8

    def field(self, name: str) -> HeaderField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


# Ids at or above 2^36 are groups (DESIGN.md section 3).
GROUP_ID_BIT = 36


def header_layout(model: Model) -> HeaderLayout | None:
    msg = model.header_message()
    if msg is None:
        return None
    fields: list[HeaderField] = []
    used: dict[int, int] = {}
    for f in msg.fields:  # field-number order: most significant bits first
        assert f.header_word is not None and f.header_bits is not None
        used[f.header_word] = used.get(f.header_word, 0) + f.header_bits
        fields.append(
            HeaderField(
                name=f.name,
                json_name=f.json_name,
                word=f.header_word,
                bits=f.header_bits,
                shift=64 - used[f.header_word],
            )
        )
    type_field = next((f for f in msg.fields if f.name == "type"), None)
    if type_field is None or type_field.kind != "enum":
        raise SpecError(f"{msg.full_name} needs an enum field named 'type'")
    msg_type = model.enum(type_field.type_name)
    for v in msg_type.values:
        if v.msg_type is None:
            raise SpecError(f"{v.name} lacks (prim.v1.msg_type)")
    options_pkg = msg.package
    categories = _enum_names(model, f"{options_pkg}.MsgCategory", "MSG_CATEGORY_")
    payload_kinds = _enum_names(model, f"{options_pkg}.PayloadKind", "PAYLOAD_KIND_")
    versions = tuple(sorted(v.number for v in model.enum(f"{options_pkg}.ProtocolVersion").values))
    return HeaderLayout(
        fields=tuple(fields),
        words=len(used),
        msg_type_enum=msg_type.full_name,
        protocol_version=max(versions),
        supported_protocol_versions=versions,
        categories=categories,
        payload_kinds=payload_kinds,
        group_id_bit=GROUP_ID_BIT,
    )


def _enum_names(model: Model, full_name: str, prefix: str) -> tuple[str, ...]:
    values = sorted((v for v in model.enum(full_name).values if v.number > 0),
                    key=lambda v: v.number)
    if [v.number for v in values] != list(range(1, len(values) + 1)):
        raise SpecError(f"{full_name} must number its values 1, 2, 3 ... without gaps")
    return tuple(v.name.removeprefix(prefix) for v in values)
