"""Text the storage backends cannot hold is refused at the door with 400, on every backend:
PostgreSQL rejects U+0000 in text columns, so the binding refuses it in any string field
(body, query or path) rather than letting it reach a query and fail with a 500."""

from __future__ import annotations

import pytest

from tests.api.accounts_helpers import assert_error, new_account
from tests.api.conftest import RunningNode

pytestmark = pytest.mark.anyio


async def test_nul_characters_are_refused_naming_the_field(running_node: RunningNode) -> None:
    http = running_node.http
    account = await new_account(http)
    assert_error(await http.patch("/v1/users/me", json={"avatar": "a\x00b"},
                                  headers=account.auth), 400, "INVALID_ARGUMENT", "avatar")
    assert_error(await http.get("/v1/friends", params={"classification": "a\x00b"},
                                headers=account.auth), 400, "INVALID_ARGUMENT",
                 "classification")
    assert_error(await http.get("/v1/files/a%00b/info", headers=account.auth), 400,
                 "INVALID_ARGUMENT", "file_id")
    # Everything else about the account still works.
    assert (await http.get("/v1/users/me", headers=account.auth)).status_code == 200
