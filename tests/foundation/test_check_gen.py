"""`make gen` is reproducible and `make check-gen` notices a spec edit that was not
regenerated (run against a copy of the repository's spec and generated files)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prim.codegen.run import OUTPUTS, REPO


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(REPO / "spec", root / "spec")
    for dest in OUTPUTS.values():
        if (REPO / dest).exists():
            shutil.copytree(REPO / dest, root / dest,
                            ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _gen(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prim.codegen.run", "--root", str(root), *extra],
        capture_output=True, text=True, check=False, timeout=300,
    )


def test_committed_generated_files_match_the_spec(repo_copy: Path) -> None:
    result = _gen(repo_copy, "--check")
    assert result.returncode == 0, result.stderr


def test_check_fails_after_an_unregenerated_spec_edit(repo_copy: Path) -> None:
    wire = repo_copy / "spec" / "prim" / "v1" / "users.proto"
    original = wire.read_text()
    try:
        wire.write_text(original.replace("string signature = 4;", "string signature = 4;\n"
                                         "  string pronouns = 9;", 1))
        result = _gen(repo_copy, "--check")
        assert result.returncode == 1
        assert "generated/python/prim/v1/__init__.py (differs)" in result.stderr
        # Regenerating twice: the second run changes nothing.
        assert _gen(repo_copy).returncode == 0
        second = _gen(repo_copy)
        assert second.returncode == 0
        assert "already up to date" in second.stdout
        assert _gen(repo_copy, "--check").returncode == 0
    finally:
        wire.write_text(original)
        _gen(repo_copy)


def test_a_broken_spec_fails_with_protocs_message(repo_copy: Path) -> None:
    bad = repo_copy / "spec" / "prim" / "v1" / "zz_broken.proto"
    bad.write_text('syntax = "proto3";\npackage prim.v1;\nmessage Broken { strin x = 1; }\n')
    try:
        result = _gen(repo_copy, "--check")
        assert result.returncode != 0
        assert "zz_broken.proto" in result.stderr
    finally:
        bad.unlink()
