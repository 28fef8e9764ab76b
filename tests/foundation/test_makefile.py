"""Running the server must not need Node: only `make test` (the TypeScript SDK's checks)
installs the npm packages. `make -n -B` prints every recipe a target would run, its
prerequisites' included, without running any."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _recipes(target: str) -> str:
    result = subprocess.run(
        ["make", "-n", "-B", target], cwd=REPO, capture_output=True, text=True,
        check=True, timeout=60,
    )
    return result.stdout


@pytest.mark.parametrize("target", ["setup", "run", "gen", "check-gen", "lint", "bench"])
def test_target_does_not_need_node(target: str) -> None:
    assert "npm" not in _recipes(target)


def test_make_test_installs_the_npm_packages() -> None:
    assert "npm ci" in _recipes("test")
