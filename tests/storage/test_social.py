"""Contract: SocialStore (friends, requests, blocks, groups, members, join requests) on
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from prim.runtime.storage.errors import AlreadyExists, FailedPrecondition, NotFound
from prim.runtime.storage.models import (
    FRIEND_REQUEST_TTL_MS,
    GROUP_ID_BASE,
    FriendStatus,
    GroupRole,
    RequestState,
)
from prim.runtime.storage.ports import AccountStore, SocialStore

from .conftest import FakeClock

pytestmark = pytest.mark.anyio


async def _users(accounts: AccountStore, n: int) -> list[int]:
    return [(await accounts.create_user(f"u{i}", "h")).user_id for i in range(n)]


# -- friend requests ---------------------------------------------------------------------------
async def test_request_accept_creates_both_sides(
    accounts: AccountStore, social: SocialStore, clock: FakeClock
) -> None:
    a, b = await _users(accounts, 2)
    req = await social.create_friend_request(a, b, message="hi, it's a", remark="Bee")
    assert (req.requester_id, req.target_id, req.state) == (a, b, RequestState.PENDING)
    assert req.expires_at == clock.now + FRIEND_REQUEST_TTL_MS
    assert await social.get_friend_request(a, b) == req
    assert await social.get_friend_request(b, a) is None
    assert await social.get_friend(a, b) is None  # nothing before the answer

    mine, theirs = await social.accept_friend_request(a, b, remark="Ay")
    assert (mine.user_id, mine.peer_id, mine.remark) == (b, a, "Ay")
    assert (theirs.user_id, theirs.peer_id, theirs.remark) == (a, b, "Bee")
    assert mine.status == theirs.status == FriendStatus.NORMAL
    assert await social.get_friend(a, b) == theirs
    assert await social.get_friend(b, a) == mine
    assert await social.get_friend_request(a, b) is None  # answered
    with pytest.raises(NotFound):
        await social.accept_friend_request(a, b)
    with pytest.raises(AlreadyExists):
        await social.create_friend_request(b, a)


async def test_no_duplicate_requests(accounts: AccountStore, social: SocialStore) -> None:
    a, b, c = await _users(accounts, 3)
    await social.create_friend_request(a, b)
    with pytest.raises(AlreadyExists):
        await social.create_friend_request(a, b)
    with pytest.raises(AlreadyExists):  # the other direction counts as a duplicate too
        await social.create_friend_request(b, a)
    await social.create_friend_request(c, b)
    with pytest.raises(FailedPrecondition):
        await social.create_friend_request(a, a)
    with pytest.raises(NotFound):
        await social.create_friend_request(a, 987654321)


async def test_concurrent_crossing_requests_leave_one(
    accounts: AccountStore, social: SocialStore
) -> None:
    a, b = await _users(accounts, 2)
    results = await asyncio.gather(
        social.create_friend_request(a, b),
        social.create_friend_request(b, a),
        return_exceptions=True,
    )
    assert sum(isinstance(r, AlreadyExists) for r in results) == 1
    pending = [await social.get_friend_request(a, b), await social.get_friend_request(b, a)]
    assert sum(p is not None for p in pending) == 1


async def test_reject_creates_nothing_and_allows_asking_again(
    accounts: AccountStore, social: SocialStore
) -> None:
    a, b = await _users(accounts, 2)
    await social.create_friend_request(a, b)
    assert await social.reject_friend_request(a, b)
    assert not await social.reject_friend_request(a, b)
    assert await social.get_friend(a, b) is None and await social.get_friend(b, a) is None
    with pytest.raises(NotFound):
        await social.accept_friend_request(a, b)
    again = await social.create_friend_request(a, b, message="please")
    assert again.state == RequestState.PENDING and again.message == "please"


async def test_request_expiry(
    accounts: AccountStore, social: SocialStore, clock: FakeClock
) -> None:
    a, b = await _users(accounts, 2)
    await social.create_friend_request(a, b)
    clock.advance(FRIEND_REQUEST_TTL_MS - 1)
    assert await social.get_friend_request(a, b) is not None
    assert len((await social.list_incoming_requests(b)).items) == 1
    clock.advance(1)
    assert await social.get_friend_request(a, b) is None
    assert (await social.list_incoming_requests(b)).items == []
    assert (await social.list_outgoing_requests(a)).items == []
    with pytest.raises(NotFound):
        await social.accept_friend_request(a, b)
    assert not await social.reject_friend_request(a, b)
    # An expired request does not block a new one, in either direction.
    fresh = await social.create_friend_request(b, a)
    assert fresh.expires_at == clock.now + FRIEND_REQUEST_TTL_MS
    await social.accept_friend_request(b, a)
    assert await social.get_friend(a, b) is not None


async def test_request_listing_pages(accounts: AccountStore, social: SocialStore) -> None:
    target, *askers = await _users(accounts, 6)
    for asker in askers:
        await social.create_friend_request(asker, target)
    assert (await social.list_incoming_requests(askers[0])).items == []
    page1 = await social.list_incoming_requests(target, limit=3)
    assert [r.requester_id for r in page1.items] == askers[:3]
    assert page1.next_after == askers[2]
    page2 = await social.list_incoming_requests(target, after=page1.next_after, limit=3)
    assert [r.requester_id for r in page2.items] == askers[3:]
    assert page2.next_after is None  # exactly filled last page: no phantom next page
    outgoing = await social.list_outgoing_requests(askers[0])
    assert [r.target_id for r in outgoing.items] == [target] and outgoing.next_after is None


# -- friends -----------------------------------------------------------------------------------
async def _befriend(social: SocialStore, a: int, b: int) -> None:
    await social.create_friend_request(a, b)
    await social.accept_friend_request(a, b)


async def test_each_side_has_its_own_settings(accounts: AccountStore, social: SocialStore) -> None:
    a, b = await _users(accounts, 2)
    await _befriend(social, a, b)
    updated = await social.update_friend(
        a, b, remark="best", status=FriendStatus.SPECIAL, classification="family",
        tags=["x", "y"],
    )  # fmt: skip
    assert (updated.remark, updated.status, updated.classification, updated.tags) == (
        "best", FriendStatus.SPECIAL, "family", ("x", "y"),
    )  # fmt: skip
    other = await social.get_friend(b, a)
    assert other is not None and other.status == FriendStatus.NORMAL and other.tags == ()
    only_status = await social.update_friend(a, b, status=FriendStatus.MUTED)
    assert only_status.remark == "best" and only_status.tags == ("x", "y")
    cleared = await social.update_friend(a, b, tags=[])
    assert cleared.tags == ()
    with pytest.raises(NotFound):
        await social.update_friend(a, 987654321, remark="x")


async def test_list_friends_pages_and_filters(accounts: AccountStore, social: SocialStore) -> None:
    me, *others = await _users(accounts, 5)
    assert await social.list_friends(me) == (await social.list_friends(me, limit=1))
    empty = await social.list_friends(me)
    assert empty.items == [] and empty.next_after is None
    for other in others:
        await _befriend(social, me, other)
    await social.update_friend(me, others[1], classification="work")
    await social.update_friend(me, others[3], classification="work")

    one_page = await social.list_friends(me, limit=4)  # exactly one page
    assert [f.peer_id for f in one_page.items] == others and one_page.next_after is None
    first = await social.list_friends(me, limit=3)
    assert [f.peer_id for f in first.items] == others[:3] and first.next_after == others[2]
    last = await social.list_friends(me, after=first.next_after, limit=3)
    assert [f.peer_id for f in last.items] == others[3:] and last.next_after is None
    work = await social.list_friends(me, classification="work")
    assert [f.peer_id for f in work.items] == [others[1], others[3]]
    with pytest.raises(ValueError):
        await social.list_friends(me, limit=0)


async def test_remove_friend_ends_both_sides(accounts: AccountStore, social: SocialStore) -> None:
    a, b = await _users(accounts, 2)
    await _befriend(social, a, b)
    assert await social.remove_friend(b, a)
    assert await social.get_friend(a, b) is None and await social.get_friend(b, a) is None
    assert not await social.remove_friend(a, b)
    await social.create_friend_request(a, b)  # may ask again


async def test_blocks(accounts: AccountStore, social: SocialStore) -> None:
    a, b, c = await _users(accounts, 3)
    await social.block(a, b)
    await social.block(a, b)  # idempotent
    await social.block(a, c)
    assert await social.is_blocked(a, b) and not await social.is_blocked(b, a)
    assert await social.list_blocked(a) == [b, c]
    assert await social.unblock(a, b)
    assert not await social.unblock(a, b)
    assert await social.list_blocked(a) == [c]


# -- groups ------------------------------------------------------------------------------------
async def test_create_group_makes_owner_member(
    accounts: AccountStore, social: SocialStore, clock: FakeClock
) -> None:
    owner, _ = await _users(accounts, 2)
    g1 = await social.create_group(owner, "one", password_hash="ph", announcement="welcome")
    g2 = await social.create_group(owner, "two")
    assert GROUP_ID_BASE <= g1.group_id < g2.group_id
    assert (g1.name, g1.owner_id, g1.password_hash, g1.announcement) == (
        "one", owner, "ph", "welcome",
    )  # fmt: skip
    assert g1.member_count == 1 and g1.created_at == clock.now
    assert g2.password_hash is None
    member = await social.get_member(g1.group_id, owner)
    assert member is not None and member.role == GroupRole.OWNER
    assert await social.get_group(g1.group_id) == g1
    assert await social.get_group(GROUP_ID_BASE - 1) is None
    with pytest.raises(NotFound):
        await social.create_group(987654321, "ghost")


async def test_update_group_and_password(accounts: AccountStore, social: SocialStore) -> None:
    (owner,) = await _users(accounts, 1)
    g = await social.create_group(owner, "old", avatar="a")
    updated = await social.update_group(g.group_id, name="new")
    assert (updated.name, updated.avatar) == ("new", "a")
    await social.set_group_password(g.group_id, "secret-hash")
    assert (await social.get_group(g.group_id)).password_hash == "secret-hash"  # type: ignore[union-attr]
    await social.set_group_password(g.group_id, None)
    assert (await social.get_group(g.group_id)).password_hash is None  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        await social.update_group(GROUP_ID_BASE + 999_999, name="x")
    with pytest.raises(NotFound):
        await social.set_group_password(GROUP_ID_BASE + 999_999, None)


async def test_membership_rules(accounts: AccountStore, social: SocialStore) -> None:
    owner, m1, m2 = await _users(accounts, 3)
    g = (await social.create_group(owner, "g")).group_id
    member = await social.add_member(g, m1)
    assert member.role == GroupRole.MEMBER
    with pytest.raises(AlreadyExists):
        await social.add_member(g, m1)
    with pytest.raises(FailedPrecondition):
        await social.add_member(g, m2, GroupRole.OWNER)
    with pytest.raises(NotFound):
        await social.add_member(GROUP_ID_BASE + 999_999, m2)
    admin = await social.add_member(g, m2, GroupRole.ADMIN)
    assert admin.role == GroupRole.ADMIN
    assert (await social.set_member_role(g, m2, GroupRole.MEMBER)).role == GroupRole.MEMBER
    with pytest.raises(FailedPrecondition):
        await social.set_member_role(g, owner, GroupRole.ADMIN)
    with pytest.raises(FailedPrecondition):
        await social.set_member_role(g, m1, GroupRole.OWNER)
    with pytest.raises(NotFound):
        await social.set_member_role(g, 987654321, GroupRole.ADMIN)
    with pytest.raises(FailedPrecondition):
        await social.remove_member(g, owner)
    assert await social.remove_member(g, m1)
    assert not await social.remove_member(g, m1)
    assert await social.list_member_ids(g) == [owner, m2]
    assert (await social.get_group(g)).member_count == 2  # type: ignore[union-attr]


async def test_transfer_ownership(accounts: AccountStore, social: SocialStore) -> None:
    owner, heir, outsider = await _users(accounts, 3)
    g = (await social.create_group(owner, "g")).group_id
    await social.add_member(g, heir)
    with pytest.raises(FailedPrecondition):
        await social.transfer_ownership(g, outsider)
    group = await social.transfer_ownership(g, heir)
    assert group.owner_id == heir
    assert (await social.get_member(g, heir)).role == GroupRole.OWNER  # type: ignore[union-attr]
    assert (await social.get_member(g, owner)).role == GroupRole.ADMIN  # type: ignore[union-attr]
    assert await social.remove_member(g, owner)  # no longer the owner: may leave
    with pytest.raises(NotFound):
        await social.transfer_ownership(GROUP_ID_BASE + 999_999, heir)


async def test_member_pages_by_role(accounts: AccountStore, social: SocialStore) -> None:
    owner, *people = await _users(accounts, 7)
    g = (await social.create_group(owner, "g")).group_id
    for i, person in enumerate(people):
        await social.add_member(g, person, GroupRole.ADMIN if i % 3 == 0 else GroupRole.MEMBER)
    everyone = [owner, *people]
    page1 = await social.list_members(g, limit=4)
    page2 = await social.list_members(g, after=page1.next_after or 0, limit=4)
    assert [m.user_id for m in [*page1.items, *page2.items]] == everyone
    assert page1.next_after == everyone[3] and page2.next_after is None
    exact = await social.list_members(g, limit=len(everyone))
    assert len(exact.items) == len(everyone) and exact.next_after is None
    admins = await social.list_members(g, role=GroupRole.ADMIN)
    assert [m.user_id for m in admins.items] == [people[0], people[3]]
    owners = await social.list_members(g, role=GroupRole.OWNER)
    assert [m.user_id for m in owners.items] == [owner]
    assert (await social.list_members(GROUP_ID_BASE + 999_999)).items == []


async def test_user_groups_and_delete_group(accounts: AccountStore, social: SocialStore) -> None:
    owner, member = await _users(accounts, 2)
    groups = [(await social.create_group(owner, f"g{i}")).group_id for i in range(3)]
    await social.add_member(groups[0], member)
    await social.add_member(groups[2], member)
    page = await social.list_user_groups(member, limit=1)
    assert [g.group_id for g in page.items] == [groups[0]] and page.next_after == groups[0]
    page = await social.list_user_groups(member, after=groups[0], limit=1)
    assert [g.group_id for g in page.items] == [groups[2]] and page.next_after is None
    assert page.items[0].member_count == 2
    memberships = sorted(await social.list_memberships(member), key=lambda m: m.group_id)
    assert [(m.group_id, m.user_id) for m in memberships] == [(groups[0], member),
                                                             (groups[2], member)]
    assert memberships[0] == await social.get_member(groups[0], member)
    await social.create_join_request(groups[1], member)
    assert await social.delete_group(groups[1])
    assert not await social.delete_group(groups[1])
    assert await social.get_join_request(groups[1], member) is None
    assert [g.group_id for g in (await social.list_user_groups(owner)).items] == [
        groups[0], groups[2],
    ]  # fmt: skip


async def test_join_requests(accounts: AccountStore, social: SocialStore) -> None:
    owner, x, y, z = await _users(accounts, 4)
    g = (await social.create_group(owner, "g", password_hash="ph")).group_id
    rx = await social.create_join_request(g, x, message="let me in")
    assert rx.state == RequestState.PENDING and rx.decided_by is None
    with pytest.raises(AlreadyExists):
        await social.create_join_request(g, x)
    with pytest.raises(AlreadyExists):
        await social.create_join_request(g, owner)  # already a member
    with pytest.raises(NotFound):
        await social.create_join_request(GROUP_ID_BASE + 999_999, x)
    await social.create_join_request(g, y)
    await social.create_join_request(g, z)

    pending = await social.list_join_requests(g, limit=2)
    assert [r.user_id for r in pending.items] == [x, y] and pending.next_after == y
    rest = await social.list_join_requests(g, after=y, limit=2)
    assert [r.user_id for r in rest.items] == [z] and rest.next_after is None

    approved = await social.decide_join_request(g, x, approve=True, decided_by=owner)
    assert approved.state == RequestState.APPROVED and approved.decided_by == owner
    assert (await social.get_member(g, x)) is not None
    rejected = await social.decide_join_request(g, y, approve=False, decided_by=owner)
    assert rejected.state == RequestState.REJECTED
    assert await social.get_member(g, y) is None
    with pytest.raises(NotFound):
        await social.decide_join_request(g, y, approve=True, decided_by=owner)
    assert [r.user_id for r in (await social.list_join_requests(g)).items] == [z]
    everything = await social.list_join_requests(g, state=None)
    assert [r.user_id for r in everything.items] == [x, y, z]

    again = await social.create_join_request(g, y, message="second try")  # after a rejection
    assert again.state == RequestState.PENDING and again.message == "second try"


async def test_concurrent_approvals_add_one_member(
    accounts: AccountStore, social: SocialStore
) -> None:
    owner, admin, joiner = await _users(accounts, 3)
    g = (await social.create_group(owner, "g")).group_id
    await social.add_member(g, admin, GroupRole.ADMIN)
    await social.create_join_request(g, joiner)
    results = await asyncio.gather(
        social.decide_join_request(g, joiner, approve=True, decided_by=owner),
        social.decide_join_request(g, joiner, approve=False, decided_by=admin),
        return_exceptions=True,
    )
    assert sum(isinstance(r, NotFound) for r in results) == 1
    assert len(await social.list_member_ids(g)) in (2, 3)
