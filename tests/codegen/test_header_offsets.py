"""The header layout is each field's explicit (word, offset, bits), checked by the generator:
no overlap, no unclaimed bit, no field across a word, 32 bytes in all."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from prim.codegen.emitters import vectors as vectors_emitter
from prim.codegen.emitters import wire_py
from prim.codegen.emitters._header_layout import check_layout, header_layout
from prim.codegen.model import SpecError
from prim.codegen.run import REPO, spec_files
from tests.codegen._spec import compile_model, spec_model

Placed = tuple[str, str, int | None, int | None, int | None]


def layout(*fields: tuple[str, int, int | None, int]) -> list[Placed]:
    """(name, word, offset, bits) -> what check_layout takes."""
    return [(name, name, word, offset, bits) for name, word, offset, bits in fields]


def full(**change: tuple[int, int | None, int]) -> list[Placed]:
    """A valid four-word layout (a and b fill each word), with some fields changed."""
    fields = {f"{n}{w}": (w, 0 if n == "a" else 20, 20 if n == "a" else 44)
              for w in range(4) for n in "ab"}
    fields.update(change)
    return layout(*((name, *placed) for name, placed in fields.items()))


def test_the_spec_layout_is_read_from_the_offsets() -> None:
    found = header_layout(spec_model())
    assert found is not None and found.size == 32
    assert [(f.name, f.word, f.offset, f.bits, f.shift) for f in found.fields][:2] == [
        ("version", 0, 0, 18, 46), ("sender", 0, 18, 46, 0)]


def test_a_valid_layout_in_any_order_is_sorted_into_wire_order() -> None:
    placed = full()
    fields = check_layout("H", list(reversed(placed)))
    assert [f.name for f in fields] == [p[0] for p in placed]


def test_overlapping_fields_are_refused() -> None:
    with pytest.raises(SpecError, match=r"H.b1: bits 19..62 of word 1 overlap a1"):
        check_layout("H", full(b1=(1, 19, 44)))


def test_an_unclaimed_bit_is_refused() -> None:
    with pytest.raises(SpecError, match=r"no field claims bit 20 of word 2 \(after a2\)"):
        check_layout("H", full(b2=(2, 21, 43)))


def test_a_field_across_a_word_is_refused() -> None:
    with pytest.raises(SpecError, match=r"H.b3: bits 20..64 do not fit in a 64-bit word"):
        check_layout("H", full(b3=(3, 20, 45)))


def test_a_short_header_is_refused() -> None:
    placed = [p for p in full() if p[0] != "b3"]
    with pytest.raises(SpecError, match=r"no field claims bit 20 of word 3 .*32 bytes"):
        check_layout("H", placed)


def test_a_missing_word_is_refused() -> None:
    placed = [p for p in full() if p[0] not in ("a1", "b1")]
    with pytest.raises(SpecError, match=r"no field claims bit 0 of word 1"):
        check_layout("H", placed)


def test_a_field_past_the_header_is_refused() -> None:
    with pytest.raises(SpecError, match=r"H.x: word 4, but the header has 4"):
        check_layout("H", [*full(), ("x", "x", 4, 0, 64)])


def test_a_missing_offset_is_refused() -> None:
    with pytest.raises(SpecError, match=r"H.a0 needs \(prim.v1.header\) with word, offset"):
        check_layout("H", full(a0=(0, None, 20)))


def test_an_overlap_in_the_spec_stops_codegen(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    wire = spec / "prim" / "v1" / "wire.proto"
    text = wire.read_text()
    old = "sender = 2 [(prim.v1.header) = {word: 0, offset: 18, bits: 46}]"
    assert old in text
    wire.write_text(text.replace(old, "sender = 2 [(prim.v1.header) = {word: 0, offset: 17, "
                                      "bits: 47}]"))
    model = compile_model(spec, spec_files(tmp_path))
    with pytest.raises(SpecError, match=r"Header.sender: bits 17..63 of word 0 overlap version"):
        header_layout(model)


def test_a_declared_reserved_span_fills_a_gap() -> None:
    fields = check_layout("H", full(b2=(2, 21, 43)), reserved=((2, 20, 1),))
    assert [(f.name, f.reserved) for f in fields if f.word == 2] == [
        ("a2", False), ("(reserved)", True), ("b2", False)]


def test_a_reserved_span_over_a_field_is_refused() -> None:
    with pytest.raises(SpecError, match=r"H.\(reserved\): bits 19..20 of word 2 overlap a2"):
        check_layout("H", full(), reserved=((2, 19, 2),))


def test_a_reserved_span_is_zeros_in_the_generated_codec(tmp_path: Path) -> None:
    # payload_length gives up its top 2 bits to a declared reserved span.
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    wire = spec / "prim" / "v1" / "wire.proto"
    text = wire.read_text()
    for old, new in (
        ("option (prim.v1.wire_header) = true;",
         "option (prim.v1.wire_header) = true;\n"
         "  option (prim.v1.header_reserved) = {word: 3, offset: 0, bits: 2};"),
        ("{word: 3, offset: 0, bits: 14}", "{word: 3, offset: 2, bits: 12}"),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    wire.write_text(text)
    model = compile_model(spec, spec_files(tmp_path))
    namespace: dict[str, Any] = {}
    exec(wire_py.emit(model)["python/wire.py"], namespace)
    vectors = json.loads(vectors_emitter.emit(model)["vectors/header.json"])
    assert [f["name"] for f in vectors["fields"] if f["word"] == 3] == ["payload_length", "seqnum"]
    for case in vectors["valid"]:
        header = namespace["Header"](**{k: int(v) for k, v in case["fields"].items()})
        data = namespace["encode_header"](header)
        assert data.hex() == case["hex"], case["name"]
        assert data[24] >> 6 == 0  # the reserved bits
        assert namespace["decode_header"](data) == header
    every_bit = namespace["decode_header"](b"\xff" * 32)
    assert every_bit.payload_length == (1 << 12) - 1
