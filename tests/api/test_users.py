"""UserService over real HTTP on both backends: one's own profile, partial updates and
their validation, other users' public profiles (remark, online)."""

from __future__ import annotations

import anyio
import pytest

from prim.runtime.storage.clock import wall_clock_ms
from tests.api.accounts_helpers import assert_error, dial, new_account
from tests.api.conftest import RunningNode

pytestmark = pytest.mark.anyio


async def _upload(rn: RunningNode, auth: dict[str, str], content_type: str = "image/png",
                  kind: str = "MSG_TYPE_IMAGE") -> str:
    response = await rn.http.post("/v1/files", params={"kind": kind}, content=b"\x89PNG....",
                                  headers={**auth, "content-type": content_type})
    assert response.status_code == 200, response.text
    return str(response.json()["fileId"])


async def test_get_my_profile(running_node: RunningNode) -> None:
    before = wall_clock_ms()
    account = await new_account(running_node.http, "  Ann  ")
    response = await running_node.http.get("/v1/users/me", headers=account.auth)
    assert response.status_code == 200
    profile = response.json()
    assert int(profile["userId"]) == account.user_id
    assert profile["nickname"] == "Ann"
    assert before <= int(profile["createdAtMs"]) <= wall_clock_ms()
    # Defaults are omitted by proto3 JSON: no avatar, signature or last-online time yet.
    assert set(profile) == {"userId", "nickname", "createdAtMs"}


async def test_update_changes_only_the_fields_given(running_node: RunningNode) -> None:
    http = running_node.http
    account = await new_account(http, "ann")
    response = await http.patch("/v1/users/me", json={"signature": " hello\nworld "},
                                headers=account.auth)
    assert response.status_code == 200, response.text
    assert response.json()["nickname"] == "ann"
    assert response.json()["signature"] == "hello\nworld"
    response = await http.patch("/v1/users/me", json={"nickname": "Annie"},
                                headers=account.auth)
    assert (response.json()["nickname"], response.json()["signature"]) == ("Annie",
                                                                           "hello\nworld")
    response = await http.patch("/v1/users/me", json={}, headers=account.auth)
    assert response.status_code == 200 and response.json()["nickname"] == "Annie"
    response = await http.patch("/v1/users/me", json={"signature": ""}, headers=account.auth)
    assert "signature" not in response.json()
    stored = (await http.get("/v1/users/me", headers=account.auth)).json()
    assert stored == response.json()


@pytest.mark.parametrize(("body", "field"), [
    ({"nickname": ""}, "nickname"),
    ({"nickname": "  "}, "nickname"),
    ({"nickname": "n" * 65}, "nickname"),
    ({"nickname": "a\x1bb"}, "nickname"),
    ({"nickname": "two\nlines"}, "nickname"),
    ({"signature": "s" * 257}, "signature"),
    ({"signature": "bell\x07"}, "signature"),
    ({"avatar": "no-such-file"}, "avatar"),
    ({"avatar": "0" * 32}, "avatar"),
])
async def test_update_refuses_invalid_fields(running_node: RunningNode, body: dict[str, str],
                                             field: str) -> None:
    account = await new_account(running_node.http)
    response = await running_node.http.patch("/v1/users/me", json=body, headers=account.auth)
    assert_error(response, 400, "INVALID_ARGUMENT", field)
    unchanged = (await running_node.http.get("/v1/users/me", headers=account.auth)).json()
    assert unchanged["nickname"] == "user" and "signature" not in unchanged


async def test_avatar_is_an_image_the_caller_uploaded(running_node: RunningNode) -> None:
    http = running_node.http
    ann = await new_account(http, "ann")
    bob = await new_account(http, "bob")
    image = await _upload(running_node, ann.auth)
    text_file = await _upload(running_node, ann.auth, "text/plain", "MSG_TYPE_FILE")
    bobs_image = await _upload(running_node, bob.auth)

    for file_id in (text_file, bobs_image):
        response = await http.patch("/v1/users/me", json={"avatar": file_id}, headers=ann.auth)
        assert_error(response, 400, "INVALID_ARGUMENT", "avatar")
    # Before it is an avatar, a stranger may not read the image; after, anyone signed in may.
    assert_error(await http.get(f"/v1/files/{image}", headers=bob.auth), 403,
                 "PERMISSION_DENIED", "file_id")
    response = await http.patch("/v1/users/me", json={"avatar": image}, headers=ann.auth)
    assert response.status_code == 200 and response.json()["avatar"] == image
    seen = await http.get(f"/v1/users/{ann.user_id}", headers=bob.auth)
    assert seen.json()["avatar"] == image
    download = await http.get(f"/v1/files/{image}", headers=bob.auth)
    assert download.status_code == 200 and download.content == b"\x89PNG...."

    cleared = await http.patch("/v1/users/me", json={"avatar": ""}, headers=ann.auth)
    assert cleared.status_code == 200 and "avatar" not in cleared.json()


