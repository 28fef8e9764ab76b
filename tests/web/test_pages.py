"""The web client over HTTP in a real browser: sign-up, friend requests, groups (create,
join with a password, approve, members), and the sign-in surviving a reload; screenshots
of each view are saved as artifacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser import Browser
from tests.web.conftest import WebServer
from tests.web.people import accept_friend, add_friend, sign_up

pytestmark = pytest.mark.anyio


async def test_sign_up_befriend_and_run_a_group(web_server: WebServer, browser: Browser,
                                                artifacts: Path) -> None:
    alice, bob = await browser.page("alice"), await browser.page("bob")
    await alice.goto(web_server.url)
    await alice.wait("[data-testid=signup-submit]")
    await alice.screenshot(artifacts / "01-sign-in.png")
    alice_id = await sign_up(alice, web_server.url, "alice")
    bob_id = await sign_up(bob, web_server.url, "bob")
    assert alice_id != bob_id

    await add_friend(alice, bob_id, "hi, it's alice")
    await bob.click("[data-testid=tab-friends]")
    await bob.wait("[data-testid=incoming-request]", has_text="hi, it's alice")
    await bob.screenshot(artifacts / "02-friend-request.png")
    await accept_friend(bob, alice_id)
    await alice.click("[data-testid=tab-friends]")
    await alice.wait(f"[data-testid=friend][data-user='{bob_id}']", has_text="bob")

    # A group with a join password: bob asks with it, alice (the owner) approves.
    await alice.click("[data-testid=tab-groups]")
    await alice.fill("[data-testid=group-name]", "book club")
    await alice.fill("[data-testid=group-password]", "open sesame")
    await alice.click("[data-testid=group-create]")
    await alice.wait("[data-testid=group]", has_text="book club")
    group_id = await alice.evaluate(
        "document.querySelector('[data-testid=group]').dataset.group")
    await bob.click("[data-testid=tab-groups]")
    await bob.fill("[data-testid=join-id]", group_id)
    await bob.fill("[data-testid=join-password]", "wrong password")
    await bob.click("[data-testid=join-send]")
    await bob.wait("[data-testid=sidebar-error]", has_text="password")
    await bob.fill("[data-testid=join-id]", group_id)
    await bob.fill("[data-testid=join-password]", "open sesame")
    await bob.fill("[data-testid=join-message]", "let me in")
    await bob.click("[data-testid=join-send]")
    await bob.wait("[data-testid=notices]", has_text="asked to join")

    await alice.click("[data-testid=tab-groups]")
    await alice.click("[data-testid=group]", has_text="book club")
    await alice.wait("[data-testid=join-request]", has_text="let me in")
    await alice.screenshot(artifacts / "03-group-join-request.png")
    await alice.click(f"[data-testid=join-request][data-user='{bob_id}'] "
                      "[data-testid=approve-join]")
    await alice.wait("[data-testid=group-detail]", has_text="Members (2)")
    await alice.wait("[data-testid=member]", has_text="bob")
    assert sorted(await alice.texts("[data-testid=member]")) == sorted(
        ["you\nowner", "bob\nmember"])
    await bob.click("[data-testid=tab-groups]")
    await bob.wait("[data-testid=group]", has_text="book club")

    # A reload keeps the person signed in (the session is in localStorage).
    await bob.reload()
    await bob.wait("[data-testid=me]", has_text=f"bob · id {bob_id}")
    await bob.click("[data-testid=logout]")
    await bob.wait("[data-testid=login-submit]")
