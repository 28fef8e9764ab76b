"""Structured logging: one line per event, as JSON or key=value, with levels.

Call sites use the standard `logging` module with `extra={"fields": {...}}`, or the `log`
helper below, so third-party libraries' records come out in the same format.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, TextIO

_RESERVED = {"fields"}


class _Formatter(logging.Formatter):
    def __init__(self, fmt: str) -> None:
        super().__init__()
        self._json = fmt == "json"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if self._json:
            return json.dumps(entry, default=str, separators=(",", ":"))
        return " ".join(f"{k}={_kv(v)}" for k, v in entry.items())


def _kv(value: Any) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' ="\n'):
        return json.dumps(text)
    return text


#: Libraries whose info lines are per-connection detail (aioquic's QUIC and HTTP/3 loggers):
#: shown at debug, so the info level carries PRIM's own events.
CHATTY_LIBRARIES = ("quic", "http3")


#: qh3 warns of every connection the peer closes, a normal close included: that is detail.
_ROUTINE_WARNINGS = ("Native peer close",)


class _LibraryDetail(logging.Filter):
    """Demotes the chatty libraries' info records (and qh3's warning that a peer closed its
    connection) to debug, then applies the level."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self._level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".", 1)[0] in CHATTY_LIBRARIES and (
                record.levelno == logging.INFO
                or (record.levelno == logging.WARNING
                    and str(record.msg).startswith(_ROUTINE_WARNINGS))):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return record.levelno >= self._level


def configure_logging(level: str = "info", fmt: str = "kv", stream: TextIO | None = None) -> None:
    """Route every logger to `stream` (stderr by default: stdout carries the ready line)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_Formatter(fmt))
    handler.addFilter(_LibraryDetail(logging.getLevelNamesMapping()[level.upper()]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def log(logger: logging.Logger, level: int, msg: str, **fields: Any) -> None:
    """Log `msg` with structured `fields`."""
    logger.log(level, msg, extra={"fields": fields})