async def test_get_user_shows_the_callers_remark_and_presence(running_node: RunningNode
                                                              ) -> None:
    http = running_node.http
    ann = await new_account(http, "ann")
    bob = await new_account(http, "bob")
    carol = await new_account(http, "carol")
    storage = running_node.node.storage
    assert storage is not None
    await storage.social.create_friend_request(ann.user_id, bob.user_id, remark="Bobby")
    await storage.social.accept_friend_request(ann.user_id, bob.user_id, remark="Annie")
    await http.patch("/v1/users/me", json={"signature": "bob here"}, headers=bob.auth)

    seen_by_ann = (await http.get(f"/v1/users/{bob.user_id}", headers=ann.auth)).json()
    assert seen_by_ann == {"userId": str(bob.user_id), "nickname": "bob",
                           "signature": "bob here", "remark": "Bobby"}
    seen_by_carol = (await http.get(f"/v1/users/{bob.user_id}", headers=carol.auth)).json()
    assert "remark" not in seen_by_carol and "online" not in seen_by_carol
    ann_by_bob = (await http.get(f"/v1/users/{ann.user_id}", headers=bob.auth)).json()
    assert ann_by_bob["remark"] == "Annie"

    client = await dial(running_node.endpoints, bob)
    try:
        online = (await http.get(f"/v1/users/{bob.user_id}", headers=carol.auth)).json()
        assert online["online"] is True
    finally:
        await client.close()


async def test_a_blocked_user_does_not_see_the_blocker_online(running_node: RunningNode
                                                             ) -> None:
    http = running_node.http
    ann, bob, carol = [await new_account(http, n) for n in ("ann", "bob", "carol")]
    response = await http.put(f"/v1/blocks/{bob.user_id}", json={}, headers=ann.auth)
    assert response.status_code == 200, response.text
    client = await dial(running_node.endpoints, ann)
    try:
        seen_by_bob = (await http.get(f"/v1/users/{ann.user_id}", headers=bob.auth)).json()
        assert "online" not in seen_by_bob  # false is left out
        seen_by_carol = (await http.get(f"/v1/users/{ann.user_id}", headers=carol.auth)).json()
        assert seen_by_carol["online"] is True
    finally:
        await client.close()


@pytest.mark.parametrize("user_id", ["999999999", str(1 << 36), "18446744073709551615"])
async def test_get_user_not_found(running_node: RunningNode, user_id: str) -> None:
    account = await new_account(running_node.http)
    response = await running_node.http.get(f"/v1/users/{user_id}", headers=account.auth)
    assert_error(response, 404, "NOT_FOUND", "user_id")


async def test_get_user_refuses_a_malformed_id(running_node: RunningNode) -> None:
    account = await new_account(running_node.http)
    response = await running_node.http.get("/v1/users/abc", headers=account.auth)
    assert_error(response, 400, "INVALID_ARGUMENT", "user_id")
    # REQUIRED means set to a non-default value (AIP-203): 0 is no user id at all.
    response = await running_node.http.get("/v1/users/0", headers=account.auth)
    assert_error(response, 400, "INVALID_ARGUMENT", "user_id")


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/users/me"), ("PATCH", "/v1/users/me"), ("GET", "/v1/users/10000"),
])
async def test_profiles_need_a_token(running_node: RunningNode, method: str, path: str) -> None:
    response = await running_node.http.request(method, path, json={} if method == "PATCH"
                                                else None)
    assert_error(response, 401, "UNAUTHENTICATED")


async def test_my_profile_shows_when_i_was_last_online(running_node: RunningNode) -> None:
    http = running_node.http
    account = await new_account(http)
    connected_at = wall_clock_ms()
    client = await dial(running_node.endpoints, account)
    await client.close()
    for _ in range(100):  # the gateway records it as the connection closes
        profile = (await http.get("/v1/users/me", headers=account.auth)).json()
        if "lastOnlineAtMs" in profile:
            break
        await anyio.sleep(0.02)
    assert connected_at <= int(profile["lastOnlineAtMs"]) <= wall_clock_ms()
