"""Emits python/rpc.py: for each internal service (one without HTTP bindings), the two
adapters between its generated interface and gRPC (grpclib):

- `<Service>Grpc` serves an implementation of `<Service>Interface` as betterproto2's
  `<Service>Base`, so a service class runs unchanged in its own process;
- `<Service>Remote` is a `<Service>Interface` whose calls go through `<Service>Stub` to
  wherever an `RpcTarget` points (one address, or several to fail over between).

Both map errors the same way (prim.runtime.rpc.errors), so a caller sees the `ApiError` the
service raised whether it runs in-process or across the network.
"""

from __future__ import annotations

from prim.codegen.emitters._python_refs import class_ref
from prim.codegen.emitters.interfaces_py import docstring
from prim.codegen.model import Method, Model, Service, to_snake


def emit(model: Model) -> dict[str, str]:
    internal = [s for s in model.services if not s.has_http]
    if not internal:
        return {}
    return {"python/rpc.py": _render(model, internal)}


def _signature(head: str, params: str, ret: str) -> list[str]:
    line = f"    {head}(self, {params}) -> {ret}:"
    if len(line) <= 100:
        return [line]
    return [f"    {head}(", f"        self, {params}", f"    ) -> {ret}:"]


def _grpc_method(model: Model, m: Method, imports: dict[str, set[str]]) -> list[str]:
    req = class_ref(model, m.input_type, imports)
    resp = class_ref(model, m.output_type, imports)
    name = to_snake(m.name)
    return [*_signature(f"async def {name}", f"message: {req}", resp),
            f"        return await serve_call(self._impl.{name}, message)"]


def _remote_method(model: Model, svc: Service, m: Method,
                   imports: dict[str, set[str]]) -> list[str]:
    req = class_ref(model, m.input_type, imports)
    resp = class_ref(model, m.output_type, imports)
    name = to_snake(m.name)
    return [*_signature(f"async def {name}", f"request: {req}, ctx: CallContext", resp),
            f"        return await self._target.call(\"{svc.name}.{m.name}\", lambda channel, "
            "timeout:",
            f"            {svc.name}Stub(channel).{name}(request, timeout=timeout))"]


def _service(model: Model, svc: Service, imports: dict[str, set[str]]) -> list[str]:
    for m in svc.methods:
        if m.client_streaming or m.server_streaming:
            raise NotImplementedError(f"{svc.name}.{m.name}: streaming internal RPCs")
    imports.setdefault("prim.generated.interfaces", set()).add(f"{svc.name}Interface")
    imports.setdefault("prim.generated.prim.v1", set()).update(
        {f"{svc.name}Base", f"{svc.name}Stub"})
    out = [f"class {svc.name}Grpc({svc.name}Base):"]
    out.extend(docstring(f"Serves an implementation of {svc.name}Interface over gRPC.", "    "))
    out += ["", f"    def __init__(self, impl: {svc.name}Interface) -> None:",
            "        self._impl = impl"]
    for m in svc.methods:
        out += ["", *_grpc_method(model, m, imports)]
    out += ["", "", f"class {svc.name}Remote({svc.name}Interface):"]
    out.extend(docstring(f"{svc.name}Interface over gRPC: each call goes through "
                         f"{svc.name}Stub to `target`.", "    "))
    out += ["", "    def __init__(self, target: RpcTarget) -> None:",
            "        self._target = target"]
    for m in svc.methods:
        out += ["", *_remote_method(model, svc, m, imports)]
    return out


def _render(model: Model, services: list[Service]) -> str:
    imports: dict[str, set[str]] = {}
    body: list[str] = []
    for svc in services:
        body += ["", "", *_service(model, svc, imports)]
    out = [
        '"""gRPC adapters of the internal services: `<Service>Grpc` serves an implementation,',
        "`<Service>Remote` calls one across the network. Generated from the spec by `make gen`",
        '(codegen/emitters/rpc_py.py): do not edit."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    for module in sorted(imports):
        out.append(f"from {module} import (")
        out.extend(f"    {n}," for n in sorted(imports[module]))
        out.append(")")
    out.append("from prim.runtime.context import CallContext")
    out.append("from prim.runtime.rpc.call import RpcTarget, serve_call")
    out.extend(body)
    out += ["", "", "__all__ = ["]
    for svc in services:
        out += [f'    "{svc.name}Grpc",', f'    "{svc.name}Remote",']
    out += ["]", ""]
    return "\n".join(out)
