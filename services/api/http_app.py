"""The HTTP side of the api service: every implemented operation of the spec's route table
behind the binding, plus /metrics, served by hypercorn (shared by the embedded node and
the api role's process)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from prim.generated.routes import ROUTES
from prim.runtime.config import Config
from prim.runtime.http.app import build_asgi_app
from prim.runtime.http.text_route import with_text_route
from prim.runtime.http.web_client import DEFAULT_WEB_DIR, with_web_client
from prim.runtime.http_serve import HttpServer
from prim.services.api.server import ApiServer
from prim.services.api.services import build_services
from prim.services.identity import Certificates

log = logging.getLogger("prim.api")


def api_http_server(api: ApiServer, config: Config, certs: Certificates,
                    metrics: Callable[[], str]) -> HttpServer:
    services = build_services(api)
    missing = sorted({r.service for r in ROUTES} - set(services))
    if missing:
        log.warning("HTTP services without an implementation are not served: %s",
                    ", ".join(missing))
    api_app = build_asgi_app(services, api.authenticate,
                             routes=[r for r in ROUTES if r.service in services],
                             max_body_bytes=config.http.max_body_bytes,
                             max_upload_bytes=config.limits.max_file_bytes,
                             cors_origins=config.http.cors_origins)
    # Prometheus text at /metrics, beside the API (not part of the spec's surface).
    app = with_text_route(api_app, "/metrics", metrics)
    # The web client at / (the API's page stays at /docs).
    web_dir = Path(config.http.web_dir) if config.http.web_dir else DEFAULT_WEB_DIR
    app = with_web_client(app, web_dir)
    http3 = config.http.http3
    tls = config.http.tls or http3
    return HttpServer(app, host=config.http.host, port=config.http.port,
                      certfile=str(certs.cert_file) if tls else "",
                      keyfile=str(certs.key_file) if tls else "", http3=http3,
                      allow_plaintext=config.http.allow_plaintext)
