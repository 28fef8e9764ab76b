"""Emits python/interfaces.py: one abstract async class per service of the spec (HTTP and
internal alike), which the services implement and every transport calls."""

from __future__ import annotations

from prim.codegen.emitters._python_refs import class_ref
from prim.codegen.model import Method, Model, Service, to_snake


def emit(model: Model) -> dict[str, str]:
    if not model.services:
        return {}
    return {"python/interfaces.py": _render(model)}


def docstring(text: str, indent: str) -> list[str]:
    """A docstring for `text`, safe against backslashes and triple quotes in comments."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = text.splitlines()
    if len(lines) == 1 and len(lines[0]) + len(indent) + 6 <= 100:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""', *(f"{indent}{line}".rstrip() for line in lines), f'{indent}"""']


def _method(model: Model, m: Method, imports: dict[str, set[str]]) -> list[str]:
    req = class_ref(model, m.input_type, imports)
    resp = class_ref(model, m.output_type, imports)
    name = to_snake(m.name)
    if m.client_streaming:
        req = f"AsyncIterator[{req}]"
    out = ["    @abc.abstractmethod"]
    if m.server_streaming:
        # An async generator: declared without `async` so the override can `yield`.
        sig = f"    def {name}(self, request: {req}, ctx: CallContext) -> AsyncIterator[{resp}]:"
    else:
        sig = f"    async def {name}(self, request: {req}, ctx: CallContext) -> {resp}:"
    if len(sig) > 100:
        keyword = "def" if m.server_streaming else "async def"
        ret = f"AsyncIterator[{resp}]" if m.server_streaming else resp
        sig = (f"    {keyword} {name}(\n        self, request: {req}, ctx: CallContext\n"
               f"    ) -> {ret}:")
    out.append(sig)
    out.extend(docstring(m.comment or f"{m.name}.", "        "))
    out.append("        raise NotImplementedError")
    return out


def _service(model: Model, svc: Service, imports: dict[str, set[str]]) -> list[str]:
    out = [f"class {svc.name}Interface(abc.ABC):"]
    out.extend(docstring(svc.comment or f"The {svc.name} of {svc.package}.", "    "))
    for m in svc.methods:
        out.append("")
        out.extend(_method(model, m, imports))
    return out


def _render(model: Model) -> str:
    imports: dict[str, set[str]] = {}
    body: list[str] = []
    for svc in model.services:
        body += ["", "", *_service(model, svc, imports)]
    streaming = any(m.client_streaming or m.server_streaming
                    for s in model.services for m in s.methods)
    out = [
        '"""Abstract async server interfaces, one per service of the spec. Generated from the',
        'spec by `make gen` (codegen/emitters/interfaces_py.py): do not edit."""',
        "",
        "from __future__ import annotations",
        "",
        "import abc",
    ]
    if streaming:
        out.append("from collections.abc import AsyncIterator")
    out.append("")
    for module in sorted(imports):
        out.append(f"from {module} import (")
        out.extend(f"    {n}," for n in sorted(imports[module]))
        out.append(")")
    out.append("from prim.runtime.context import CallContext")
    out.extend(body)
    out.append("")
    out.append("")
    names = ", ".join(f'"{s.name}Interface"' for s in model.services)
    out.append(f"__all__ = [{names}]" if len(names) < 85 else "__all__ = [")
    if len(names) >= 85:
        out.extend(f'    "{s.name}Interface",' for s in model.services)
        out.append("]")
    out.append("")
    return "\n".join(out)
