"""What a person does in the web client, step by step, as a test says it."""

from __future__ import annotations

import re

from tests.web.browser import Page

PASSWORD = "correct horse battery"


async def sign_up(page: Page, url: str, nickname: str) -> str:
    """Signs up in the page and returns the user id the header shows."""
    await page.goto(url)
    await page.fill("[data-testid=signup-nickname]", nickname)
    await page.fill("[data-testid=signup-password]", PASSWORD)
    await page.click("[data-testid=signup-submit]")
    await page.wait("[data-testid=me]", has_text="id ")
    found = re.search(r"id (\d+)", await page.text("[data-testid=me]"))
    assert found, "the header names the user id"
    return found.group(1)


async def add_friend(page: Page, user_id: str, message: str) -> None:
    await page.click("[data-testid=tab-friends]")
    await page.fill("[data-testid=friend-id]", user_id)
    await page.fill("[data-testid=friend-message]", message)
    await page.click("[data-testid=friend-send]")
    await page.wait("[data-testid=notices]", has_text=f"friend request sent to {user_id}")


async def accept_friend(page: Page, requester_id: str) -> None:
    """Accepts once the request shows (live, or after the page refreshes its lists)."""
    await page.click("[data-testid=tab-friends]")
    await page.wait(f"[data-testid=incoming-request][data-user='{requester_id}']")
    await page.click(f"[data-testid=incoming-request][data-user='{requester_id}'] "
                     "[data-testid=accept-friend]")
    await page.wait(f"[data-testid=friend][data-user='{requester_id}']")


async def open_chat_with(page: Page, peer_id: str) -> None:
    await page.click("[data-testid=tab-friends]")
    await page.click(f"[data-testid=friend][data-user='{peer_id}']")
    await page.wait("[data-testid=chat-title]")


async def send_text(page: Page, text: str) -> None:
    await page.fill("[data-testid=composer-input]", text)
    await page.click("[data-testid=composer-send]")


async def sees_message(page: Page, text: str, timeout_ms: int = 10_000) -> None:
    await page.wait("[data-testid=message]", has_text=text, timeout_ms=timeout_ms)
