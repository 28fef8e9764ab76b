"""Emits python/errors.py: the HTTP status, gRPC status and retryability of every error code,
from the (prim.v1.error) options of the ErrorCode enum."""

from __future__ import annotations

from google.rpc import code_pb2

from prim.codegen.model import Model, SpecError, python_module

# google.rpc.Code's numbers, from the protobuf the spec's option names.
_GRPC_CODES = {v.name: v.number for v in code_pb2.DESCRIPTOR.enum_types_by_name["Code"].values}


def emit(model: Model) -> dict[str, str]:
    codes = [e for e in model.generated_enums() if any(v.http_status for v in e.values)]
    if not codes:
        return {}
    if len(codes) > 1:
        names = ", ".join(e.full_name for e in codes)
        raise ValueError(f"only one enum may carry (prim.v1.error); found {names}")
    enum = codes[0]
    missing = [v.name for v in enum.values if not v.grpc_status]
    if missing:
        raise SpecError(f"{enum.full_name}: (prim.v1.error) needs a grpc_status on "
                        f"{', '.join(missing)}")
    out = [
        '"""HTTP status, gRPC status and retryability of each error code. Generated from the',
        'spec by `make gen` (codegen/emitters/errors_py.py): do not edit."""',
        "",
        "from __future__ import annotations",
        "",
        f"from {python_module(enum.package)} import {enum.name}",
        "",
        f"HTTP_STATUS: dict[{enum.name}, int] = {{",
    ]
    for v in enum.values:
        out.append(f"    {enum.name}.{v.short_name}: {v.http_status or 500},")
    out += ["}", "", "# The google.rpc.Code number of each (grpclib's Status numbers agree).",
            f"GRPC_STATUS: dict[{enum.name}, int] = {{"]
    for v in enum.values:
        number = _GRPC_CODES[v.grpc_status]
        out.append(f"    {enum.name}.{v.short_name}: {number},  # {v.grpc_status}")
    out += ["}", "", f"RETRYABLE: frozenset[{enum.name}] = frozenset({{"]
    for v in enum.values:
        if v.retryable:
            out.append(f"    {enum.name}.{v.short_name},")
    out += ["})", ""]
    return {"python/errors.py": "\n".join(out)}
