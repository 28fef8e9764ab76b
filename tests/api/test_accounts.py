"""AccountService over real HTTP on both backends: account ids, sign-up rules, sessions
(login, expiry, logout revocation over HTTP and the wire), account deletion, login rate
limiting."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from prim.generated.prim.v1 import Error, ErrorCode, MsgType
from prim.runtime.storage.clock import wall_clock_ms
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.client_errors import AuthenticationFailed
from prim.services.api.accounts import RESERVATION_TTL_MS
from prim.services.node import Endpoints, Node
from tests.api.accounts_helpers import (
    PASSWORD,
    Account,
    assert_error,
    dial,
    login,
    new_account,
    signup,
)
from tests.api.conftest import Backend, RunningNode, node_config
from tests.api.declared_errors import EVENT_HOOKS

pytestmark = pytest.mark.anyio


class FakeClock:
    """Wall time when the test starts; then moves only when the test says so."""

    def __init__(self) -> None:
        self.now = wall_clock_ms()

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


@dataclass
class ClockedNode:
    http: httpx.AsyncClient
    endpoints: Endpoints
    clock: FakeClock
    node: Node


@asynccontextmanager
async def clocked(backend: Backend, tmp: Path, **overrides: object) -> AsyncIterator[ClockedNode]:
    """A node whose clock the test moves (token expiry, rate-limit windows)."""
    clock = FakeClock()
    node = Node(node_config(tmp, backend, **{"auth.token_ttl_seconds": 60, **overrides}),
                clock=clock)
    endpoints = await node.start()
    try:
        async with httpx.AsyncClient(base_url=endpoints.http, timeout=30,
                                     event_hooks=EVENT_HOOKS) as http:
            yield ClockedNode(http, endpoints, clock, node)
    finally:
        await node.stop()


@pytest.fixture
async def clocked_node(backend: Backend, tmp_path: Path) -> AsyncIterator[ClockedNode]:
    async with clocked(backend, tmp_path) as node:
        yield node


# -- NewUserId and Signup -------------------------------------------------------------------
async def test_signup_claims_a_reserved_account_id_once(running_node: RunningNode) -> None:
    http = running_node.http
    first = await http.post("/v1/user-ids", json={})
    second = await http.post("/v1/user-ids")
    assert first.status_code == second.status_code == 200, first.text
    reserved = int(first.json()["userId"])
    assert int(second.json()["userId"]) > reserved
    response = await http.post("/v1/users", json={
        "userId": str(reserved), "password": PASSWORD, "nickname": "reserved"})
    assert response.status_code == 200, response.text
    assert int(response.json()["userId"]) == reserved
    # Assigned ids never collide with reserved ones.
    assert await signup(http) not in (reserved, int(second.json()["userId"]))
    await login(http, reserved)

    again = await http.post("/v1/users", json={
        "userId": str(reserved), "password": PASSWORD, "nickname": "thief"})
    assert_error(again, 409, "ALREADY_EXISTS", "user_id")
    never = await http.post("/v1/users", json={
        "userId": str(reserved + 1_000_000), "password": PASSWORD, "nickname": "x"})
    assert_error(never, 409, "FAILED_PRECONDITION", "user_id")
    for out_of_range in ("0", str(1 << 36), "18446744073709551615"):
        response = await http.post("/v1/users", json={
            "userId": out_of_range, "password": PASSWORD, "nickname": "x"})
        assert_error(response, 400, "INVALID_ARGUMENT", "user_id")


async def test_a_reservation_expires(clocked_node: ClockedNode) -> None:
    http = clocked_node.http
    reserved = int((await http.post("/v1/user-ids")).json()["userId"])
    clocked_node.clock.advance(RESERVATION_TTL_MS)
    late = await http.post("/v1/users", json={
        "userId": str(reserved), "password": PASSWORD, "nickname": "late"})
    assert_error(late, 409, "FAILED_PRECONDITION", "user_id")


async def test_signup_without_an_id_assigns_fresh_ids(running_node: RunningNode) -> None:
    ids = await asyncio.gather(*(signup(running_node.http, f"u{i}") for i in range(5)))
    assert len(set(ids)) == 5 and all(0 < i < 1 << 36 for i in ids)


@pytest.mark.parametrize(("body", "field"), [
    ({"password": "1234567", "nickname": "n"}, "password"),
    ({"password": "x" * 129, "nickname": "n"}, "password"),
    ({"password": "\ud800" * 10, "nickname": "n"}, "password"),
    ({"password": PASSWORD, "nickname": ""}, "nickname"),
    ({"password": PASSWORD, "nickname": "   \t "}, "nickname"),
    ({"password": PASSWORD, "nickname": "n" * 65}, "nickname"),
    ({"password": PASSWORD, "nickname": "bad\x00name"}, "nickname"),
    ({"password": PASSWORD, "nickname": "line\nbreak"}, "nickname"),
    ({"nickname": "no password"}, "password"),
    ({"password": PASSWORD}, "nickname"),
])
async def test_signup_refuses_invalid_fields(running_node: RunningNode, body: dict[str, str],
                                             field: str) -> None:
    # json.dumps escapes what UTF-8 cannot carry (a lone surrogate becomes "\\ud800").
    response = await running_node.http.post("/v1/users", content=json.dumps(body),
                                            headers={"content-type": "application/json"})
    assert_error(response, 400, "INVALID_ARGUMENT", field)


async def test_signup_limits_are_inclusive_and_nickname_is_trimmed(
        running_node: RunningNode) -> None:
    http = running_node.http
    # The spec's limits count the text as sent (as the OpenAPI document's maxLength does);
    # surrounding white space is then trimmed.
    user_id = await signup(http, "  " + "n" * 60 + "  ", password="p" * 8)
    account = await login(http, user_id, password="p" * 8)
    profile = (await http.get("/v1/users/me", headers=account.auth)).json()
    assert profile["nickname"] == "n" * 60
    await signup(http, "n" * 64, password="p" * 8)
    long_password = "é" * 128  # characters, not bytes
    await login(http, await signup(http, "ü", password=long_password), password=long_password)


# -- Login -------------------------------------------------------------------------------------
async def test_login_opens_a_session_per_device(running_node: RunningNode) -> None:
    http = running_node.http
    user_id = await signup(http, "ann")
    before = wall_clock_ms()
    phone = await login(http, user_id, device_name="phone")
    laptop = await login(http, user_id, device_name="laptop")
    ttl_ms = running_node.node.config.auth.token_ttl_seconds * 1000
    assert before + ttl_ms <= phone.expires_at_ms <= wall_clock_ms() + ttl_ms
    assert phone.token != laptop.token and phone.device_id != laptop.device_id
    assert phone.device_id and phone.token.startswith("prim_")
    for account in (phone, laptop):
        me = await http.get("/v1/users/me", headers=account.auth)
        assert me.status_code == 200 and int(me.json()["userId"]) == user_id


async def test_login_takes_the_account_id_as_a_json_number(running_node: RunningNode) -> None:
    """proto3 JSON: a 64-bit integer may come as a number (JavaScript clients send them)."""
    http = running_node.http
    user_id = await signup(http, "js")
    response = await http.post("/v1/sessions", json={"userId": user_id,
                                                     "password": PASSWORD})
    assert response.status_code == 200, response.text
    assert response.json()["userId"] == str(user_id)  # answers keep writing strings
    fraction = await http.post("/v1/sessions", json={"userId": user_id + 0.5,
                                                     "password": PASSWORD})
    assert_error(fraction, 400, "INVALID_ARGUMENT", "user_id")


async def test_wrong_password_and_unknown_account_get_the_same_answer(
        running_node: RunningNode) -> None:
    http = running_node.http
    user_id = await signup(http)
    wrong = await http.post("/v1/sessions", json={"userId": str(user_id),
                                                  "password": "not the password"})
    unknown = await http.post("/v1/sessions", json={"userId": "999999999",
                                                    "password": PASSWORD})
    group = await http.post("/v1/sessions", json={"userId": str(1 << 36),
                                                  "password": PASSWORD})
    bodies = [assert_error(r, 401, "INVALID_CREDENTIALS") for r in (wrong, unknown, group)]
    assert bodies[0] == bodies[1] == bodies[2]


async def test_login_refuses_a_bad_device_name(running_node: RunningNode) -> None:
    http = running_node.http
    user_id = await signup(http)
    for name in ("d" * 65, "tab\there"):
        response = await http.post("/v1/sessions", json={
            "userId": str(user_id), "password": PASSWORD, "deviceName": name})
        assert_error(response, 400, "INVALID_ARGUMENT", "device_name")


async def test_tokens_expire(clocked_node: ClockedNode) -> None:
    http, clock = clocked_node.http, clocked_node.clock
    account = await login(http, await signup(http))
    assert account.expires_at_ms == clock.now + 60_000
    clock.advance(59_999)
    assert (await http.get("/v1/users/me", headers=account.auth)).status_code == 200
    clock.advance(1)
    assert_error(await http.get("/v1/users/me", headers=account.auth), 401, "UNAUTHENTICATED")
    with pytest.raises(AuthenticationFailed):
        await dial(clocked_node.endpoints, account)
    # A new login works again.
    fresh = await login(http, account.user_id)
    assert (await http.get("/v1/users/me", headers=fresh.auth)).status_code == 200


async def test_failed_logins_back_off_per_account_instead_of_locking_out(
        clocked_node: ClockedNode) -> None:
    """5 wrong passwords are free; then each check waits 1 s, doubling per failure; the
    owner's right password after the wait works and resets the count."""
    http, clock = clocked_node.http, clocked_node.clock

    async def attempt(password: str) -> httpx.Response:
        return await http.post("/v1/sessions", json={"userId": str(target),
                                                     "password": password})

    target = await signup(http, "target")
    bystander = await signup(http, "bystander")
    for _ in range(5):
        assert_error(await attempt("guess guess"), 401, "INVALID_CREDENTIALS")
    # Even the right password waits out the delay...
    limited = await attempt(PASSWORD)
    body = assert_error(limited, 429, "RATE_LIMITED")
    assert "try again in 1 s" in body["message"] and limited.headers["retry-after"] == "1"
    assert body["retryAfterMs"] == 1000
    # ...other accounts are not affected...
    await login(http, bystander)
    # ...and the delay doubles with each further failure.
    clock.advance(1_000)
    assert_error(await attempt("guess guess"), 401, "INVALID_CREDENTIALS")
    clock.advance(1_999)
    assert (await attempt(PASSWORD)).headers["retry-after"] == "1"
    clock.advance(1)
    await login(http, target)
    # The right password reset the count: 5 free failures again.
    for _ in range(5):
        assert_error(await attempt("guess guess"), 401, "INVALID_CREDENTIALS")


