"""Contract: AccountIdReservations (NewUserId / Signup with an id) on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from prim.runtime.storage.account_ids import AccountIdReservations
from prim.runtime.storage.errors import NotFound
from prim.runtime.storage.factory import Database, account_id_reservations
from prim.runtime.storage.ports import AccountStore
from prim.runtime.storage.postgres.db import PostgresDatabase

from .conftest import FakeClock

pytestmark = pytest.mark.anyio
MINUTE = 60_000


@pytest.fixture
async def reservations(database: Database, clock: FakeClock) -> AccountIdReservations:
    if isinstance(database, PostgresDatabase):
        await database.pool.execute("TRUNCATE account_id_reservations")
    return account_id_reservations(database, clock=clock)


async def test_reserved_ids_are_fresh_and_never_assigned_to_others(
    reservations: AccountIdReservations, accounts: AccountStore, clock: FakeClock
) -> None:
    before = await accounts.create_user("before", "h")
    first = await reservations.reserve(clock.now + MINUTE)
    second = await reservations.reserve(clock.now + MINUTE)
    after = await accounts.create_user("after", "h")
    assert before.user_id < first < second < after.user_id
    assert await reservations.is_reserved(first) and await reservations.is_reserved(second)
    assert not await reservations.is_reserved(after.user_id)


async def test_claim_creates_the_user_once(
    reservations: AccountIdReservations, accounts: AccountStore, clock: FakeClock
) -> None:
    reserved = await reservations.reserve(clock.now + MINUTE)
    user = await reservations.claim(reserved, "zoe", "hash-z")
    assert (user.user_id, user.nickname, user.created_at) == (reserved, "zoe", clock.now)
    assert await accounts.get_user(reserved) == user
    assert await accounts.get_password_hash(reserved) == "hash-z"
    assert not await reservations.is_reserved(reserved)
    with pytest.raises(NotFound):
        await reservations.claim(reserved, "again", "h")
    # The next assigned id is past the claimed one.
    assert (await accounts.create_user("next", "h")).user_id > reserved


async def test_unreserved_and_expired_ids_cannot_be_claimed(
    reservations: AccountIdReservations, accounts: AccountStore, clock: FakeClock
) -> None:
    existing = await accounts.create_user("taken", "h")
    with pytest.raises(NotFound):
        await reservations.claim(existing.user_id, "thief", "h")
    with pytest.raises(NotFound):
        await reservations.claim(existing.user_id + 1000, "nobody", "h")
    reserved = await reservations.reserve(clock.now + MINUTE)
    clock.advance(MINUTE)
    assert not await reservations.is_reserved(reserved)
    with pytest.raises(NotFound):
        await reservations.claim(reserved, "late", "h")
    assert await accounts.get_user(reserved) is None


async def test_concurrent_claims_of_one_id_create_one_user(
    reservations: AccountIdReservations, accounts: AccountStore, clock: FakeClock
) -> None:
    reserved = await reservations.reserve(clock.now + MINUTE)
    results = await asyncio.gather(
        *(reservations.claim(reserved, f"racer{i}", "h") for i in range(5)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(r, NotFound) for r in results if isinstance(r, BaseException))
    user = await accounts.get_user(reserved)
    assert user is not None and user.nickname == winners[0].nickname
