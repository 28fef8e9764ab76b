from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from prim.runtime.tls import DevCertificates, Trust, ensure_dev_certificates
from prim.runtime.wire.quic_engine import ENGINE_ENV, ENGINES
from prim.runtime.wire.settings import ConnectionSettings, ServerSettings
from tests.transport.servers import RunningServer, server_in_thread

STRICT_PAYLOAD_LIMIT = 1024


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session", params=ENGINES)
def quic_engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Tests with a server (the fixtures below, or asking for this) run on each QUIC
    engine: servers and the asyncio and trio clients made while it is set use it."""
    before = os.environ.get(ENGINE_ENV)
    os.environ[ENGINE_ENV] = request.param
    yield request.param
    if before is None:
        del os.environ[ENGINE_ENV]
    else:
        os.environ[ENGINE_ENV] = before


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> DevCertificates:
    return ensure_dev_certificates(Path(tmp_path_factory.mktemp("tls")))


@pytest.fixture(scope="session")
def trust(certs: DevCertificates) -> Trust:
    return Trust(ca_file=certs.ca_file)


@pytest.fixture(scope="session")
def server(certs: DevCertificates, quic_engine: str) -> Iterator[RunningServer]:
    """Default limits (payload up to 16383)."""
    with server_in_thread(certs, ServerSettings(connection=ConnectionSettings(node_id=7))
                          ) as running:
        yield running


@pytest.fixture(scope="session")
def strict_server(certs: DevCertificates, quic_engine: str) -> Iterator[RunningServer]:
    """A lower payload limit, a small send queue, a short linger: for bad-input tests."""
    settings = ServerSettings(
        connection=ConnectionSettings(max_payload_length=STRICT_PAYLOAD_LIMIT,
                                      max_send_queue_frames=100, idle_timeout=30.0),
        transport_high_water=64 * 1024,
        close_linger=0.5,
    )
    with server_in_thread(certs, settings) as running:
        yield running


@pytest.fixture(scope="session")
def idle_server(certs: DevCertificates, quic_engine: str) -> Iterator[RunningServer]:
    settings = ServerSettings(connection=ConnectionSettings(idle_timeout=0.3))
    with server_in_thread(certs, settings) as running:
        yield running
