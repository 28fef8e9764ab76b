"""(prim.v1.rules) from the spec reach the OpenAPI document and the binding alike: string
lengths (in code points, in the body and the query) and item counts."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from prim.generated.http_client import PrimHttpClient
from prim.generated.prim.v1 import BlockUserRequest, CreateGroupRequest, ErrorCode
from prim.generated.routes import BY_OPERATION_ID, ENUMS, MESSAGES
from prim.runtime.errors import ApiError
from prim.runtime.http.app import load_openapi
from prim.runtime.http.bind import RequestBinder
from prim.runtime.http.client import PrimApiError
from prim.runtime.http.codec import Codec
from tests.http.conftest import AUTH
from tests.http.fakes import Recorder

pytestmark = pytest.mark.anyio


def error_of(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    return body


def test_the_document_carries_the_rules() -> None:
    doc = json.loads(load_openapi())
    signup = doc["paths"]["/v1/users"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["properties"]
    assert (signup["password"]["minLength"], signup["password"]["maxLength"]) == (8, 128)
    tags = doc["components"]["schemas"]["TagList"]["properties"]["tags"]
    assert tags["maxItems"] == 32 and tags["items"]["maxLength"] == 32


async def test_body_lengths_count_code_points(http: httpx.AsyncClient) -> None:
    at_limit = await http.post("/v1/groups", json={"name": "é" * 64}, headers=AUTH)
    assert at_limit.status_code == 200
    over = await http.post("/v1/groups", json={"name": "é" * 65}, headers=AUTH)
    assert over.status_code == 400
    assert error_of(over)["field"] == "name"
    assert "at most 64" in error_of(over)["message"]
    empty = await http.post("/v1/groups", json={"name": ""}, headers=AUTH)
    assert empty.status_code == 400 and error_of(empty)["field"] == "name"


def _bind(operation: str, path_values: dict[str, str], query: bytes, body: object) -> object:
    route = BY_OPERATION_ID[operation]
    binder = RequestBinder(Codec(MESSAGES, ENUMS))
    raw = json.dumps(body).encode() if body is not None else b""
    return binder.bind(route, path_values, query, raw, "application/json" if raw else "")


def test_query_lengths_and_item_counts() -> None:
    with pytest.raises(ApiError) as info:
        _bind("FriendService_ListFriends", {}, b"classification=" + b"c" * 65, None)
    assert info.value.field == "classification"
    _bind("FriendService_ListFriends", {}, b"classification=" + b"c" * 64, None)
    with pytest.raises(ApiError) as info:
        _bind("FriendService_UpdateFriend", {"user_id": "10001"}, b"",
              {"tags": {"tags": [f"t{i}" for i in range(33)]}})
    assert info.value.field == "tags.tags"
    with pytest.raises(ApiError) as info:
        _bind("FriendService_UpdateFriend", {"user_id": "10001"}, b"",
              {"tags": {"tags": ["t" * 33]}})
    assert "tags.tags[0]" in info.value.message


async def test_a_broken_rule_is_400_with_its_violation_and_no_call(
        http: httpx.AsyncClient, impls: dict[str, Recorder]) -> None:
    """The generated validator runs before the handler: the answer names the field in both
    spellings, says what to give instead, and the service never sees the request."""
    refused = await http.patch("/v1/groups/5", json={"name": "x"}, headers=AUTH)
    assert refused.status_code == 400
    assert error_of(refused) == {
        "code": "ERROR_CODE_INVALID_ARGUMENT",
        "message": f"group_id is a user id; give a group id ({1 << 36} to {2**46 - 1})",
        "field": "group_id",
        "violations": [{"field": "groupId", "description": error_of(refused)["message"]}]}
    seqnum = await http.put("/v1/conversations/5/read-marker", json={"seqnum": str(2**50)},
                            headers=AUTH)
    assert seqnum.status_code == 400
    assert error_of(seqnum)["violations"] == [{
        "field": "seqnum", "description": f"seqnum is {2**50}; at most {2**50 - 1} is "
                                          "allowed (the largest the header's seqnum holds)"}]
    control = await http.patch(f"/v1/groups/{1 << 36}", json={"announcement": "a\x07"},
                               headers=AUTH)
    assert error_of(control)["message"] == ("announcement may not contain control characters "
                                            "other than line breaks; remove them")
    assert impls["GroupService"].calls == [] and impls["MessageService"].calls == []


async def test_the_handler_gets_the_trimmed_text(http: httpx.AsyncClient,
                                                 impls: dict[str, Recorder]) -> None:
    created = await http.post("/v1/groups", json={"name": " \u3000tea\t"}, headers=AUTH)
    assert created.status_code == 200 and created.json()["name"] == "tea"
    _, request, _ = impls["GroupService"].last
    assert isinstance(request, CreateGroupRequest) and request.name == "tea"


async def test_the_python_sdk_refuses_locally_as_the_server_would() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    raw = httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://prim.test")
    async with PrimHttpClient("http://prim.test", token="t", client=raw) as client:
        client.set_user_id(42)
        with pytest.raises(PrimApiError) as own:
            await client.friends.block_user(BlockUserRequest(user_id=42))
        assert (own.value.status, own.value.code, own.value.field) == (
            400, ErrorCode.INVALID_ARGUMENT, "user_id")
        assert own.value.message == "user_id is your own id; give another user's id"
        assert sent == []
        await client.friends.block_user(BlockUserRequest(user_id=43))
        assert len(sent) == 1
    await raw.aclose()