async def test_the_backoff_delay_has_a_ceiling(backend: Backend, tmp_path: Path) -> None:
    async with clocked(backend, tmp_path, **{"auth.free_password_failures": 1,
                                             "auth.max_failure_delay_seconds": 4}) as node:
        http = node.http
        target = await signup(http)
        waits = []
        for _ in range(6):
            assert_error(await http.post("/v1/sessions", json={
                "userId": str(target), "password": "wrong guess"}), 401,
                "INVALID_CREDENTIALS")
            refused = await http.post("/v1/sessions", json={
                "userId": str(target), "password": PASSWORD})
            waits.append(int(refused.headers["retry-after"]))
            node.clock.advance(waits[-1] * 1000)
        assert waits == [1, 2, 4, 4, 4, 4]
        await login(http, target)


# -- Logout ------------------------------------------------------------------------------------
async def test_logout_revokes_only_the_calling_token_at_once(running_node: RunningNode) -> None:
    http = running_node.http
    user_id = await signup(http)
    phone = await login(http, user_id, device_name="phone")
    laptop = await login(http, user_id, device_name="laptop")
    connected = await dial(running_node.endpoints, phone)
    laptop_live = await dial(running_node.endpoints, laptop)
    try:
        response = await http.delete("/v1/sessions/current", headers=phone.auth)
        assert response.status_code == 200 and response.json() == {}
        # The phone's open connection ends with its session; the laptop's stays.
        for _ in range(40):
            if connected.closed is not None:
                break
            await asyncio.sleep(0.05)
        assert connected.closed is not None
        assert connected.closed.code == ErrorCode.UNAUTHENTICATED
        assert await laptop_live.ping() >= 0
        assert_error(await http.get("/v1/users/me", headers=phone.auth), 401, "UNAUTHENTICATED")
        assert_error(await http.delete("/v1/sessions/current", headers=phone.auth), 401,
                     "UNAUTHENTICATED")
        with pytest.raises(AuthenticationFailed):
            await dial(running_node.endpoints, phone)
        with pytest.raises(AuthenticationFailed):
            await dial(running_node.endpoints, phone, transport="tcp")
        assert (await http.get("/v1/users/me", headers=laptop.auth)).status_code == 200
        other = await dial(running_node.endpoints, laptop)
        await other.close()
    finally:
        await connected.close()
        await laptop_live.close()


