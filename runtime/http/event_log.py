"""The HTTP event log: one info line per refused request (a 4xx answer: what was asked, the
error code, the field at fault), so an operator sees what users run into without turning on
debug. Server errors are logged where they happen, with their traceback."""

from __future__ import annotations

import logging

from prim.runtime.errors import ApiError
from prim.runtime.logs import log as log_event

log = logging.getLogger("prim.http.events")


def refused(verb: str, path: str, exc: ApiError) -> None:
    if exc.http_status >= 500:
        return
    log_event(log, logging.INFO, f"refused {verb} {path}: {exc.message}",
              status=exc.http_status, code=exc.code.name, field=exc.field)
