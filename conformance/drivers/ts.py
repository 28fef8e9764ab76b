"""Starts the TypeScript SDK's driver (ts_driver.mjs) under Node: installs the SDK's npm
packages when node_modules is missing or older than the lock (as `make test` does),
compiles the SDK once per version of its sources (into the temporary folder), and runs
the driver on this process's stdin/stdout. Node is not optional here: without it the
driver fails to start (the registry offers `ts` only where Node is, or where
PRIM_REQUIRE_NODE=1 requires it).

    python -m prim.conformance.drivers.ts
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SDK = Path(__file__).resolve().parents[2] / "clients" / "ts"
GENERATED = SDK.parents[1] / "generated" / "ts"
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
    # A runner starts several drivers at once (`--jobs`): one installs and compiles, the
    # others wait for it and use what it built.
    key = hashlib.sha256(str(SDK).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"prim-ts-driver-{key}.lock", "wb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        lock = SDK / "package-lock.json"
        if not _STAMP.exists() or _STAMP.stat().st_mtime < lock.stat().st_mtime:
            _check([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], SDK)
            _STAMP.touch()
        dist = _compiled()
    sys.exit(subprocess.call([node, str(DRIVER), str(dist), str(SDK)]))


def _compiled() -> Path:
    """The SDK compiled, once per version of its sources (seconds of CPU each time)."""
    digest = hashlib.sha256(str(SDK).encode())
    sources = [SDK / "tsconfig.json", SDK / "package-lock.json",
               *sorted((SDK / "src").glob("*.ts")), *sorted(GENERATED.glob("*.ts"))]
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    dist = Path(tempfile.gettempdir()) / f"prim-ts-driver-{digest.hexdigest()[:16]}"
    if not (dist / "package.json").exists():  # written last: the build is complete
        building = Path(tempfile.mkdtemp(prefix="prim-ts-driver-build-"))
        _check([str(SDK / "node_modules" / ".bin" / "tsc"), "-p", "tsconfig.json",
                "--outDir", str(building)], SDK)
        (building / "package.json").write_text('{"type": "module"}\n')
        shutil.rmtree(dist, ignore_errors=True)
        building.rename(dist)
    return dist


if __name__ == "__main__":
    main()
