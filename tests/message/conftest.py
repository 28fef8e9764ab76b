"""Message-service tests run a real node (both wirings) and real wire clients."""

from __future__ import annotations

from tests.api.conftest import anyio_backend, backend, running_node  # noqa: F401 (fixtures)
