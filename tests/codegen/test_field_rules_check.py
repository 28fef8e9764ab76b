"""(prim.v1.rules) is checked by the generator: lengths on strings only, max_items on
repeated fields only, min_length not above max_length, numbers on 32-bit integers only and
in order, enum_in naming real values; and paging has one scheme: page_token comes with a
page_size whose maximum and default the spec declares, and with next_page_token."""

from __future__ import annotations

from pathlib import Path

import pytest

from prim.codegen.model import SpecError
from tests.codegen._spec import compile_model

HEAD = 'syntax = "proto3";\npackage t.v1;\nimport "prim/v1/options.proto";\n'


@pytest.mark.parametrize(("field", "message"), [
    ("uint32 n = 1 [(prim.v1.rules) = {max_length: 3}];", "apply to strings only"),
    ("string s = 1 [(prim.v1.rules) = {max_items: 3}];", "repeated fields only"),
    ("string s = 1 [(prim.v1.rules) = {min_length: 5, max_length: 3}];", "above max_length"),
    ("string s = 1 [(prim.v1.rules) = {maximum: 3}];", "32-bit integer fields only"),
    ("uint64 n = 1 [(prim.v1.rules) = {maximum: 3}];", "32-bit integer fields only"),
    ("uint32 n = 1 [(prim.v1.rules) = {minimum: 5, maximum: 3}];", "minimum is above maximum"),
    ("uint32 n = 1 [(prim.v1.rules) = {maximum: 3, default_value: 4}];", "outside minimum"),
    ("string s = 1 [(prim.v1.rules) = {enum_in: ['X']}];", "enum fields only"),
    ("prim.v1.MsgCategory c = 1 [(prim.v1.rules) = {enum_in: ['MSG_CATEGORY_NOPE']}];",
     "MSG_CATEGORY_NOPE, not values"),
    ("uint32 page_size = 1;\n  string page_token = 2;", "needs page_size with"),
    ("string page_token = 2;", "needs page_size with"),
])
def test_misplaced_rules_are_spec_errors(tmp_path: Path, field: str, message: str) -> None:
    (tmp_path / "bad.proto").write_text(HEAD + "message M {\n  " + field + "\n}\n")
    with pytest.raises(SpecError, match=message):
        compile_model(tmp_path, ["bad.proto"])


def test_rules_are_read(tmp_path: Path) -> None:
    (tmp_path / "ok.proto").write_text(
        HEAD + "message M {\n  repeated string s = 1 [(prim.v1.rules) = "
               "{min_length: 2, max_length: 9, max_items: 4}];\n}\n")
    field = compile_model(tmp_path, ["ok.proto"]).message("t.v1.M").field("s")
    assert (field.min_length, field.max_length, field.max_items) == (2, 9, 4)


def test_numbers_and_enum_subsets_are_read(tmp_path: Path) -> None:
    (tmp_path / "ok.proto").write_text(
        HEAD + "message M {\n  uint32 n = 1 [(prim.v1.rules) = {maximum: 9, default_value: 4}];"
               "\n  prim.v1.MsgCategory c = 2 [(prim.v1.rules) = "
               "{enum_in: ['MSG_CATEGORY_SYSTEM']}];\n}\n")
    msg = compile_model(tmp_path, ["ok.proto"]).message("t.v1.M")
    n, c = msg.field("n"), msg.field("c")
    assert (n.minimum, n.maximum, n.default_value) == (None, 9, 4)
    assert c.enum_in == ("MSG_CATEGORY_SYSTEM",)


PAGED = ("message ListRequest {\n  uint32 page_size = 1 [(prim.v1.rules) = "
         "{maximum: 9, default_value: 4}];\n  string page_token = 2;\n}\n")


@pytest.mark.parametrize("answer", [
    "message ListResponse {\n  repeated string items = 1;\n}\n",
    "message ListResponse {\n  repeated string items = 1;\n  uint64 next_page_token = 2;\n}\n",
])
def test_a_paged_request_needs_a_next_page_token(tmp_path: Path, answer: str) -> None:
    (tmp_path / "bad.proto").write_text(
        HEAD + PAGED + answer + "service S {\n  rpc List(ListRequest) returns (ListResponse);\n}\n")
    with pytest.raises(SpecError, match=r"S\.List: a request with page_token"):
        compile_model(tmp_path, ["bad.proto"])
