"""The check that keeps the spec's declared errors honest also refuses what it should."""

from __future__ import annotations

import httpx
import pytest

from tests.api.declared_errors import check, declared


def _answer(verb: str, path: str, status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"code": f"ERROR_CODE_{code}", "message": "m"},
                          request=httpx.Request(verb, f"http://node{path}"))


def test_a_declared_code_passes() -> None:
    check(_answer("POST", "/v1/sessions", 401, "INVALID_CREDENTIALS"))
    check(_answer("GET", "/v1/users/5", 404, "NOT_FOUND"))
    check(_answer("GET", "/v1/users/5", 503, "UNAVAILABLE"))
    check(_answer("GET", "/v1/nowhere", 404, "NOT_FOUND"))


@pytest.mark.parametrize(("verb", "path", "status", "code"), [
    ("GET", "/v1/users/5", 409, "ALREADY_EXISTS"),  # no 409 on a read
    ("GET", "/v1/users/5", 413, "PAYLOAD_TOO_LARGE"),  # no body, no 413
    ("POST", "/v1/sessions", 401, "UNAUTHENTICATED"),  # Login needs no token
    ("POST", "/v1/sessions", 403, "PERMISSION_DENIED"),
])
def test_an_undeclared_code_fails(verb: str, path: str, status: int, code: str) -> None:
    with pytest.raises(AssertionError, match="does not declare"):
        check(_answer(verb, path, status, code))


def test_the_codes_of_an_operation_come_from_the_spec() -> None:
    assert declared("FriendService_AcceptFriendRequest", 410) == {"ERROR_CODE_EXPIRED"}
    assert declared("FileService_UploadFile", 415) == {"ERROR_CODE_UNSUPPORTED_MEDIA_TYPE"}
    assert declared("AccountService_Login", 401) == {"ERROR_CODE_INVALID_CREDENTIALS"}
