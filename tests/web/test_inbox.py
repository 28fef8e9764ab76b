"""A browser user and a Python SDK user: what the SDK user sent while the page was closed
shows in its conversation list with an unread count (GetInbox), the chat view shows the
newest page and scrolls back through the rest (ListHistory), opening it reads them (the
count stays 0 after a reload), and a reload comes back to the open conversation."""

from __future__ import annotations

from pathlib import Path

import pytest

from prim.clients.sdk import PrimClient
from tests.web.browser import Browser
from tests.web.conftest import WebServer
from tests.web.people import PASSWORD, accept_friend, sees_message, sign_up

pytestmark = pytest.mark.anyio

MESSAGES = 45  # more than the page's first history page (30)


async def test_unread_counts_scroll_back_and_reload(web_server: WebServer, browser: Browser,
                                                    artifacts: Path) -> None:
    bob = await browser.page("bob")
    bob_id = await sign_up(bob, web_server.url, "bob")
    carol = await PrimClient.sign_up(web_server.url, "carol", PASSWORD)
    try:
        await carol.connect(ca_file=web_server.endpoints.ca_cert,
                            gateway=web_server.endpoints.quic)
        await carol.add_friend(int(bob_id), "hi bob, carol here")
        await accept_friend(bob, str(carol.user_id))
        # bob closes the page; carol writes meanwhile; bob comes back to the inbox.
        await bob.goto("about:blank")
        for n in range(1, MESSAGES + 1):
            await carol.send_text(int(bob_id), f"note {n} from carol")
        await bob.goto(web_server.url)
        conversation = f"[data-testid=conversation][data-peer='{carol.user_id}']"
        await bob.wait(f"{conversation} [data-testid=unread]", has_text=str(MESSAGES))
        await bob.wait(conversation, has_text=f"note {MESSAGES} from carol")
        await bob.screenshot(artifacts / "04-conversations.png")

        await bob.click(conversation)
        await sees_message(bob, f"note {MESSAGES} from carol")
        assert await bob.count("[data-testid=message]") == 30
        await bob.click("[data-testid=load-older]")
        await sees_message(bob, "note 1 from carol")
        texts = await bob.texts("[data-testid=message]")
        assert len(texts) == MESSAGES
        assert [t.split("\n")[0] for t in texts] == [
            f"note {n} from carol" for n in range(1, MESSAGES + 1)]
        await bob.screenshot(artifacts / "05-chat-history.png")
        assert await bob.count(f"{conversation} [data-testid=unread]") == 0

        # The read marker is stored: after a reload the count stays 0, the chat is open.
        await bob.reload()
        await sees_message(bob, f"note {MESSAGES} from carol")
        await bob.wait("[data-testid=chat-title]", has_text="carol")
        await bob.wait(conversation)
        assert await bob.count(f"{conversation} [data-testid=unread]") == 0
    finally:
        await carol.close()
