"""`make check-breaking`: refuses a spec that breaks what the previous version promised.

Two checks against a base version of the spec:
- buf breaking (rules in spec/buf.yaml) over protoc-built images of both: renumbered or
  removed fields, changed types, removed RPCs and enum values;
- the wire contract (conformance/vectors/wire-contract.json, emitters/contract.py), for what
  protobuf descriptors do not say: header fields keep word, offset and width; MsgTypes keep
  their number and properties; every HTTP binding of an RPC stays.

The base: PRIM_BREAKING_AGAINST (a git ref) when set; on a branch, its merge base with main;
on main itself, the newest tag before HEAD; with no tag, main is compared with itself and
passes. To accept a deliberate break (before a release), set PRIM_BREAKING_AGAINST=HEAD.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2

from prim.codegen.buf import build_image, run_buf
from prim.codegen.emitters.contract import PATH as CONTRACT_PATH
from prim.codegen.emitters.contract import contract
from prim.codegen.model import SpecError, build_model
from prim.codegen.run import OUTPUTS, REPO

CONTRACT_FILE = f"{OUTPUTS['vectors']}/{CONTRACT_PATH.removeprefix('vectors/')}"


def spec_contract(image: Path) -> dict[str, Any]:
    fds = descriptor_pb2.FileDescriptorSet.FromString(image.read_bytes())
    ours = [f.name for f in fds.file if f.name.startswith("prim/")]
    return contract(build_model(list(fds.file), ours))


def contract_problems(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    old_header, new_header = old.get("header") or {}, new.get("header") or {}
    if old_header and old_header.get("bytes") != new_header.get("bytes"):
        problems.append(f"header: {old_header.get('bytes')} bytes became {new_header.get('bytes')}")
    new_fields = new_header.get("fields", {})
    for name, placed in old_header.get("fields", {}).items():
        if name not in new_fields:
            problems.append(f"header field {name}: removed")
        elif new_fields[name] != placed:
            problems.append(f"header field {name}: {_show(placed)} became "
                            f"{_show(new_fields[name])}")
    new_constants = new.get("constants") or {}
    for name, value in (old.get("constants") or {}).items():
        if new_constants.get(name) != value:
            problems.append(f"(prim.v1.constants).{name}: {value!r} became "
                            f"{new_constants.get(name)!r}")
    new_types = new.get("msg_types", {})
    for name, info in old.get("msg_types", {}).items():
        if name not in new_types:
            problems.append(f"MsgType {name} ({info['number']}): removed")
            continue
        for key, value in info.items():
            if new_types[name].get(key) != value:
                problems.append(f"MsgType {name}: {key} {value!r} became "
                                f"{new_types[name].get(key)!r}")
    new_http = new.get("http", {})
    for method, bindings in old.get("http", {}).items():
        for b in bindings:
            if b not in new_http.get(method, []):
                problems.append(f"{method}: HTTP binding {b['verb']} {b['path']} "
                                f"(body {b['body']!r}) removed or changed")
    return problems


def _show(placed: dict[str, int]) -> str:
    return f"word {placed['word']} offset {placed['offset']} bits {placed['bits']}"


def check(old_spec: Path, new_spec: Path, old_contract: dict[str, Any] | None = None) -> list[str]:
    """Everything new_spec breaks relative to old_spec; old_contract, when given, stands for
    the old spec's wire contract (the snapshot that version committed)."""
    with tempfile.TemporaryDirectory(prefix="prim-breaking-") as tmp:
        old_image, new_image = Path(tmp) / "old.binpb", Path(tmp) / "new.binpb"
        build_image(old_spec, old_image)
        build_image(new_spec, new_image)
        proc = run_buf("breaking", str(new_image), "--against", str(old_image))
        problems = (proc.stdout + proc.stderr).splitlines() if proc.returncode else []
        new_contract = spec_contract(new_image)
        if old_contract is None:
            try:
                old_contract = spec_contract(old_image)
            except SpecError as exc:
                # The one version this happens to: main before the header had offsets.
                print(f"check-breaking: the base spec has no wire contract ({exc}); "
                      "checking the protos only", file=sys.stderr)
                return problems
        problems += contract_problems(old_contract, new_contract)
    return problems


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def _ok(repo: Path, *args: str) -> bool:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                          check=False).returncode == 0


def base_ref(repo: Path = REPO) -> str:
    """The commit to compare the working tree with (see the module's docstring)."""
    if os.environ.get("PRIM_BREAKING_AGAINST"):
        return _git(repo, "rev-parse", "--verify",
                    os.environ["PRIM_BREAKING_AGAINST"] + "^{commit}")
    head = _git(repo, "rev-parse", "HEAD")
    # A worktree or clone on a branch has main (or, in a fresh clone, only origin/main).
    main = next((r for r in ("main", "origin/main")
                 if _ok(repo, "rev-parse", "--verify", "-q", r)), None)
    if main is not None:
        if not _ok(repo, "merge-base", "HEAD", main):
            raise SystemExit(f"check-breaking: HEAD and {main} share no commit (a shallow "
                             "clone?); fetch more history or set PRIM_BREAKING_AGAINST")
        base = _git(repo, "merge-base", "HEAD", main)
        if base != head:
            return base
    if _ok(repo, "describe", "--tags", "--abbrev=0", "HEAD^"):
        # main itself: against the last release; HEAD^ so that a tag on HEAD is passed over
        tag = _git(repo, "describe", "--tags", "--abbrev=0", "HEAD^")
        return _git(repo, "rev-parse", tag + "^{commit}")
    return head  # main with no tag: the working tree against its own commit


def _extract_spec(ref: str, dest: Path) -> None:
    tar = subprocess.run(["git", "-C", str(REPO), "archive", ref, "spec"], capture_output=True,
                         check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(dest, filter="data")


def _committed_contract(ref: str) -> dict[str, Any] | None:
    if not _ok(REPO, "cat-file", "-e", f"{ref}:{CONTRACT_FILE}"):
        return None  # a version from before the snapshot existed: the spec stands for it
    return dict(json.loads(_git(REPO, "show", f"{ref}:{CONTRACT_FILE}")))


def main() -> int:
    ref = base_ref()
    with tempfile.TemporaryDirectory(prefix="prim-breaking-base-") as tmp:
        _extract_spec(ref, Path(tmp))
        problems = check(Path(tmp) / "spec", REPO / "spec", _committed_contract(ref))
    for line in problems:
        print(line, file=sys.stderr)
    verdict = f"{len(problems)} problem(s)" if problems else "ok"
    print(f"check-breaking against {ref[:12]}: {verdict}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
