"""Message-service tests run a real node (both wirings) and real wire clients."""

from __future__ import annotations

from tests.api.conftest import (  # noqa: F401 (fixtures and the parametrising hook)
    anyio_backend,
    backend,
    pytest_generate_tests,
    running_node,
)
