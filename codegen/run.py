"""Regenerates everything under generated/ (and the wire vectors under conformance/vectors/)
from spec/, or checks that the committed files match (`--check`).

protoc (from grpcio-tools) runs two plugins over spec/prim/v1/*.proto: betterproto2's for
message classes and grpclib stubs, and ours (plugin.py) for the rest. Both write into a
staging folder first, which then replaces the output folders whole, so a file the spec no
longer produces disappears too.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# staging sub-folder -> where it lands in the repository
OUTPUTS: dict[str, str] = {
    "python": "generated/python",
    "openapi": "generated/openapi",
    "ts": "generated/ts",
    "vectors": "conformance/vectors",
}
RUFF_CONFIG = 'line-length = 100\ntarget-version = "py311"\n'


def include_dirs() -> list[str]:
    import google.api
    import grpc_tools

    googleapis = Path(next(iter(google.api.__path__))).parent.parent
    return [str(Path(grpc_tools.__file__).parent / "_proto"), str(googleapis)]


def spec_files(root: Path) -> list[str]:
    spec = root / "spec"
    return sorted(str(p.relative_to(spec)) for p in (spec / "prim" / "v1").glob("*.proto"))


def generate(root: Path, staging: Path) -> None:
    """Runs protoc with both plugins, writing into `staging/<output>`."""
    from grpc_tools import protoc

    bin_dir = Path(sys.executable).parent
    (staging / "python").mkdir(parents=True)
    plugin = staging / "protoc-gen-prim"
    plugin.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m prim.codegen.plugin "$@"\n')
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
    args = [
        "grpc_tools.protoc",
        f"-I{root / 'spec'}",
        *(f"-I{d}" for d in include_dirs()),
        f"--plugin=protoc-gen-prim={plugin}",
        f"--prim_out={staging}",
        f"--python_betterproto2_out={staging / 'python'}",
        "--python_betterproto2_opt=client_generation=async,server_generation=async",
        *spec_files(root),
    ]
    # betterproto2's plugin runs `ruff` to format its output: it must be on PATH.
    old_path = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{old_path}"
    # ...and it formats with whatever ruff configuration it finds above the working
    # directory; pin one so the output does not depend on where the repository lives.
    (staging / "ruff.toml").write_text(RUFF_CONFIG)
    old_cwd = Path.cwd()
    try:
        os.chdir(staging)
        status = _quiet_protoc(protoc.main, args)
    finally:
        os.chdir(old_cwd)
        os.environ["PATH"] = old_path
    plugin.unlink()
    if status != 0:
        raise SystemExit(f"protoc failed with status {status}; see the messages above")
    (staging / "python" / "py.typed").write_text("")


def _quiet_protoc(main: object, args: list[str]) -> int:
    """protoc.main, with betterproto2's 'Writing <file>' chatter (on stderr) filtered out."""
    code = (
        "import sys\nfrom grpc_tools import protoc\n"
        "sys.exit(protoc.main(sys.argv[1:]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    for line in (proc.stdout + proc.stderr).splitlines():
        if not line.startswith("Writing "):
            print(line, file=sys.stderr)
    return proc.returncode


def _tree(path: Path) -> dict[str, Path]:
    if not path.exists():
        return {}
    return {
        str(p.relative_to(path)): p
        for p in sorted(path.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def differences(root: Path, staging: Path) -> list[str]:
    """Paths (relative to the repository) that differ between `staging` and the tree."""
    diffs: list[str] = []
    for sub, dest in OUTPUTS.items():
        new, old = _tree(staging / sub), _tree(root / dest)
        for name in sorted(set(new) | set(old)):
            rel = f"{dest}/{name}"
            if name not in new:
                diffs.append(f"{rel} (not produced by the spec)")
            elif name not in old:
                diffs.append(f"{rel} (missing)")
            elif not filecmp.cmp(new[name], old[name], shallow=False):
                diffs.append(f"{rel} (differs)")
    return diffs


def install(root: Path, staging: Path) -> None:
    for sub, dest in OUTPUTS.items():
        target = root / dest
        if target.exists():
            shutil.rmtree(target)
        if (staging / sub).exists():
            shutil.copytree(staging / sub, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="prim gen",
        description="Regenerate generated/ and conformance/vectors/ from spec/.",
    )
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if the committed files differ")
    parser.add_argument("--root", type=Path, default=REPO,
                        help="repository root (default: %(default)s)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="prim-gen-") as tmp:
        staging = Path(tmp)
        generate(args.root, staging)
        diffs = differences(args.root, staging)
        if args.check:
            if diffs:
                print("generated files do not match the spec; run `make gen`:", file=sys.stderr)
                for d in diffs:
                    print(f"  {d}", file=sys.stderr)
                return 1
            print("generated files match the spec")
            return 0
        install(args.root, staging)
        print(f"regenerated {len(diffs)} changed file(s)" if diffs else "already up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
