"""The TypeScript SDK for tests: Node and the SDK's npm packages (`npm ci` when
node_modules is missing or older than the lock, as `make test` does), and the SDK compiled
into a private folder. Without Node the caller's tests skip, unless PRIM_REQUIRE_NODE=1
(as in CI), where a missing Node is a failure."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from prim.codegen.run import REPO

SDK = REPO / "clients" / "ts"
_STAMP = SDK / "node_modules" / ".prim-installed"


def run(args: list[str], cwd: Path = SDK, timeout: float = 300
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False)


def node_modules() -> Path:
    """The SDK's installed node_modules (skips or fails the test without Node)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        reason = "node/npm are not installed (CI sets PRIM_REQUIRE_NODE=1 to require them)"
        if os.environ.get("PRIM_REQUIRE_NODE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    lock = SDK / "package-lock.json"
    if not _STAMP.exists() or _STAMP.stat().st_mtime < lock.stat().st_mtime:
        result = run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], SDK, 600)
        assert result.returncode == 0, result.stdout + result.stderr
        _STAMP.touch()
    return SDK / "node_modules"


def quic_test_modules() -> Path:
    """test/quic's node_modules (npm @matrixai/quic for the raw-QUIC case of wire.mjs),
    installed with `npm install`: its lock cannot satisfy `npm ci` (see its package.json)."""
    folder = SDK / "test" / "quic"
    stamp = folder / "node_modules" / ".prim-installed"
    if not stamp.exists() or stamp.stat().st_mtime < (folder / "package.json").stat().st_mtime:
        result = run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                     folder, 600)
        assert result.returncode == 0, result.stdout + result.stderr
        stamp.touch()
    return folder / "node_modules"


def compile_sdk(out: Path) -> Path:
    """Compiles the SDK (generated and hand-written sources) into `out`, marked as ES
    modules as the package is; returns `out`."""
    tsc = node_modules() / ".bin" / "tsc"
    result = run([str(tsc), "-p", "tsconfig.json", "--outDir", str(out)])
    assert result.returncode == 0, result.stdout + result.stderr
    (out / "package.json").write_text('{"type": "module"}\n')
    return out
