"""Golden files: the HTTP emitters' output for tests/codegen/fixtures/notes.proto.
`PRIM_UPDATE_GOLDEN=1 pytest tests/codegen` rewrites them after an intended change."""

from __future__ import annotations

import os

import pytest

from prim.codegen.emitters import http_client_py, interfaces_py, openapi, routes_py
from prim.codegen.model import Model
from tests.codegen._spec import GOLDEN, fixture_model

EMITTERS = {
    "routes_py": routes_py.emit,
    "interfaces_py": interfaces_py.emit,
    "openapi": openapi.emit,
    "http_client_py": http_client_py.emit,
}


@pytest.fixture(scope="module")
def notes() -> Model:
    return fixture_model("notes.proto")


@pytest.mark.parametrize("emitter", sorted(EMITTERS))
def test_output_matches_golden_files(notes: Model, emitter: str) -> None:
    files = EMITTERS[emitter](notes)
    assert files, f"{emitter} wrote nothing for the fixture"
    for path, content in sorted(files.items()):
        # A suffix of its own: linters must not mistake golden files for project code.
        golden = GOLDEN / "notes" / f"{path}.golden"
        if os.environ.get("PRIM_UPDATE_GOLDEN") == "1":
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(content)
        assert golden.exists(), f"no golden file {golden}; run with PRIM_UPDATE_GOLDEN=1"
        assert content == golden.read_text(), f"{path} differs from {golden}"


@pytest.mark.parametrize("emitter", sorted(EMITTERS))
def test_output_is_deterministic(emitter: str) -> None:
    first = EMITTERS[emitter](fixture_model("notes.proto"))
    second = EMITTERS[emitter](fixture_model("notes.proto"))
    assert first == second


def test_generated_python_compiles(notes: Model) -> None:
    for emit in (routes_py.emit, interfaces_py.emit, http_client_py.emit):
        for path, content in emit(notes).items():
            compile(content, path, "exec")
