"""The HTTP binding over the fake services, in-process: routing, HttpRule mapping of path,
query and body, strict validation naming the field, and the status of every failure."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx
import pytest

from prim.generated.prim.v1 import (
    EditMessageRequest,
    ListHistoryRequest,
    UpdateGroupRequest,
)
from prim.generated.routes import ROUTES
from prim.runtime.errors import json_path
from prim.runtime.http import build_asgi_app
from prim.runtime.http.app import load_openapi
from tests.http.conftest import AUTH
from tests.http.fakes import BOOM_USER, GROUP_BASE, Recorder, authenticate


def error_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) <= {"code", "message", "field", "violations", "retryAfterMs"}
    assert body["code"].startswith("ERROR_CODE_") and body["message"]
    return body


@pytest.mark.anyio
async def test_literal_path_wins_over_variable(http: httpx.AsyncClient,
                                               impls: dict[str, Recorder]) -> None:
    me = await http.get("/v1/users/me", headers=AUTH)
    assert me.status_code == 200
    assert me.json() == {"userId": "7", "nickname": "me"}
    other = await http.get("/v1/users/42", headers=AUTH)
    assert other.json() == {"userId": "42", "nickname": "user42"}
    name, request, ctx = impls["UserService"].last
    assert name == "get_user" and request.user_id == 42  # type: ignore[attr-defined]
    assert ctx.user_id == 7 and ctx.device_id == "dev-1" and ctx.access_token == "good-7"
    assert ctx.headers["authorization"] == "Bearer good-7"


@pytest.mark.anyio
async def test_query_parameters_fill_the_request(http: httpx.AsyncClient,
                                                 impls: dict[str, Recorder]) -> None:
    response = await http.get("/v1/conversations/5/messages?fromSeqnum=10"
                              "&direction=DIRECTION_FORWARD&pageSize=20&pageToken=x", headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json() == {"nextPageToken": "30:x"}
    request = impls["MessageService"].last[1]
    assert request == ListHistoryRequest(peer_id=5, from_seqnum=10, to_seqnum=0,
                                         direction=1, page_size=20,  # type: ignore[arg-type]
                                         page_token="x")
    # proto names are accepted as well as JSON names
    await http.get("/v1/conversations/5/messages?from_seqnum=3", headers=AUTH)
    assert impls["MessageService"].last[1].from_seqnum == 3  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_body_star_takes_the_rest_and_the_path_wins(http: httpx.AsyncClient,
                                                          impls: dict[str, Recorder]) -> None:
    response = await http.patch(f"/v1/groups/{GROUP_BASE + 5}", json={"name": "Tea"},
                                headers=AUTH)
    assert response.status_code == 200, response.text
    assert impls["GroupService"].last[1] == UpdateGroupRequest(group_id=GROUP_BASE + 5,
                                                               name="Tea")
    again = await http.patch("/v1/groups/5", json={"groupId": "6", "name": "x"}, headers=AUTH)
    assert again.status_code == 400 and error_of(again)["field"] == "group_id"


@pytest.mark.anyio
async def test_bytes_in_the_body_are_base64(http: httpx.AsyncClient,
                                            impls: dict[str, Recorder]) -> None:
    response = await http.patch("/v1/conversations/5/messages/9",
                                json={"newPayload": "aGk"}, headers=AUTH)  # unpadded
    assert response.status_code == 200, response.text
    assert impls["MessageService"].last[1] == EditMessageRequest(peer_id=5, seqnum=9,
                                                                 new_payload=b"hi")
    assert response.json()["payload"] == "aGk="


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("POST", "/v1/sessions", {"userId": "-1", "password": "p"}, "user_id"),
        ("POST", "/v1/sessions", {"userId": str(2**64), "password": "p"}, "user_id"),
        ("POST", "/v1/sessions", {"userId": "0" * 21 + "1", "password": "p"}, "user_id"),
        ("POST", "/v1/sessions", {"userId": 5.5, "password": "p"}, "user_id"),
        ("POST", "/v1/sessions", {"userId": 2**64, "password": "p"}, "user_id"),
        ("POST", "/v1/sessions", {"userId": "5"}, "password"),
        ("POST", "/v1/sessions", {"userId": "5", "password": None}, "password"),
        ("POST", "/v1/sessions", {"userId": "5", "password": 1}, "password"),
        ("POST", "/v1/sessions", {"userId": "5", "password": "p", "bogus": 1}, "bogus"),
        ("POST", "/v1/sessions", {"userId": "5", "user_id": "5", "password": "p"},
         "user_id"),
        ("GET", "/v1/conversations/5/messages?pageSize=1.5", None, "page_size"),
        ("GET", f"/v1/conversations/5/messages?pageSize={2**32}", None, "page_size"),
        # above the spec's (prim.v1.rules) maximum
        ("GET", "/v1/conversations/5/messages?pageSize=201", None, "page_size"),
        ("GET", "/v1/conversations/5/messages?pageSize=1&pageSize=2", None, "page_size"),
        ("GET", "/v1/conversations/5/messages?direction=SIDEWAYS", None, "direction"),
        ("GET", "/v1/conversations/5/messages?direction=1", None, "direction"),
        ("GET", "/v1/conversations/5/messages?nope=1", None, "nope"),
        ("GET", "/v1/conversations/-5/messages", None, "peer_id"),
        ("GET", "/v1/users/abc", None, "user_id"),
        ("PUT", "/v1/conversations/5/read-marker", {"seqnum": "1.5"}, "seqnum"),
        ("PUT", "/v1/conversations/5/read-marker", {"seqnum": 1.25}, "seqnum"),
        ("PUT", "/v1/conversations/5/read-marker", {}, "seqnum"),
        ("PATCH", "/v1/conversations/5/messages/9", {"newPayload": "***"}, "new_payload"),
        ("PATCH", "/v1/conversations/5/messages/9", {"newPayload": "abcde"}, "new_payload"),
        ("PATCH", "/v1/groups/5", {"name": "\ud800"}, "name"),
    ],
)
@pytest.mark.anyio
async def test_invalid_input_is_400_naming_the_field(http: httpx.AsyncClient, method: str,
                                                     url: str, body: Any, field: str) -> None:
    content = None if body is None else json.dumps(body).encode()
    headers = {**AUTH, "content-type": "application/json"}
    response = await http.request(method, url, content=content, headers=headers)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == "ERROR_CODE_INVALID_ARGUMENT"
    assert error["field"] == field
    # The violation names the field as the JSON spells it.
    assert error["violations"] == [{"field": json_path(field), "description": error["message"]}]


@pytest.mark.parametrize("content", [b"{", b"[1]", b'{"name": NaN}', b"\xff\xfe",
                                     b'{"name": "a", "name": "b"}'])
@pytest.mark.anyio
async def test_malformed_json_is_400(http: httpx.AsyncClient, content: bytes) -> None:
    response = await http.post("/v1/groups", content=content,
                               headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "ERROR_CODE_INVALID_ARGUMENT"


@pytest.mark.anyio
async def test_body_on_a_bodyless_operation_is_400(http: httpx.AsyncClient) -> None:
    response = await http.request("GET", "/v1/users/me", content=b"{}", headers=AUTH)
    assert response.status_code == 400


@pytest.mark.anyio
async def test_unknown_path_is_404(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/nothing-here", headers=AUTH)
    assert response.status_code == 404
    assert error_of(response)["code"] == "ERROR_CODE_NOT_FOUND"


@pytest.mark.anyio
async def test_wrong_verb_is_405_with_allow(http: httpx.AsyncClient) -> None:
    response = await http.delete("/v1/groups", headers=AUTH)
    assert response.status_code == 405
    assert error_of(response)["code"] == "ERROR_CODE_METHOD_NOT_ALLOWED"
    assert response.headers["allow"] == "POST"


@pytest.mark.anyio
async def test_non_json_body_is_415(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/groups", content=b"name=x",
                               headers={**AUTH, "content-type": "text/plain"})
    assert response.status_code == 415
    assert error_of(response)["code"] == "ERROR_CODE_UNSUPPORTED_MEDIA_TYPE"
    ok = await http.post("/v1/groups", content=b'{"name": "x"}',
                         headers={**AUTH, "content-type": "application/json; charset=utf-8"})
    assert ok.status_code == 200


@pytest.mark.anyio
async def test_body_over_the_limit_is_413(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/groups", json={"name": "x" * 5000}, headers=AUTH)
    assert response.status_code == 413
    assert error_of(response)["code"] == "ERROR_CODE_PAYLOAD_TOO_LARGE"
    # Raw uploads have their own, larger limit.
    upload = await http.post("/v1/files?kind=MSG_TYPE_FILE", content=b"\0" * 5000,
                             headers={**AUTH, "content-type": "application/zip"})
    assert upload.status_code == 200
    too_big = await http.post("/v1/files?kind=MSG_TYPE_FILE", content=b"\0" * 9000,
                              headers={**AUTH, "content-type": "application/zip"})
    assert too_big.status_code == 413
    assert "8192" in error_of(too_big)["message"]


@pytest.mark.anyio
async def test_missing_or_invalid_token_is_401(http: httpx.AsyncClient,
                                               impls: dict[str, Recorder]) -> None:
    for headers in ({}, {"authorization": "Bearer nope"}, {"authorization": "Basic Zm9v"}):
        response = await http.get("/v1/users/me", headers=headers)
        assert response.status_code == 401
        assert error_of(response)["code"] == "ERROR_CODE_UNAUTHENTICATED"
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert impls["UserService"].calls == []
    public = await http.post("/v1/users", json={"password": "pw123456", "nickname": "n"})
    assert public.status_code == 200
    assert impls["AccountService"].last[2].user_id == 0


def test_violations_spell_fields_as_the_json_does() -> None:
    assert json_path("new_payload") == "newPayload"
    assert json_path("message.conversation_id") == "message.conversationId"
    assert json_path("limit") == "limit"


@pytest.mark.anyio
async def test_api_errors_map_to_their_status(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/v1/groups/{GROUP_BASE + 99}", headers=AUTH)
    assert response.status_code == 404
    assert error_of(response) == {"code": "ERROR_CODE_NOT_FOUND", "message": "no such group",
                                  "field": "group_id", "violations": [
                                      {"field": "groupId", "description": "no such group"}]}
    denied = await http.post("/v1/users/me/deletion", json={"password": "x"}, headers=AUTH)
    assert denied.status_code == 401
    assert error_of(denied)["code"] == "ERROR_CODE_INVALID_CREDENTIALS"


@pytest.mark.anyio
async def test_unexpected_exception_is_a_generic_500(http: httpx.AsyncClient,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="prim.http"):
        response = await http.get(f"/v1/users/{BOOM_USER}", headers=AUTH)
    assert response.status_code == 500
    assert error_of(response) == {"code": "ERROR_CODE_INTERNAL",
                                  "message": "internal server error"}
    assert "secret internal detail" not in response.text
    assert "secret internal detail" in caplog.text


@pytest.mark.anyio
async def test_http_body_upload_and_download(http: httpx.AsyncClient,
                                             impls: dict[str, Recorder]) -> None:
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    upload = await http.post("/v1/files?kind=MSG_TYPE_IMAGE&name=cat.png", content=data,
                             headers={**AUTH, "content-type": "image/png"})
    assert upload.status_code == 200, upload.text
    info = upload.json()
    assert info["contentType"] == "image/png" and info["size"] == str(len(data))
    request = impls["FileService"].last[1]
    assert request.kind.name == "IMAGE" and request.name == "cat.png"  # type: ignore[attr-defined]
    assert impls["FileService"].files[info["fileId"]][1].data == data  # type: ignore[attr-defined]
    download = await http.get(f"/v1/files/{info['fileId']}", headers=AUTH)
    assert download.status_code == 200
    assert download.content == data and download.headers["content-type"] == "image/png"
    # Uploaded bytes are never sniffed into something executable by a browser.
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"] == "attachment"
    missing_kind = await http.post("/v1/files", content=b"x", headers=AUTH)
    assert missing_kind.status_code == 400 and error_of(missing_kind)["field"] == "kind"


@pytest.mark.anyio
async def test_cors_preflight_and_responses(http: httpx.AsyncClient) -> None:
    origin = "https://chat.example"
    preflight = await http.options("/v1/groups", headers={
        "origin": origin, "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "authorization" in preflight.headers["access-control-allow-headers"]
    stranger = await http.options("/v1/groups", headers={
        "origin": "https://evil.example", "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in stranger.headers
    response = await http.get("/v1/users/me", headers={**AUTH, "origin": origin})
    assert response.headers["access-control-allow-origin"] == origin
    failed = await http.get("/v1/users/me", headers={"origin": origin})
    assert failed.status_code == 401
    assert failed.headers["access-control-allow-origin"] == origin


@pytest.mark.anyio
async def test_openapi_docs_and_health(http: httpx.AsyncClient) -> None:
    document = await http.get("/openapi.json")
    assert document.status_code == 200 and document.content == load_openapi()
    docs = await http.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert "GroupService_CreateGroup" in docs.text and "/v1/groups/{group_id}" in docs.text
    # Self-contained: no script and nothing loaded from elsewhere (the spec's comments may
    # mention URLs as text, e.g. NodeInfo's https://host:port/wire).
    assert "<script" not in docs.text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", docs.text)
    health = await http.get("/healthz")
    assert health.json() == {"status": "ok"}
    assert (await http.post("/healthz")).status_code == 405


def test_every_route_needs_an_async_handler() -> None:
    with pytest.raises(ValueError, match="no implementation for AccountService"):
        build_asgi_app({}, authenticate)
    signup = [r for r in ROUTES if r.operation_id == "AccountService_Signup"]
    with pytest.raises(ValueError, match="async def signup"):
        build_asgi_app({"AccountService": object()}, authenticate, routes=signup)
