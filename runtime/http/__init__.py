"""The HTTP side of PRIM: the ASGI binding of the generated route table (server) and the
transport the generated Python client uses."""

from prim.runtime.http.app import Authenticator, HttpApp, build_asgi_app, load_openapi

__all__ = ["Authenticator", "HttpApp", "build_asgi_app", "load_openapi"]
