"""Emits vectors/header.json: wire header test vectors that every header codec (Python,
TypeScript, anyone's) must reproduce bit for bit.

The expected bytes are computed here with plain integer arithmetic straight from each
field's (word, bits) in the spec, the fields of a word taken in the order of their offsets: a
word is built by shifting its fields in one after the other, most significant first. That
deliberately avoids the `shift` the codecs' emitters share (_header_layout.HeaderField.shift),
so a mistake there shows up as a vector mismatch instead of being baked into both sides.
Decoded values of the byte-pattern cases are cut out of a 256-character bit string, a third
independent route.

Values are decimal strings: some fields are up to 50 bits wide, and strings keep every
number exact in every JSON parser without a per-field rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from prim.codegen.emitters._header_layout import HeaderLayout, header_layout
from prim.codegen.model import Model, SpecError

WORD_BITS = 64
_RESERVED = ""  # the member name of a (prim.v1.header_reserved) span

# A typical first frame of a chat: user 10001 sends "hello" to user 10002 on a client
# (node 0, seqnum 0) at 2024-11-26T00:00:00Z. Fields the layout lacks are ignored.
_TYPICAL_TEXT = {
    "sender": 10001,
    "receiver": 10002,
    "timestamp": 1_732_579_200_000,
    "payload_length": 5,
}
# The same message as the server delivers it into a group: node and seqnum stamped.
_TYPICAL_GROUP_DELIVERY = {
    "sender": 10001,
    "node_id": 3,
    "timestamp": 1_732_579_200_123,
    "payload_length": 5,
    "extension_length": 2,
    "seqnum": 4242,
}


@dataclass(frozen=True)
class _Spec:
    """The layout reduced to what this emitter trusts: field order, words and widths."""

    names: tuple[str, ...]
    words: tuple[tuple[tuple[str, int], ...], ...]  # per word: (field, bits), high to low
    bits: dict[str, int]
    json_names: dict[str, str]
    size: int

    def max(self, name: str) -> int:
        return (1 << self.bits[name]) - 1


def emit(model: Model) -> dict[str, str]:
    layout = header_layout(model)
    if layout is None:
        return {}
    spec = _spec(layout)
    text_type = _msg_type_number(model, layout, "TEXT")
    document = {
        "description": (
            "PRIM wire header test vectors, generated from spec/prim/v1/wire.proto by "
            "codegen/emitters/vectors.py; do not edit. Values are decimal strings. `valid`: "
            "encoding `fields` must give `hex` and decoding `hex` must give `fields`. "
            "`invalid`: encoding `fields` must be refused because `field` is out of range. "
            "`too_short`: decoding `hex` must be refused because it is shorter than a header."
        ),
        "header_size": spec.size,
        "protocol_version": layout.protocol_version,
        "supported_protocol_versions": list(layout.supported_protocol_versions),
        "fields": [
            {
                "name": name,
                "json_name": spec.json_names[name],
                "word": word,
                # counted here from the widths before it, not taken from the spec's offset
                "offset": sum(b for _, b in members[:i]),
                "bits": bits,
                "max": str(spec.max(name)),
            }
            for word, members in enumerate(spec.words)
            for i, (name, bits) in enumerate(members)
            if name != _RESERVED
        ],
        "valid": _valid_cases(spec, layout.protocol_version, text_type,
                              1 << layout.group_id_bit),
        "invalid": _invalid_cases(spec),
        "too_short": [
            {"name": f"{n}_bytes", "hex": "00" * n} for n in (0, 1, spec.size // 2, spec.size - 1)
        ],
    }
    return {"vectors/header.json": json.dumps(document, indent=2, sort_keys=True) + "\n"}


def _spec(layout: HeaderLayout) -> _Spec:
    words: list[list[tuple[str, int]]] = [[] for _ in range(layout.words)]
    for f in sorted((*layout.fields, *layout.reserved), key=lambda f: (f.word, f.offset)):
        words[f.word].append((_RESERVED if f.reserved else f.name, f.bits))
    for i, members in enumerate(words):
        if sum(bits for _, bits in members) != WORD_BITS:
            raise SpecError(f"header word {i} does not hold exactly {WORD_BITS} bits")
    return _Spec(
        names=tuple(f.name for f in layout.fields),
        words=tuple(tuple(m) for m in words),
        bits={f.name: f.bits for f in layout.fields},
        json_names={f.name: f.json_name for f in layout.fields},
        size=layout.words * 8,
    )


def _msg_type_number(model: Model, layout: HeaderLayout, short_name: str) -> int:
    for v in model.enum(layout.msg_type_enum).values:
        if v.short_name == short_name:
            return v.number
    raise SpecError(f"{layout.msg_type_enum} has no value {short_name}")


def _encode(spec: _Spec, values: dict[str, int]) -> bytes:
    out = b""
    for members in spec.words:
        word = 0
        for name, bits in members:
            word = (word << bits) | values.get(name, 0)  # reserved bits are zeros
        out += word.to_bytes(WORD_BITS // 8, "big")
    return out


def _decode(spec: _Spec, data: bytes) -> dict[str, int]:
    bitstring = "".join(f"{byte:08b}" for byte in data)
    values: dict[str, int] = {}
    pos = 0
    for members in spec.words:
        for name, bits in members:
            if name != _RESERVED:
                values[name] = int(bitstring[pos:pos + bits], 2)
            pos += bits
    return values


def _case(spec: _Spec, name: str, values: dict[str, int]) -> dict[str, object]:
    for field, value in values.items():
        if not 0 <= value <= spec.max(field):
            raise AssertionError(f"vector {name}: {field}={value} does not fit")
    data = _encode(spec, values)
    if _decode(spec, data) != values:
        raise AssertionError(f"vector {name}: shifting and bit slicing disagree")
    return {
        "name": name,
        "fields": {k: str(values[k]) for k in spec.names},
        "hex": data.hex(),
    }


def _valid_cases(
    spec: _Spec, version: int, text_type: int, group_id_base: int
) -> list[dict[str, object]]:
    zero = dict.fromkeys(spec.names, 0)
    full = {n: spec.max(n) for n in spec.names}
    cases = [_case(spec, "all_zero", zero), _case(spec, "all_max", full)]
    for n in spec.names:
        cases.append(_case(spec, f"{n}_one", {**zero, n: 1}))  # catches off-by-one shifts
        cases.append(_case(spec, f"{n}_max", {**zero, n: spec.max(n)}))
        cases.append(_case(spec, f"{n}_zero_others_max", {**full, n: 0}))  # no bleeding
    # Every field 1010... (and 0101...) from its own top bit: neighbours that differ in
    # their boundary bits.
    for label, pattern in (("1010", 0xAA), ("0101", 0x55)):
        wide = int.from_bytes(bytes([pattern]) * 8, "big")
        cases.append(_case(spec, f"fields_alternating_{label}",
                           {n: wide >> (WORD_BITS - spec.bits[n]) for n in spec.names}))
    # Whole bytes alternating: field boundaries fall at odd bit positions of the pattern.
    for pattern in (0xAA, 0x55, 0x0F):
        data = bytes([pattern]) * spec.size
        cases.append(_case(spec, f"bytes_{pattern:02x}", _decode(spec, data)))
    known = {n: v for n, v in _TYPICAL_TEXT.items() if n in zero}
    text = {**zero, **known, "version": version, "type": text_type}
    cases.append(_case(spec, "typical_text_from_client", text))
    group_id = group_id_base + 7
    delivered = {**zero, **{n: v for n, v in _TYPICAL_GROUP_DELIVERY.items() if n in zero},
                 "version": version, "type": text_type, "receiver": group_id}
    cases.append(_case(spec, "typical_text_delivered_to_group", delivered))
    return cases


def _invalid_cases(spec: _Spec) -> list[dict[str, object]]:
    zero = dict.fromkeys(spec.names, 0)
    cases: list[dict[str, object]] = []
    for n in spec.names:
        for label, bad in (("overflow", spec.max(n) + 1), ("negative", -1)):
            values = {**zero, n: bad}
            cases.append({
                "name": f"{n}_{label}",
                "field": n,
                "fields": {k: str(values[k]) for k in spec.names},
            })
    return cases
