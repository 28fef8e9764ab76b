"""Which version `make check-breaking` compares with: a branch against its merge base with
main (in a worktree or a fresh clone alike), main against its last tag, and main with no tag
against itself, which passes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from prim.codegen.breaking import base_ref


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                           *args], capture_output=True, text=True, check=True).stdout.strip()


def commit(repo: Path, name: str) -> str:
    (repo / name).write_text(name)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", name)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PRIM_BREAKING_AGAINST", raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo


def test_main_without_a_tag_compares_with_itself(repo: Path) -> None:
    commit(repo, "a")
    head = commit(repo, "b")
    assert base_ref(repo) == head


def test_main_compares_with_its_last_tag(repo: Path) -> None:
    released = commit(repo, "a")
    git(repo, "tag", "v1.0")
    commit(repo, "b")
    assert base_ref(repo) == released


def test_a_tag_on_main_itself_compares_with_the_tag_before(repo: Path) -> None:
    first = commit(repo, "a")
    git(repo, "tag", "v1.0")
    commit(repo, "b")
    git(repo, "tag", "v1.1")
    assert base_ref(repo) == first


def test_a_branch_compares_with_its_merge_base(repo: Path, tmp_path: Path) -> None:
    fork = commit(repo, "a")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "b")
    git(repo, "checkout", "-q", "main")
    commit(repo, "c")
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "feature")
    assert base_ref(tmp_path / "wt") == fork
    # A fresh clone of the branch knows main only as origin/main.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "-b", "feature", str(repo), str(clone)], check=True)
    assert base_ref(clone) == fork


def test_prim_breaking_against_wins(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = commit(repo, "a")
    commit(repo, "b")
    monkeypatch.setenv("PRIM_BREAKING_AGAINST", "HEAD~1")
    assert base_ref(repo) == first
