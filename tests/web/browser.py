"""The Python side of tests/web/driver.mjs: a headless Chromium (Debian's) driven through
playwright-core in a Node process, one request at a time over pipes. `Browser.page(name)`
opens a browser context of its own (its own storage: a separate person)."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).with_name("driver.mjs")
TIMEOUT_MS = 10_000


class BrowserError(AssertionError):
    pass


class Browser:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()

    @classmethod
    async def launch(cls) -> Browser:
        process = await asyncio.create_subprocess_exec(
            "node", str(DRIVER), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=sys.stderr)
        return cls(process)

    async def call(self, op: str, **fields: Any) -> Any:
        assert self._process.stdin is not None and self._process.stdout is not None
        async with self._lock:
            request = {"id": next(self._ids), "op": op, **fields}
            self._process.stdin.write(json.dumps(request).encode() + b"\n")
            await self._process.stdin.drain()
            line = await asyncio.wait_for(self._process.stdout.readline(), 60)
        if not line:
            raise BrowserError(f"the browser driver exited during {request}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise BrowserError(f"{op} {fields}: {answer['error']}")
        return answer["value"]

    async def page(self, name: str, *, webtransport: bool = True) -> Page:
        await self.call("open", name=name, webtransport=webtransport)
        return Page(self, name)

    async def close(self) -> None:
        try:
            await self.call("close")
        finally:
            await asyncio.wait_for(self._process.wait(), 15)


class Page:
    """What a test does in one person's tab; selectors are playwright's (CSS or
    `[data-testid=...]`), and every wait gives up after TIMEOUT_MS."""

    def __init__(self, browser: Browser, name: str) -> None:
        self.browser = browser
        self.name = name

    async def _page(self, method: str, *args: Any) -> Any:
        return await self.browser.call("page", name=self.name, method=method, args=list(args))

    async def _locator(self, selector: str, method: str, *args: Any, has_text: str = "",
                       first: bool = True) -> Any:
        return await self.browser.call("locator", name=self.name, selector=selector,
                                       hasText=has_text, first=first, method=method,
                                       args=list(args))

    async def goto(self, url: str) -> None:
        await self._page("goto", url)

    async def reload(self) -> None:
        await self._page("reload")

    async def fill(self, selector: str, value: str) -> None:
        await self._locator(selector, "fill", value, {"timeout": TIMEOUT_MS})

    async def click(self, selector: str, has_text: str = "") -> None:
        await self._locator(selector, "click", {"timeout": TIMEOUT_MS}, has_text=has_text)

    async def wait(self, selector: str, has_text: str = "", timeout_ms: int = TIMEOUT_MS) -> None:
        """Until an element matching `selector` (and containing `has_text`) is visible."""
        await self._locator(selector, "waitFor", {"state": "visible", "timeout": timeout_ms},
                            has_text=has_text)

    async def gone(self, selector: str, timeout_ms: int = TIMEOUT_MS) -> None:
        """Until no element matches `selector`."""
        await self._locator(selector, "waitFor", {"state": "detached", "timeout": timeout_ms})

    async def text(self, selector: str) -> str:
        return str(await self._locator(selector, "innerText", {"timeout": TIMEOUT_MS}))

    async def texts(self, selector: str) -> list[str]:
        return list(await self._locator(selector, "allInnerTexts", first=False))

    async def count(self, selector: str) -> int:
        return int(await self._locator(selector, "count", first=False))

    async def delay(self, path: str, ms: int, times: int = 1) -> None:
        """The answers to the next `times` GET requests of `path` (e.g. /v1/groups) reach
        the page `ms` after the server gave them: an older answer arriving after a newer."""
        await self.browser.call("delay", name=self.name, path=path, ms=ms, times=times)

    async def set_file(self, selector: str, path: Path) -> None:
        await self._locator(selector, "setInputFiles", str(path), {"timeout": TIMEOUT_MS})

    async def evaluate(self, expression: str) -> Any:
        return await self._page("evaluate", expression)

    async def screenshot(self, path: Path) -> None:
        await self._page("screenshot", {"path": str(path), "fullPage": True})
