"""(prim.v1.rules) from the spec reach the OpenAPI document and the binding alike: string
lengths (in code points, in the body and the query) and item counts."""

from __future__ import annotations

import json

import httpx
import pytest

from prim.generated.routes import BY_OPERATION_ID, ENUMS, MESSAGES
from prim.runtime.errors import ApiError
from prim.runtime.http.app import load_openapi
from prim.runtime.http.bind import RequestBinder
from prim.runtime.http.codec import Codec
from tests.http.conftest import AUTH

pytestmark = pytest.mark.anyio


def error_of(response: httpx.Response) -> dict[str, str]:
    body: dict[str, str] = response.json()
    return body


def test_the_document_carries_the_rules() -> None:
    doc = json.loads(load_openapi())
    signup = doc["paths"]["/v1/accounts"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["properties"]
    assert (signup["password"]["minLength"], signup["password"]["maxLength"]) == (8, 128)
    tags = doc["components"]["schemas"]["TagList"]["properties"]["tags"]
    assert tags["maxItems"] == 32 and tags["items"]["maxLength"] == 32
    shapes = {s.name: s for s in MESSAGES["prim.v1.SignupRequest"]}
    assert (shapes["password"].min_length, shapes["password"].max_length) == (8, 128)


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
