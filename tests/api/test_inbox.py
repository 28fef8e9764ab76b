"""GetInbox on both wirings: the inbox, read markers and unread counts across a server
restart (#10: the embedded inbox lived in memory; #16: unread counts were seqnum distances,
and seqnums jump by a segment after a restart), paging (#10), and what account deletion
leaves behind (#10: nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from prim.runtime.storage.models import channel_key
from tests.api.accounts_helpers import PASSWORD, assert_error, new_account
from tests.api.conftest import Backend, RunningNode, started_node
from tests.api.social_helpers import Json, User, befriend, make_group, send_texts, users

pytestmark = pytest.mark.anyio


def entry_for(inbox: Json, peer: User) -> Json:
    [entry] = [e for e in inbox.get("entries", []) if e["peerId"] == str(peer.id)]
    return entry


def rebind(user: User, rn: RunningNode) -> User:
    """The same account, calling the restarted node."""
    return User(user.account, rn.http)


async def test_inbox_and_unread_counts_survive_a_restart(backend: Backend,
                                                         tmp_path: Path) -> None:
    async with started_node(tmp_path, backend) as first:
        a = User(await new_account(first.http, "a"), first.http)
        b = User(await new_account(first.http, "b"), first.http)
        await befriend(a, b)
        sent = await send_texts(first, a, b.id, "one", "two", "three")
        entry = entry_for(await b.ok("GET", "/v1/inbox", params={"since_ms": 1}), a)
        assert entry["unreadCount"] == "3"
        await b.ok("PUT", f"/v1/conversations/{a.id}/read-marker", {"seqnum": str(sent[1])})

    async with started_node(tmp_path, backend) as second:
        a, b = rebind(a, second), rebind(b, second)
        entry = entry_for(await b.ok("GET", "/v1/inbox", params={"since_ms": 1}), a)
        assert (entry["lastSeqnum"], entry["readSeqnum"], entry["unreadCount"]) == (
            str(sent[2]), str(sent[1]), "1")
        [after] = await send_texts(second, a, b.id, "four")
        assert after > sent[2]
        entry = entry_for(await b.ok("GET", "/v1/inbox", params={"since_ms": 1}), a)
        # Two texts unread, whatever the seqnum distance (a restart may skip a segment).
        assert (entry["lastSeqnum"], entry["unreadCount"]) == (str(after), "2")
        # The sender's own messages are not unread for the sender.
        mine = entry_for(await a.ok("GET", "/v1/inbox", params={"since_ms": 1}), b)
        assert "unreadCount" not in mine


async def test_inbox_pages(running_node: RunningNode) -> None:
    me, *friends = await users(running_node, 4)
    for friend in friends:
        await befriend(friend, me)
        await send_texts(running_node, friend, me.id, "hi")
    await running_node.settle()
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        params: Json = {"since_ms": 1, "page_size": 2}
        if token:
            params["page_token"] = token
        page = await me.ok("GET", "/v1/inbox", params=params)
        seen += [e["peerId"] for e in page["entries"]]
        pages += 1
        token = page.get("nextPageToken", "")
        if not token:
            break
    assert pages == 2
    assert seen == [str(f.id) for f in reversed(friends)]  # newest first, each once
    assert_error(await me.call("GET", "/v1/inbox", params={"page_size": 201}),
                 400, "INVALID_ARGUMENT", "page_size")
    assert_error(await me.call("GET", "/v1/inbox", params={"page_token": "nonsense"}),
                 400, "INVALID_ARGUMENT", "page_token")


async def test_account_deletion_forgets_inbox_and_markers(running_node: RunningNode) -> None:
    storage = running_node.node.storage
    assert storage is not None
    doomed, friend = await users(running_node, 2)
    await befriend(friend, doomed)
    [seqnum] = await send_texts(running_node, friend, doomed.id, "bye")
    await running_node.settle()
    await doomed.ok("PUT", f"/v1/conversations/{friend.id}/read-marker",
                    {"seqnum": str(seqnum)})
    channel = channel_key(doomed.id, friend.id)
    assert (await storage.inbox.get_inbox(doomed.id, 0)).items
    await doomed.ok("POST", "/v1/users/me/deletion", {"password": PASSWORD})
    assert (await storage.inbox.get_inbox(doomed.id, 0)).items == []
    assert await storage.inbox.get_read_markers(doomed.id, [channel]) == {channel: 0}
    assert await storage.online.get_connections(doomed.id) == {}
    # The survivor's side of the conversation stays.
    assert (await storage.inbox.get_inbox(friend.id, 0)).items


async def test_a_groups_news_is_in_each_members_inbox_while_a_member(
    running_node: RunningNode,
) -> None:
    """A group's news is stored once for all its members (#13) and GetInbox derives each
    member's entry from their membership: listed with its unread texts, gone once they
    leave; an outsider never sees it."""
    owner, member, outsider = await users(running_node, 3)
    gid = await make_group(owner, members=[member])
    sent = await send_texts(running_node, owner, gid, "one", "two")
    await running_node.settle()

    async def group_entry(user: User) -> list[Json]:
        inbox = await user.ok("GET", "/v1/inbox", params={"since_ms": 1})
        return [e for e in inbox.get("entries", []) if e["peerId"] == str(gid)]

    [entry] = await group_entry(member)
    assert (entry["isGroup"], entry["lastSeqnum"], entry["unreadCount"]) == (
        True, str(sent[-1]), "2")
    assert len(await group_entry(owner)) == 1
    assert await group_entry(outsider) == []
    assert await member.ok("DELETE", f"/v1/groups/{gid}/membership") == {}
    await running_node.settle()
    assert await group_entry(member) == []
    assert len(await group_entry(owner)) == 1
