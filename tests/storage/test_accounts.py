"""Contract: AccountStore (users, profiles, password hashes, sessions) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from prim.runtime.storage.errors import AlreadyExists, NotFound
from prim.runtime.storage.models import GROUP_ID_BASE
from prim.runtime.storage.ports import AccountStore, SocialStore

from .conftest import FakeClock

pytestmark = pytest.mark.anyio
HOUR = 3600 * 1000


async def test_create_and_get_user(accounts: AccountStore, clock: FakeClock) -> None:
    alice = await accounts.create_user("alice", "hash-a", avatar="a.png", signature="hi")
    bob = await accounts.create_user("bob", "hash-b")
    assert 0 < alice.user_id < bob.user_id < GROUP_ID_BASE
    assert alice.nickname == "alice" and alice.avatar == "a.png" and alice.signature == "hi"
    assert alice.created_at == clock.now
    assert await accounts.get_user(alice.user_id) == alice
    assert await accounts.get_user(999_999_999) is None
    assert await accounts.get_users([bob.user_id, 1, alice.user_id]) == [alice, bob]
    assert await accounts.get_users([]) == []


async def test_update_profile_changes_only_given_fields(accounts: AccountStore) -> None:
    user = await accounts.create_user("carol", "h", avatar="c.png", signature="s")
    updated = await accounts.update_profile(user.user_id, signature="new")
    assert (updated.nickname, updated.avatar, updated.signature) == ("carol", "c.png", "new")
    updated = await accounts.update_profile(user.user_id, nickname="Carol", avatar="")
    assert (updated.nickname, updated.avatar, updated.signature) == ("Carol", "", "new")
    assert await accounts.get_user(user.user_id) == updated
    with pytest.raises(NotFound):
        await accounts.update_profile(123456789, nickname="x")


async def test_password_hash(accounts: AccountStore) -> None:
    user = await accounts.create_user("dave", "$argon2id$v=19$old")
    assert await accounts.get_password_hash(user.user_id) == "$argon2id$v=19$old"
    await accounts.set_password_hash(user.user_id, "$argon2id$v=19$new")
    assert await accounts.get_password_hash(user.user_id) == "$argon2id$v=19$new"
    assert await accounts.get_password_hash(123456789) is None
    with pytest.raises(NotFound):
        await accounts.set_password_hash(123456789, "x")


async def test_session_lifecycle_and_expiry(accounts: AccountStore, clock: FakeClock) -> None:
    user = await accounts.create_user("erin", "h")
    session = await accounts.create_session("tok-1", user.user_id, "phone", clock.now + HOUR)
    assert session.user_id == user.user_id and session.device_id == "phone"
    assert not session.revoked and session.active(clock.now)
    assert await accounts.get_session("tok-1") == session
    assert await accounts.get_session("nope") is None
    with pytest.raises(AlreadyExists):
        await accounts.create_session("tok-1", user.user_id, "laptop", clock.now + HOUR)
    with pytest.raises(NotFound):
        await accounts.create_session("tok-x", 123456789, "phone", clock.now + HOUR)

    clock.advance(HOUR - 1)
    assert await accounts.get_session("tok-1") is not None
    clock.advance(1)  # expires_at is exclusive
    assert await accounts.get_session("tok-1") is None
    assert await accounts.list_sessions(user.user_id) == []
    assert not await accounts.revoke_session("tok-1")  # already dead


async def test_revocation(accounts: AccountStore, clock: FakeClock) -> None:
    user = await accounts.create_user("frank", "h")
    other = await accounts.create_user("gina", "h")
    for token, device in [("t1", "phone"), ("t2", "laptop"), ("t3", "tablet")]:
        await accounts.create_session(token, user.user_id, device, clock.now + HOUR)
        clock.advance(1)
    await accounts.create_session("o1", other.user_id, "phone", clock.now + HOUR)
    assert [s.token_hash for s in await accounts.list_sessions(user.user_id)] == ["t1", "t2", "t3"]

    assert await accounts.revoke_session("t1")
    assert not await accounts.revoke_session("t1")
    assert await accounts.get_session("t1") is None

    # "log out everywhere else"
    assert await accounts.revoke_user_sessions(user.user_id, except_token_hash="t3") == 1
    assert [s.token_hash for s in await accounts.list_sessions(user.user_id)] == ["t3"]
    assert await accounts.revoke_user_sessions(user.user_id) == 1
    assert await accounts.list_sessions(user.user_id) == []
    assert await accounts.get_session("o1") is not None  # others untouched

    clock.advance(HOUR)  # o1 expires
    assert await accounts.purge_expired_sessions() == 4
    assert await accounts.purge_expired_sessions() == 0


async def test_delete_user_cascades(
    accounts: AccountStore, social: SocialStore, clock: FakeClock
) -> None:
    alice = await accounts.create_user("alice", "h")
    bob = await accounts.create_user("bob", "h")
    await accounts.create_session("ta", alice.user_id, "phone", clock.now + HOUR)
    await social.create_friend_request(alice.user_id, bob.user_id)
    await social.accept_friend_request(alice.user_id, bob.user_id)
    await social.block(alice.user_id, bob.user_id)
    owned = await social.create_group(alice.user_id, "alice's")
    joined = await social.create_group(bob.user_id, "bob's")
    await social.add_member(joined.group_id, alice.user_id)

    assert await accounts.delete_user(alice.user_id)
    assert not await accounts.delete_user(alice.user_id)
    assert await accounts.get_user(alice.user_id) is None
    assert await accounts.get_session("ta") is None
    assert await social.get_friend(bob.user_id, alice.user_id) is None
    assert not await social.is_blocked(alice.user_id, bob.user_id)
    assert await social.get_group(owned.group_id) is None  # dissolved with its owner
    assert await social.list_member_ids(joined.group_id) == [bob.user_id]
