"""The Error body as clients read it: the retry advice and the violations survive the trip."""

from __future__ import annotations

import httpx
import pytest

from prim.generated.prim.v1 import ErrorCode, LoginResponse
from prim.generated.routes import ROUTES
from prim.runtime.errors import ApiError
from prim.runtime.http.client import PrimApiError, read_response


def test_the_client_keeps_the_servers_retry_advice() -> None:
    login = next(r for r in ROUTES if r.handler == "login")
    body = ApiError(ErrorCode.RATE_LIMITED, "wait", "user_id",
                    retry_after_ms=2500).to_message().to_dict()
    assert body["retryAfterMs"] == 2500
    assert body["violations"] == [{"field": "userId", "description": "wait"}]
    with pytest.raises(PrimApiError) as refused:
        read_response(login, httpx.Response(429, json=body), LoginResponse)
    assert (refused.value.code, refused.value.field, refused.value.retry_after_ms) == (
        ErrorCode.RATE_LIMITED, "user_id", 2500)


def test_no_field_no_violations_and_no_retry_advice() -> None:
    body = ApiError(ErrorCode.INTERNAL, "boom").to_message().to_dict()
    assert "violations" not in body and "retryAfterMs" not in body
