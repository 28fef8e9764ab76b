"""The header's bit layout, worked out once from the model for every header emitter
(Python codec, TypeScript codec, test vectors, the wire contract).

The layout is what each field's (prim.v1.header) option says (word, offset, bits), not the
order of the fields: reordering or inserting a field must not move any bits. So it is
checked here: every field placed, no two overlapping, none crossing its word, no bit left
unclaimed, and HEADER_BYTES in all.
"""

from __future__ import annotations

from dataclasses import dataclass

from prim.codegen.model import Model, SpecError


@dataclass(frozen=True)
class HeaderField:
    name: str
    json_name: str
    word: int
    bits: int
    offset: int  # the field's first bit, counted from its word's most significant bit (0)
    reserved: bool = False  # a (prim.v1.header_reserved) span, not a field

    @property
    def shift(self) -> int:
        """How far left of bit 0 the field's lowest bit sits in its word."""
        return WORD_BITS - self.offset - self.bits


@dataclass(frozen=True)
class HeaderLayout:
    fields: tuple[HeaderField, ...]
    reserved: tuple[HeaderField, ...]  # spans no field uses (zeros on the wire)
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


WORD_BITS = 64
HEADER_BYTES = 32


def header_layout(model: Model) -> HeaderLayout | None:
    msg = model.header_message()
    if msg is None:
        return None
    placed = check_layout(msg.full_name, [
        (f.name, f.json_name, f.header_word, f.header_offset, f.header_bits) for f in msg.fields
    ], msg.header_reserved)
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
    if model.constants is None:
        raise SpecError("the spec sets no (prim.v1.constants): the group id base is unknown")
    return HeaderLayout(
        fields=tuple(f for f in placed if not f.reserved),
        reserved=tuple(f for f in placed if f.reserved),
        words=HEADER_BYTES * 8 // WORD_BITS,
        msg_type_enum=msg_type.full_name,
        protocol_version=max(versions),
        supported_protocol_versions=versions,
        categories=categories,
        payload_kinds=payload_kinds,
        group_id_bit=model.constants.group_id_bit,
    )


def check_layout(
    where: str,
    placed: list[tuple[str, str, int | None, int | None, int | None]],
    reserved: tuple[tuple[int, int, int], ...] = (),
) -> tuple[HeaderField, ...]:
    """The fields (name, json name, word, offset, bits) and reserved spans (word, offset,
    bits) in wire order, or SpecError."""
    spans = [(name, json_name, word, offset, bits, False)
             for name, json_name, word, offset, bits in placed]
    spans += [("(reserved)", "", word, offset, bits, True) for word, offset, bits in reserved]
    fields: list[HeaderField] = []
    for name, json_name, word, offset, bits, is_reserved in spans:
        if word is None or bits is None or offset is None:
            raise SpecError(f"{where}.{name} needs (prim.v1.header) with word, offset and bits")
        if bits == 0 or offset + bits > WORD_BITS:
            raise SpecError(f"{where}.{name}: bits {offset}..{offset + bits - 1} do not fit "
                            f"in a {WORD_BITS}-bit word")
        fields.append(HeaderField(name=name, json_name=json_name, word=word, bits=bits,
                                  offset=offset, reserved=is_reserved))
    fields.sort(key=lambda f: (f.word, f.offset))
    words = HEADER_BYTES * 8 // WORD_BITS
    word, bit = 0, 0  # the next bit no field has claimed yet
    previous = "nothing"
    for f in fields:
        if bit == WORD_BITS:
            word, bit = word + 1, 0
        if f.word >= words:
            raise SpecError(f"{where}.{f.name}: word {f.word}, but the header has {words}")
        if (f.word, f.offset) < (word, bit):
            raise SpecError(f"{where}.{f.name}: bits {f.offset}..{f.offset + f.bits - 1} of "
                            f"word {f.word} overlap {previous}")
        if (f.word, f.offset) > (word, bit):
            raise SpecError(f"{where}: no field claims bit {bit} of word {word} "
                            f"(after {previous})")
        bit, previous = f.offset + f.bits, f.name
    if (word, bit) != (words - 1, WORD_BITS):
        raise SpecError(f"{where}: no field claims bit {bit % WORD_BITS} of word "
                        f"{word + bit // WORD_BITS} (after {previous}); the header is "
                        f"{HEADER_BYTES} bytes")
    return tuple(fields)


def _enum_names(model: Model, full_name: str, prefix: str) -> tuple[str, ...]:
    values = sorted((v for v in model.enum(full_name).values if v.number > 0),
                    key=lambda v: v.number)
    if [v.number for v in values] != list(range(1, len(values) + 1)):
        raise SpecError(f"{full_name} must number its values 1, 2, 3 ... without gaps")
    return tuple(v.name.removeprefix(prefix) for v in values)
