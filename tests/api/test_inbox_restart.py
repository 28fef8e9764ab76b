"""The inbox, read markers and unread counts across a server restart, on the embedded and
the PostgreSQL/Redis wirings (#10: the embedded inbox lived in memory; #16: unread counts
were seqnum distances, and seqnums jump by a segment after a restart)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.accounts_helpers import new_account
from tests.api.conftest import Backend, RunningNode, started_node
from tests.api.social_helpers import Json, User, befriend, send_texts

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
        entry = entry_for(await b.ok("GET", "/v1/inbox", params={"since": 1}), a)
        assert entry["unreadCount"] == "3"
        await b.ok("PUT", f"/v1/conversations/{a.id}/read-marker", {"seqnum": str(sent[1])})

    async with started_node(tmp_path, backend) as second:
        a, b = rebind(a, second), rebind(b, second)
        entry = entry_for(await b.ok("GET", "/v1/inbox", params={"since": 1}), a)
        assert (entry["lastSeqnum"], entry["readSeqnum"], entry["unreadCount"]) == (
            str(sent[2]), str(sent[1]), "1")
        [after] = await send_texts(second, a, b.id, "four")
        assert after > sent[2]
        entry = entry_for(await b.ok("GET", "/v1/inbox", params={"since": 1}), a)
        # Two texts unread, whatever the seqnum distance (a restart may skip a segment).
        assert (entry["lastSeqnum"], entry["unreadCount"]) == (str(after), "2")
        # The sender's own messages are not unread for the sender.
        mine = entry_for(await a.ok("GET", "/v1/inbox", params={"since": 1}), b)
        assert "unreadCount" not in mine
