"""Names the client made up (unknown query parameters, unknown JSON keys) are quoted
escaped in the message and never copied raw into Error.field: schemathesis once sent a
query parameter whose name held NUL and got it back in the field."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest

from tests.http.conftest import AUTH
from tests.http.test_binding import error_of

pytestmark = pytest.mark.anyio

BAD_NAMES = ["a\x00b", "\x00", "x\x1by", "ключ", "a b", "1abc", "a..b", "n" * 201]


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_an_unknown_query_parameter_name_stays_out_of_error_field(
        http: httpx.AsyncClient, name: str) -> None:
    url = f"/v1/conversations/5/messages?{quote(name, safe='')}=1"
    response = await http.get(url, headers=AUTH)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == "ERROR_CODE_INVALID_ARGUMENT"
    assert error.get("field", "") == ""
    assert "unknown query parameter" in error["message"]
    assert "\x00" not in error["message"] and "\x1b" not in error["message"]


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_an_unknown_json_key_stays_out_of_error_field(http: httpx.AsyncClient,
                                                            name: str) -> None:
    body = {"userId": "5", "password": "p", name: 1}
    response = await http.post("/v1/sessions", content=json.dumps(body).encode(),
                               headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error.get("field", "") == ""
    assert "\x00" not in error["message"]


async def test_plain_unknown_names_are_still_named(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/conversations/5/messages?no_such.param=1", headers=AUTH)
    assert error_of(response)["field"] == "no_such.param"
