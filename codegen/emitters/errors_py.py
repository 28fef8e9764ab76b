"""Emits python/errors.py: the HTTP status and retryability of every error code, from the
(prim.v1.error) options of the ErrorCode enum."""

from __future__ import annotations

from prim.codegen.model import Model, python_module


def emit(model: Model) -> dict[str, str]:
    codes = [e for e in model.generated_enums() if any(v.http_status for v in e.values)]
    if not codes:
        return {}
    if len(codes) > 1:
        names = ", ".join(e.full_name for e in codes)
        raise ValueError(f"only one enum may carry (prim.v1.error); found {names}")
    enum = codes[0]
    out = [
        '"""HTTP status and retryability of each error code. Generated from the spec by',
        '`make gen` (codegen/emitters/errors_py.py): do not edit."""',
        "",
        "from __future__ import annotations",
        "",
        f"from {python_module(enum.package)} import {enum.name}",
        "",
        f"HTTP_STATUS: dict[{enum.name}, int] = {{",
    ]
    for v in enum.values:
        out.append(f"    {enum.name}.{v.short_name}: {v.http_status or 500},")
    out += ["}", "", f"RETRYABLE: frozenset[{enum.name}] = frozenset({{"]
    for v in enum.values:
        if v.retryable:
            out.append(f"    {enum.name}.{v.short_name},")
    out += ["})", ""]
    return {"python/errors.py": "\n".join(out)}
