"""buf (from the @bufbuild/buf npm package in clients/ts) over the spec: `lint` runs buf lint
with spec/buf.yaml.

buf is given an image that protoc builds with the include paths `make gen` uses, rather than
the spec folder: google/api/*.proto then come from googleapis-common-protos, as for the
generator, and buf needs no dependency from the network.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from prim.codegen.run import REPO, include_dirs

BUF = REPO / "clients" / "ts" / "node_modules" / ".bin" / "buf"
CONFIG = REPO / "spec" / "buf.yaml"
SPEC_PACKAGE_DIR = "prim/v1"  # what buf checks; imports (google/...) are not ours to lint


def build_image(spec_dir: Path, out: Path) -> None:
    """A FileDescriptorSet of spec_dir/prim/v1/*.proto and all they import, with comments."""
    files = sorted(str(p.relative_to(spec_dir))
                   for p in (spec_dir / SPEC_PACKAGE_DIR).glob("*.proto"))
    proc = subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", f"-I{spec_dir}",
         *(f"-I{d}" for d in include_dirs()), "--include_imports", "--include_source_info",
         f"--descriptor_set_out={out}", *files],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"protoc failed on {spec_dir}:\n{proc.stderr}")


def run_buf(*args: str) -> subprocess.CompletedProcess[str]:
    if not BUF.exists():
        raise SystemExit(f"{BUF} is missing: run `cd clients/ts && npm ci` (make does it)")
    return subprocess.run([str(BUF), *args, "--config", str(CONFIG), "--path", SPEC_PACKAGE_DIR],
                          capture_output=True, text=True, check=False)


def lint(spec_dir: Path) -> list[str]:
    """buf lint's complaints about the spec in spec_dir, one a line; [] when clean."""
    with tempfile.TemporaryDirectory(prefix="prim-buf-") as tmp:
        image = Path(tmp) / "spec.binpb"
        build_image(spec_dir, image)
        proc = run_buf("lint", str(image))
    return (proc.stdout + proc.stderr).splitlines() if proc.returncode else []


def main() -> int:
    problems = lint(REPO / "spec")
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
