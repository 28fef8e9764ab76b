"""Accounts made the way clients make them (Signup and Login over HTTP), and assertions on
the `Error` body of a refused request."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from prim.runtime.errors import json_path
from prim.runtime.tls.trust import Trust
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.asyncio.connect import connect
from prim.services.node import Endpoints

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Account:
    user_id: int
    token: str
    device_id: str
    expires_at_ms: int

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


async def signup(http: httpx.AsyncClient, nickname: str = "user",
                 password: str = PASSWORD) -> int:
    response = await http.post("/v1/users", json={"password": password,
                                                     "nickname": nickname})
    assert response.status_code == 200, response.text
    return int(response.json()["userId"])


async def login(http: httpx.AsyncClient, user_id: int, password: str = PASSWORD,
                device_name: str = "") -> Account:
    body: dict[str, object] = {"userId": str(user_id), "password": password}
    if device_name:
        body["deviceName"] = device_name
    response = await http.post("/v1/sessions", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert int(data["userId"]) == user_id
    return Account(user_id, data["accessToken"], data["deviceId"], int(data["expiresAtMs"]))


async def new_account(http: httpx.AsyncClient, nickname: str = "user") -> Account:
    return await login(http, await signup(http, nickname))


def assert_error(response: httpx.Response, status: int, code: str,
                 field: str = "") -> dict[str, Any]:
    """The response is an `Error` body with ``status``, ``ERROR_CODE_<code>`` and ``field``
    (none when ""), the same field as a violation in JSON spelling, and a message for a
    person."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["code"] == f"ERROR_CODE_{code}", body
    assert body.get("field", "") == field, body
    assert body.get("message"), body
    expected = [{"field": json_path(field), "description": body["message"]}] if field else []
    assert body.get("violations", []) == expected, body
    return body


async def dial(endpoints: Endpoints, account: Account, transport: str = "quic") -> Client:
    """A wire connection authenticated with the account's token (raises if Auth fails)."""
    host, port = endpoints.quic.rsplit(":", 1)
    return await connect(host, int(port), token=account.token, user_id=account.user_id,
                         trust=Trust(ca_file=Path(endpoints.ca_cert)), transports=(transport,),
                         server_name="localhost", timeout=10)
