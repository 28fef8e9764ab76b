"""The Textual UI of `prim chat`, driven by Textual's pilot for two people at once against a
real node: they sign up, befriend each other, exchange messages, and the unread counts,
the read marker and the typing notice move as they should."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, ListView

from prim.clients.chat import ChatOptions
from prim.clients.chat.conversations import Conversations
from prim.clients.chat.ui import ChatScreen, ChatUI
from tests.clients.conftest import PASSWORD, Server

pytestmark = pytest.mark.anyio


async def until(pilot: Pilot[int], condition: Callable[[], object], what: str,
                timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def type_into(pilot: Pilot[int], selector: str, text: str) -> None:
    await pilot.click(selector)
    await pilot.press(*text)


async def say(pilot: Pilot[int], line: str) -> None:
    """Types a line into the compose box and presses Enter."""
    await type_into(pilot, "#compose", line)
    await pilot.press("enter")


async def sign_up(pilot: Pilot[int], nickname: str) -> ChatScreen:
    await type_into(pilot, "#who", nickname)
    await type_into(pilot, "#password", PASSWORD)
    await pilot.click("#signup-button")
    await until(pilot, lambda: isinstance(pilot.app.screen, ChatScreen), f"{nickname} in")
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    return screen


def texts(screen: ChatScreen, widget: str) -> list[str]:
    view = screen.query_one(widget, ListView)
    return [str(item.query_one("Label").render()) for item in view.children]


@pytest.mark.parametrize("wiring", ["embedded"], indirect=True)
async def test_two_people_sign_up_befriend_and_chat_in_the_ui(server: Server,
                                                              tmp_path: Path) -> None:
    options = ChatOptions(server=server.endpoints.http, ca_file=server.endpoints.ca_cert,
                          gateway=server.endpoints.quic)
    alice_app = ChatUI(options, store_dir=tmp_path / "alice")
    bob_app = ChatUI(options, store_dir=tmp_path / "bob")
    async with alice_app.run_test(size=(120, 36)) as a, bob_app.run_test(size=(120, 36)) as b:
        alice, bob = await sign_up(a, "alice"), await sign_up(b, "bob")
        alice_id, bob_id = alice.client.user_id, bob.client.user_id

        await say(a, f"/friend {bob_id} tea?")
        await until(b, lambda: any("friend request from alice" in r for r in bob.requests),
                    "bob sees the request")
        await say(b, f"/accept {alice_id}")  # opens the conversation with alice
        await until(a, lambda: bob_id in alice.unread(), "bob in alice's list")
        assert alice.unread() == {bob_id: 0}

        await say(b, "hello alice")
        await until(a, lambda: alice.unread() == {bob_id: 1}, "one unread")
        await say(b, "are you there?")
        await until(a, lambda: alice.unread() == {bob_id: 2}, "two unread")
        await until(a, lambda: texts(alice, "#conversations") == [f"  bob({bob_id})  (2)"],
                    "the count on screen")

        await say(a, f"/to {bob_id}")
        await until(a, lambda: alice.unread() == {bob_id: 0}, "read on opening")
        shown = texts(alice, "#messages")
        assert [line.split("] ", 1)[1] for line in shown[-2:]] == [
            f"bob({bob_id}): hello alice", f"bob({bob_id}): are you there?"]
        # bob sees alice's read marker move; alice sees bob typing, then his reply.
        await until(b, lambda: bob.read_by.get(alice_id, 0) > 0, "bob sees alice read")
        await type_into(b, "#compose", "typing")
        await until(a, lambda: bob_id in alice.typing, "alice sees bob typing")
        await b.press("enter")
        await until(a, lambda: texts(alice, "#messages")[-1].endswith("typing"), "the reply")
        assert alice.unread() == {bob_id: 0}  # it arrived in the open conversation

        await say(a, "hi bob")
        await until(b, lambda: texts(bob, "#messages")[-1].endswith("alice(" + str(alice_id)
                                                                   + "): hi bob"),
                    "bob gets alice's message")
        assert bob.query_one("#compose", Input).value == ""


def test_unread_counts_move_with_messages_and_opening() -> None:
    c = Conversations(me=1)
    c.seed(2, unread=1, newest=5, read=4, active_at=100)
    assert c.message(2, 6, sender=2, timestamp=200)
    assert not c.message(2, 7, sender=1, timestamp=300)  # one's own
    assert not c.message(3, 1, sender=1, timestamp=50)
    assert [(r.peer_id, r.unread) for r in c.rows()] == [(2, 2), (3, 0)]
    assert c.opened(2) == 7 and c.rows()[0].unread == 0
    assert not c.message(2, 8, sender=2, timestamp=400)  # on screen: read
    assert c.opened(3) == 1 and c.opened(3) == 0  # nothing new to mark
