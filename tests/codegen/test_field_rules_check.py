"""(prim.v1.rules) is checked by the generator: lengths on strings only, max_items on
repeated fields only, min_length not above max_length."""

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