async def _closed(client: Client) -> bool:
    for _ in range(60):
        if client.closed is not None:
            return client.closed.code == ErrorCode.UNAUTHENTICATED
        await asyncio.sleep(0.05)
    return False


# -- Sessions: list, revoke one, revoke the others, change the password ----------------------
async def test_list_sessions_shows_each_login_and_marks_the_current_one(
        running_node: RunningNode) -> None:
    http = running_node.http
    user_id = await signup(http)
    phone = await login(http, user_id, device_name="phone")
    laptop = await login(http, user_id, device_name="laptop")
    other = await new_account(http, "other")
    response = await http.get("/v1/sessions", headers=laptop.auth)
    assert response.status_code == 200, response.text
    sessions = response.json()["sessions"]
    assert [s["deviceId"] for s in sessions] == [phone.device_id, laptop.device_id]
    assert [s.get("current", False) for s in sessions] == [False, True]
    assert int(sessions[0]["expiresAtMs"]) == phone.expires_at_ms
    assert int(sessions[0]["createdAtMs"]) <= int(sessions[1]["createdAtMs"])
    assert other.device_id not in {s["deviceId"] for s in sessions}


async def test_revoke_session_ends_that_device_and_closes_its_connection(
        running_node: RunningNode) -> None:
    http = running_node.http
    user_id = await signup(http)
    phone = await login(http, user_id, device_name="phone")
    laptop = await login(http, user_id, device_name="laptop")
    stranger = await new_account(http, "stranger")
    phone_live = await dial(running_node.endpoints, phone)
    try:
        # Another user's device id is not the caller's to revoke.
        assert_error(await http.delete(f"/v1/sessions/{phone.device_id}",
                                       headers=stranger.auth), 404, "NOT_FOUND", "device_id")
        response = await http.delete(f"/v1/sessions/{phone.device_id}", headers=laptop.auth)
        assert response.status_code == 200 and response.json() == {}, response.text
        assert await _closed(phone_live)
        # BeOffline said why first: the reason reaches the person, the code says sign in.
        offline = await asyncio.wait_for(phone_live.receive(), 5)
        assert offline.type == MsgType.BE_OFFLINE
        assert Error.parse(offline.payload).code == ErrorCode.UNAUTHENTICATED
        assert phone_live.closed is not None
        assert "this session was revoked" in phone_live.closed.reason
        assert_error(await http.get("/v1/users/me", headers=phone.auth), 401, "UNAUTHENTICATED")
        assert (await http.get("/v1/users/me", headers=laptop.auth)).status_code == 200
        assert_error(await http.delete(f"/v1/sessions/{phone.device_id}", headers=laptop.auth),
                     404, "NOT_FOUND", "device_id")
    finally:
        await phone_live.close()


