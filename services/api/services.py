"""The api service's implementations by service name, as the HTTP binding wants them."""

from __future__ import annotations

from prim.services.api.server import ApiServer


def build_services(api: ApiServer) -> dict[str, object]:
    """Service name (as in the spec) -> the object implementing its generated interface."""
    services: dict[str, object] = {}
    return services
