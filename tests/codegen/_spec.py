"""Builds the descriptor model of fixture protos (or of the real spec) the way the protoc
plugin does: protoc compiles them into a FileDescriptorSet, build_model reads it."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

from prim.codegen.model import Model, build_model
from prim.codegen.run import REPO, include_dirs, spec_files

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"


def compile_model(proto_dir: Path, files: list[str]) -> Model:
    """The model of `files` (relative to `proto_dir`); the real spec is importable too."""
    with tempfile.TemporaryDirectory(prefix="prim-codegen-test-") as tmp:
        out = Path(tmp) / "set.pb"
        subprocess.run(
            [sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_dir}", f"-I{REPO / 'spec'}",
             *(f"-I{d}" for d in include_dirs()), "--include_imports", "--include_source_info",
             f"--descriptor_set_out={out}", *files],
            check=True, capture_output=True, text=True,
        )
        fds = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    return build_model(list(fds.file), files)


def fixture_model(name: str) -> Model:
    return compile_model(FIXTURES, [name])


def spec_model() -> Model:
    return compile_model(REPO / "spec", spec_files(REPO))