async def test_revoke_other_sessions_keeps_only_the_caller(running_node: RunningNode) -> None:
    http = running_node.http
    user_id = await signup(http)
    phone, tablet, laptop = [await login(http, user_id, device_name=n)
                             for n in ("phone", "tablet", "laptop")]
    phone_live = await dial(running_node.endpoints, phone)
    laptop_live = await dial(running_node.endpoints, laptop)
    try:
        response = await http.delete("/v1/sessions", headers=laptop.auth)
        assert response.status_code == 200, response.text
        assert response.json() == {"revokedSessions": 2}
        assert await _closed(phone_live)
        assert await laptop_live.ping() >= 0
        for gone in (phone, tablet):
            assert_error(await http.get("/v1/users/me", headers=gone.auth), 401,
                         "UNAUTHENTICATED")
        listed = (await http.get("/v1/sessions", headers=laptop.auth)).json()["sessions"]
        assert [s["deviceId"] for s in listed] == [laptop.device_id]
    finally:
        await phone_live.close()
        await laptop_live.close()


async def test_change_password_checks_the_old_one_and_revokes_other_sessions(
        running_node: RunningNode) -> None:
    http = running_node.http
    user_id = await signup(http)
    thief = await login(http, user_id, device_name="thief")
    owner = await login(http, user_id, device_name="owner")
    thief_live = await dial(running_node.endpoints, thief)
    try:
        wrong = await http.post("/v1/users/me/password", headers=owner.auth, json={
            "currentPassword": "not the password", "newPassword": "a brand new secret"})
        assert_error(wrong, 401, "INVALID_CREDENTIALS", "current_password")
        short = await http.post("/v1/users/me/password", headers=owner.auth, json={
            "currentPassword": PASSWORD, "newPassword": "short"})
        assert_error(short, 400, "INVALID_ARGUMENT", "new_password")
        assert (await http.get("/v1/users/me", headers=thief.auth)).status_code == 200
        changed = await http.post("/v1/users/me/password", headers=owner.auth, json={
            "currentPassword": PASSWORD, "newPassword": "a brand new secret"})
        assert changed.status_code == 200, changed.text
        assert changed.json() == {"revokedSessions": 1}
        assert await _closed(thief_live)
        assert_error(await http.get("/v1/users/me", headers=thief.auth), 401, "UNAUTHENTICATED")
        assert (await http.get("/v1/users/me", headers=owner.auth)).status_code == 200
        old = await http.post("/v1/sessions", json={"userId": str(user_id),
                                                    "password": PASSWORD})
        assert_error(old, 401, "INVALID_CREDENTIALS")
        await login(http, user_id, password="a brand new secret")
    finally:
        await thief_live.close()


