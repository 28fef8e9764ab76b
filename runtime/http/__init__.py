"""The HTTP side of PRIM: the ASGI binding of the generated route table (server) and the
transport the generated Python client uses (client.py). The server names are loaded on
first use, so a client importing prim.runtime.http.client loads none of the server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prim.runtime.http.app import Authenticator, HttpApp, build_asgi_app, load_openapi

__all__ = ["Authenticator", "HttpApp", "build_asgi_app", "load_openapi"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from prim.runtime.http import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
