"""Every error a test provokes must be one its operation declares: a response hook for the
tests' HTTP clients that looks the operation up in the served OpenAPI document and fails the
request when the answer's status or code is not among that operation's documented errors.
So each handler refusal the API tests exercise also checks the spec's (prim.v1.errors)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import httpx

from prim.generated.routes import ROUTES
from prim.runtime.http.app import load_openapi
from prim.runtime.http.router import BadPathValue, Router

# Answers for a path or verb that no operation serves (ERROR_SCOPE_ROUTING and NOT_FOUND).
NO_OPERATION = {"ERROR_CODE_NOT_FOUND", "ERROR_CODE_METHOD_NOT_ALLOWED",
                "ERROR_CODE_INVALID_ARGUMENT"}


@cache
def _operations() -> dict[str, dict[str, Any]]:
    doc = json.loads(load_openapi())
    return {op["operationId"]: op for item in doc["paths"].values() for op in item.values()}


@cache
def _router() -> Router:
    return Router(ROUTES)


def declared(operation_id: str, status: int) -> set[str]:
    """The codes `operation_id` declares for `status` (none when it declares no such status)."""
    response = _operations()[operation_id]["responses"].get(str(status))
    if response is None:
        return set()
    schema = response["content"]["application/json"]["schema"]
    return set(schema["allOf"][1]["properties"]["code"]["enum"])


def check(response: httpx.Response) -> None:
    """Raises AssertionError when `response` is an error its operation does not declare."""
    if response.status_code < 400 or response.status_code == 416:
        return  # a refused Range (RFC 9110 section 15.5.17) has no Error body
    assert response.headers.get("content-type", "").startswith("application/json"), response
    code = response.json()["code"]
    request = response.request
    path = request.url.raw_path.split(b"?")[0].decode("latin-1")
    try:
        match = _router().match(request.method, path)
    except BadPathValue:
        match = None
    if match is None:
        assert code in NO_OPERATION, (request.method, request.url, code)
        return
    allowed = declared(match.route.operation_id, response.status_code)
    assert code in allowed, (f"{match.route.operation_id} answered {response.status_code} "
                             f"{code}, which the spec does not declare (prim.v1.errors); "
                             f"declared for that status: {sorted(allowed)}")


async def check_hook(response: httpx.Response) -> None:
    if response.status_code >= 400:
        await response.aread()
        check(response)


EVENT_HOOKS: dict[str, list[Any]] = {"response": [check_hook]}