async def test_session_endpoints_need_a_token(running_node: RunningNode) -> None:
    http = running_node.http
    assert_error(await http.delete("/v1/sessions/current"), 401, "UNAUTHENTICATED")
    assert_error(await http.delete("/v1/sessions/current",
                                   headers={"authorization": "Bearer prim_forged"}),
                 401, "UNAUTHENTICATED")
    assert_error(await http.post("/v1/users/me/deletion", json={"password": PASSWORD}),
                 401, "UNAUTHENTICATED")
    assert_error(await http.get("/v1/sessions"), 401, "UNAUTHENTICATED")
    assert_error(await http.delete("/v1/sessions"), 401, "UNAUTHENTICATED")
    assert_error(await http.delete("/v1/sessions/abc"), 401, "UNAUTHENTICATED")
    assert_error(await http.post("/v1/users/me/password", json={
        "currentPassword": PASSWORD, "newPassword": "another secret"}), 401, "UNAUTHENTICATED")


# -- DeleteAccount -----------------------------------------------------------------------------
async def test_delete_account_checks_the_password_then_removes_everything(
        running_node: RunningNode) -> None:
    http = running_node.http
    doomed = await new_account(http, "doomed")
    second_device = await login(http, doomed.user_id)
    observer = await new_account(http, "observer")

    wrong = await http.post("/v1/users/me/deletion", json={"password": "wrong password"},
                            headers=doomed.auth)
    assert_error(wrong, 401, "INVALID_CREDENTIALS", "password")
    assert (await http.get(f"/v1/users/{doomed.user_id}", headers=observer.auth)
            ).status_code == 200

    live = await dial(running_node.endpoints, second_device)
    done = await http.post("/v1/users/me/deletion", json={"password": PASSWORD},
                           headers=doomed.auth)
    assert done.status_code == 200 and done.json() == {}
    for _ in range(40):  # every device's open connection ends with the account
        if live.closed is not None:
            break
        await asyncio.sleep(0.05)
    assert live.closed is not None and live.closed.code == ErrorCode.UNAUTHENTICATED
    await live.close()
    for account in (doomed, second_device):
        assert_error(await http.get("/v1/users/me", headers=account.auth), 401,
                     "UNAUTHENTICATED")
    with pytest.raises(AuthenticationFailed):
        await dial(running_node.endpoints, second_device)
    assert_error(await http.get(f"/v1/users/{doomed.user_id}", headers=observer.auth), 404,
                 "NOT_FOUND", "user_id")
    relogin = await http.post("/v1/sessions", json={"userId": str(doomed.user_id),
                                                    "password": PASSWORD})
    assert_error(relogin, 401, "INVALID_CREDENTIALS")


