"""Loads conformance cases: YAML files in conformance/cases/, each one `ConformanceCase`
(spec/prim/v1/conformance.proto) in proto3 JSON form. Enum values may be written short
(`TEXT` for `MSG_TYPE_TEXT`, `PERMISSION_DENIED` for `ERROR_CODE_PERMISSION_DENIED`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from prim.generated.prim.v1 import ConformanceCase

CASES_DIR = Path(__file__).resolve().parent / "cases"

# field name -> the prefix of its enum's values
_ENUM_PREFIXES = {"type": "MSG_TYPE_", "code": "ERROR_CODE_", "transport": "CASE_TRANSPORT_",
                  "auth": "CASE_AUTH_"}
# Fields holding free-form JSON (a request or an answer), where no name is an enum field.
_OPAQUE = frozenset({"body", "response", "fields", "serverConfig", "server_config", "save"})


# The case's numeric fields; every other number is a header value, written as a string.
_NUMBERS = frozenset({"within_ms", "withinMs", "quiet_ms", "quietMs", "ms", "status"})


class CaseError(Exception):
    """A case file that does not parse into a ConformanceCase."""


def load_case(path: Path) -> ConformanceCase:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise CaseError(f"{path}: a case is a mapping")
        data.setdefault("name", path.stem)
        case = ConformanceCase.from_dict(_normalise(data))
    except (yaml.YAMLError, ValueError, TypeError, KeyError) as exc:
        raise CaseError(f"{path}: {exc}") from exc
    if not case.steps:
        raise CaseError(f"{path}: no steps")
    return case


def load_cases(directory: Path = CASES_DIR, names: list[str] | None = None
               ) -> list[ConformanceCase]:
    """Every case of `directory` (sorted by file name), or those named (globs allowed)."""
    paths = sorted(directory.glob("*.yaml"))
    if names:
        paths = [p for p in paths if any(p.match(f"{n}.yaml") or p.match(n) for n in names)]
    cases = [load_case(p) for p in paths]
    seen: set[str] = set()
    for case in cases:
        if case.name in seen:
            raise CaseError(f"two cases are named {case.name!r}")
        seen.add(case.name)
    return cases


def _normalise(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        if key in _OPAQUE:
            return value
        return {k: _normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v, key) for v in value]
    prefix = _ENUM_PREFIXES.get(key)
    if prefix and isinstance(value, str) and not value.startswith(prefix):
        return prefix + value.upper()
    if isinstance(value, int) and not isinstance(value, bool) and key not in _NUMBERS:
        return str(value)  # header fields are strings in a case (they may be references)
    return value
