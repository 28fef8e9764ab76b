"""Starts the TypeScript SDK's driver (ts_driver.mjs) under Node: installs the SDK's npm
packages when node_modules is missing or older than the lock (as `make test` does),
compiles the SDK into a folder of this run's own, and runs the driver on this process's
stdin/stdout. Node is not optional here: without it the driver fails to start (the
registry offers `ts` only where Node is, or where PRIM_REQUIRE_NODE=1 requires it).

    python -m prim.conformance.drivers.ts
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SDK = Path(__file__).resolve().parents[2] / "clients" / "ts"
DRIVER = Path(__file__).resolve().with_name("ts_driver.mjs")
_STAMP = SDK / "node_modules" / ".prim-installed"


def _check(args: list[str], cwd: Path) -> None:
    """Runs a build step; its output goes to stderr (stdout is the driver protocol)."""
    result = subprocess.run(args, cwd=cwd, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if result.returncode != 0:
        raise SystemExit(f"ts driver: {' '.join(args)} failed ({result.returncode})")


def main() -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise SystemExit("ts driver: node/npm are not installed")
    lock = SDK / "package-lock.json"
    if not _STAMP.exists() or _STAMP.stat().st_mtime < lock.stat().st_mtime:
        _check([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], SDK)
        _STAMP.touch()
    with tempfile.TemporaryDirectory(prefix="prim-ts-driver-") as dist:
        _check([str(SDK / "node_modules" / ".bin" / "tsc"), "-p", "tsconfig.json",
                "--outDir", dist], SDK)
        (Path(dist) / "package.json").write_text('{"type": "module"}\n')
        sys.exit(subprocess.call([node, str(DRIVER), dist, str(SDK)]))


if __name__ == "__main__":
    main()
