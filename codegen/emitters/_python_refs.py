"""How generated Python names a message class, collecting the imports it needs (shared by
the emitters that write Python: interfaces, routes, the HTTP client)."""

from __future__ import annotations

from prim.codegen.emitters._openapi_http import HTTP_BODY
from prim.codegen.model import Model, python_module


def class_ref(model: Model, full_name: str, imports: dict[str, set[str]]) -> str:
    """The class name to write for message `full_name`; its import goes into `imports`
    (module -> names)."""
    if full_name == HTTP_BODY:
        imports.setdefault("prim.generated.google.api", set()).add("HttpBody")
        return "HttpBody"
    msg = model.message(full_name)
    imports.setdefault(python_module(msg.package), set()).add(msg.name)
    return msg.name
