"""Emits python/http_client.py: the typed async HTTP client, one sub-client per HTTP service
(`client.accounts.signup(SignupRequest(...))`). The HTTP mechanics live once in
runtime/http/client.py; this module only names the operations and their types."""

from __future__ import annotations

from prim.codegen.emitters._openapi_http import Operation, operations
from prim.codegen.emitters._python_refs import class_ref
from prim.codegen.emitters.interfaces_py import docstring
from prim.codegen.model import Model, Service, to_snake


def emit(model: Model) -> dict[str, str]:
    ops = [op for op in operations(model) if op.index == 0]
    if not ops:
        return {}
    return {"python/http_client.py": _render(model, ops)}


def attribute_name(service: Service) -> str:
    """`AccountService` -> `accounts`: the sub-client's attribute on the client."""
    base = to_snake(service.name.removesuffix("Service") or service.name)
    if base.endswith(("s", "x", "ch", "sh")):
        return base + "es"
    if base.endswith("y") and base[-2:-1] not in ("a", "e", "i", "o", "u"):
        return base[:-1] + "ies"
    return base + "s"


def _render(model: Model, ops: list[Operation]) -> str:
    imports: dict[str, set[str]] = {}
    services: list[Service] = []
    for op in ops:
        if op.service not in services:
            services.append(op.service)
    classes: list[str] = []
    for svc in services:
        classes += ["", "", f"class {svc.name}Client:"]
        classes += docstring(f"The HTTP operations of {svc.name}.", "    ")
        classes += ["", "    def __init__(self, transport: HttpTransport) -> None:",
                    "        self._transport = transport"]
        for op in (o for o in ops if o.service is svc):
            req = class_ref(model, op.method.input_type, imports)
            resp = class_ref(model, op.method.output_type, imports)
            sig = f"    async def {op.handler}(self, request: {req}) -> {resp}:"
            if len(sig) > 100:
                sig = f"    async def {op.handler}(\n        self, request: {req}\n    ) -> {resp}:"
            comment = op.method.comment or op.method.name + "."
            text = f"{op.binding.verb} {op.binding.path}\n\n{comment}"
            classes += ["", sig, *docstring(text, "        "),
                        "        return await self._transport.call(",
                        f'            BY_OPERATION_ID["{op.operation_id}"], request, {resp}',
                        "        )"]
    attrs = [(attribute_name(s), f"{s.name}Client") for s in services]
    if len({a for a, _ in attrs}) != len(attrs):
        raise ValueError(f"two services map to the same client attribute: {attrs}")
    out = [
        '"""The typed async HTTP client: one sub-client per service. Generated from the spec',
        'by `make gen` (codegen/emitters/http_client_py.py): do not edit.',
        "",
        "    async with PrimHttpClient(\"https://host:port\") as client:",
        "        session = await client.accounts.login(LoginRequest(...))",
        "        client.set_token(session.access_token)",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from types import TracebackType",
        "",
        "import httpx",
        "",
    ]
    for module in sorted(imports):
        out.append(f"from {module} import (")
        out.extend(f"    {n}," for n in sorted(imports[module]))
        out.append(")")
    out += [
        "from prim.generated.routes import BY_OPERATION_ID",
        "from prim.runtime.http.client import HttpTransport, PrimApiError",
        "",
        '__all__ = ["PrimApiError", "PrimHttpClient"]',
        *classes,
        "",
        "",
        "class PrimHttpClient:",
        *docstring("An async client of every HTTP operation; errors raise PrimApiError.", "    "),
        "",
        "    def __init__(",
        "        self,",
        "        base_url: str,",
        "        *,",
        "        token: str | None = None,",
        "        client: httpx.AsyncClient | None = None,",
        "        timeout: float = 30.0,",
        "    ) -> None:",
        "        self._transport = HttpTransport(base_url, token=token, client=client,"
        " timeout=timeout)",
    ]
    out += [f"        self.{attr} = {cls}(self._transport)" for attr, cls in attrs]
    out += [
        "",
        "    def set_token(self, token: str | None) -> None:",
        '        """The bearer token sent with every operation that needs one."""',
        "        self._transport.token = token",
        "",
        "    def set_user_id(self, user_id: int) -> None:",
        '        """The signed-in user: requests naming them where the spec refuses the',
        '        caller\'s own id fail before they are sent, as the server would refuse them."""',
        "        self._transport.user_id = user_id",
        "",
        "    async def aclose(self) -> None:",
        "        await self._transport.aclose()",
        "",
        "    async def __aenter__(self) -> PrimHttpClient:",
        "        return self",
        "",
        "    async def __aexit__(",
        "        self,",
        "        exc_type: type[BaseException] | None,",
        "        exc: BaseException | None,",
        "        tb: TracebackType | None,",
        "    ) -> None:",
        "        await self.aclose()",
        "",
    ]
    return "\n".join(out)
