"""Browser tests of the web client: a real node (embedded backends) serving the built page,
and headless Chromium driven by playwright-core (tests/web/driver.mjs).

They need Node with npm (the build, the driver) and /usr/bin/chromium (`make chromium`
installs it; `make test` does). Without them the tests skip, unless PRIM_REQUIRE_NODE=1
(CI), where that is a failure. Screenshots of the main views go to a folder per test
($PRIM_TEST_ARTIFACTS/<test>, or the test's tmp folder); the run's summary names them."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from prim.services.node import Endpoints, Node
from tests.api.conftest import Backend, node_config
from tests.web.browser import Browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PRIM_CHROMIUM", "/usr/bin/chromium"))


def _missing(reason: str) -> None:
    if os.environ.get("PRIM_REQUIRE_NODE") == "1":
        pytest.fail(f"{reason} (PRIM_REQUIRE_NODE=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def web_build() -> Path:
    """clients/web built (`make web`: npm ci and the bundle, each only when stale)."""
    if shutil.which("npm") is None or shutil.which("make") is None:
        _missing("the web client's build needs npm and make")
    result = subprocess.run(["make", "--no-print-directory", "-s", "web"], cwd=REPO,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return REPO / "clients" / "web" / "dist"


@dataclass
class WebServer:
    node: Node
    endpoints: Endpoints

    @property
    def url(self) -> str:
        return self.endpoints.http


@pytest.fixture
async def web_server(tmp_path: Path, web_build: Path) -> AsyncIterator[WebServer]:
    node = Node(node_config(tmp_path / "node", Backend("embedded", {}),
                            **{"http.web_dir": str(web_build)}))
    endpoints = await node.start()
    yield WebServer(node, endpoints)
    await node.stop()


@pytest.fixture
async def browser(web_build: Path) -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: `make chromium` installs it")
    launched = await Browser.launch()
    yield launched
    await launched.close()


_saved: list[Path] = []


@pytest.fixture
def artifacts(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """Where a test saves its screenshots: $PRIM_TEST_ARTIFACTS/<test> when set, else the
    test's tmp folder; the run's summary lists the folders."""
    base = os.environ.get("PRIM_TEST_ARTIFACTS")
    folder = Path(base) / request.node.name if base else tmp_path / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    _saved.append(folder)
    return folder


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for folder in _saved:
        shots = sorted(p.name for p in folder.glob("*.png"))
        if shots:
            terminalreporter.write_line(f"browser screenshots in {folder}: {', '.join(shots)}")