async def test_delete_account_password_guesses_are_rate_limited(
        clocked_node: ClockedNode) -> None:
    http = clocked_node.http
    account: Account = await new_account(http)
    for _ in range(5):
        response = await http.post("/v1/users/me/deletion", json={"password": "guess!!!"},
                                   headers=account.auth)
        assert_error(response, 401, "INVALID_CREDENTIALS", "password")
    limited = await http.post("/v1/users/me/deletion", json={"password": PASSWORD},
                              headers=account.auth)
    assert_error(limited, 429, "RATE_LIMITED")
    # ChangePassword checks the same password and shares the account's backoff.
    changed = await http.post("/v1/users/me/password", headers=account.auth, json={
        "currentPassword": PASSWORD, "newPassword": "a brand new secret"})
    assert_error(changed, 429, "RATE_LIMITED")
    assert (await http.get("/v1/users/me", headers=account.auth)).status_code == 200


# -- Session purge -----------------------------------------------------------------------------
async def test_expired_and_revoked_sessions_are_purged(backend: Backend, tmp_path: Path) -> None:
    """The node's periodic purge deletes expired and revoked sessions and keeps live ones."""
    async with clocked(backend, tmp_path, **{"auth.session_purge_seconds": 1}) as running:
        http, clock, node = running.http, running.clock, running.node
        assert node.storage is not None
        accounts = node.storage.accounts
        purged: list[int] = []
        purge = accounts.purge_expired_sessions

        async def counting() -> int:
            purged.append(await purge())
            return purged[-1]

        accounts.purge_expired_sessions = counting  # type: ignore[method-assign]
        user_id = await signup(http)
        await login(http, user_id)  # expires first
        clock.advance(30_000)
        revoked, kept = await login(http, user_id), await login(http, user_id)
        await http.delete("/v1/sessions/current", headers=revoked.auth)
        clock.advance(30_000)
        for _ in range(50):
            if sum(purged) >= 2:
                break
            await asyncio.sleep(0.1)
        # Ours at least (a shared test database may hold other tests' revoked rows).
        assert sum(purged) >= 2
        assert await purge() == 0  # nothing left to purge
        assert [s.device_id for s in await accounts.list_sessions(user_id)] == [kept.device_id]
        assert (await http.get("/v1/users/me", headers=kept.auth)).status_code == 200


async def test_the_api_role_purges_sessions_too(tmp_path: Path) -> None:
    """A cluster's api processes run the same purge as the embedded node."""
    from prim.services.cluster.api_role import ApiRole

    config = node_config(tmp_path, Backend("embedded", {}), **{
        "node.role": "api", "cluster.schedulers": ["127.0.0.1:9"],
        "auth.session_purge_seconds": 1})
    role = ApiRole(config)
    await role.start()
    try:
        accounts = role.api.storage.accounts
        purge = accounts.purge_expired_sessions
        calls: list[int] = []

        async def counting() -> int:
            calls.append(await purge())
            return calls[-1]

        accounts.purge_expired_sessions = counting  # type: ignore[method-assign]
        for _ in range(30):
            if calls:
                break
            await asyncio.sleep(0.1)
        assert calls
    finally:
        await role.stop()
