"""Running the server must not need Node: only `make test` (the TypeScript SDK's checks, the
web client's build) installs npm packages; `make run` builds the web client only when npm
is on PATH. `make -n -B` prints every recipe a target would run, its prerequisites'
included, without running any (but it does run `$(MAKE)` lines, as make always does)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _recipes(target: str, path: str | None = None) -> str:
    env = None if path is None else {"PATH": path}
    result = subprocess.run(
        ["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True,
        check=True, timeout=60, env=env,
    )
    return result.stdout


@pytest.mark.parametrize("target", ["setup", "gen", "check-gen", "lint", "bench"])
def test_target_does_not_need_node(target: str) -> None:
    assert "npm" not in _recipes(target)


def test_make_run_builds_the_web_client_only_when_npm_is_there(tmp_path: Path) -> None:
    make = shutil.which("make")
    assert make is not None
    (tmp_path / "make").symlink_to(make)  # a PATH with make and no npm
    without_npm = _recipes("run", path=str(tmp_path))
    assert "npm ci" not in without_npm
    assert "the web client is not built" in without_npm
    if shutil.which("npm") is not None:
        assert "npm run --silent build" in _recipes("run")


def test_make_test_installs_the_npm_packages() -> None:
    recipes = _recipes("test")
    assert "cd clients/ts && npm ci" in recipes
    assert "cd clients/web && npm ci" in recipes
