"""The api service's implementations by service name, as the HTTP binding wants them."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from prim.services.api.accounts import AccountServiceImpl
from prim.services.api.files import FileServiceImpl
from prim.services.api.nodes import NodeServiceImpl
from prim.services.api.server import ApiServer
from prim.services.api.users import UserServiceImpl


def _optional(module: str, name: str) -> Callable[[ApiServer], object] | None:
    """A feature module being written in parallel: served as soon as it exists (this
    becomes a plain import once it is committed)."""
    try:
        factory: Callable[[ApiServer], object] = getattr(import_module(module), name)
    except ImportError:  # pragma: no cover
        return None
    return factory


def build_services(api: ApiServer) -> dict[str, object]:
    """Service name (as in the spec) -> the object implementing its generated interface."""
    services: dict[str, object] = {
        "AccountService": AccountServiceImpl(api),
        "UserService": UserServiceImpl(api),
        "NodeService": NodeServiceImpl(api),
        "FileService": FileServiceImpl(api),
    }
    for name, module, cls in (
            ("FriendService", "prim.services.api.friends", "FriendServiceImpl"),
            ("GroupService", "prim.services.api.groups", "GroupServiceImpl"),
            ("MessageService", "prim.services.api.messages", "MessageServiceImpl")):
        impl = _optional(module, cls)
        if impl is not None:
            services[name] = impl(api)
    return services
