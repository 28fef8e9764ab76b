"""Fixtures of the binding tests: the ASGI app over the fakes, and an httpx client that
calls it in-process (the real-socket test starts hypercorn itself)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from prim.runtime.http import HttpApp, build_asgi_app
from tests.http.fakes import Recorder, authenticate, implementations, served_routes


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def impls() -> dict[str, Recorder]:
    return implementations()


@pytest.fixture
def app(impls: dict[str, Recorder]) -> HttpApp:
    return build_asgi_app(impls, authenticate, routes=served_routes(impls),
                          max_body_bytes=4096, max_upload_bytes=8192,
                          cors_origins=["https://chat.example"])


@pytest.fixture
async def http(app: HttpApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://prim.test") as client:
        yield client


AUTH = {"authorization": "Bearer good-7"}
