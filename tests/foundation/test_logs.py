"""The info level carries PRIM's own events; the QUIC and HTTP/3 library's per-connection
lines show at debug only. Refused requests get one info line in the HTTP event log."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.errors import ApiError
from prim.runtime.http import event_log
from prim.runtime.logs import configure_logging


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _lines(level: str) -> list[str]:
    out = io.StringIO()
    configure_logging(level, "kv", stream=out)
    logging.getLogger("quic").info("[abc] Negotiated protocol version 0x00000001")
    logging.getLogger("http3").info("h3 detail")
    logging.getLogger("quic").warning("quic trouble")
    logging.getLogger("quic").warning("Native peer close: %r", ("peer_closed", True, 0))
    logging.getLogger("prim.serve").info("PRIM is serving")
    event_log.refused("GET", "/v1/friends",
                      ApiError(ErrorCode.UNAUTHENTICATED, "needs a token"))
    event_log.refused("GET", "/v1/x", ApiError(ErrorCode.INTERNAL, "logged elsewhere"))
    return out.getvalue().splitlines()


@pytest.mark.usefixtures("restore_root")
def test_library_lines_only_at_debug() -> None:
    lines = _lines("info")
    assert not any("Negotiated" in line or "h3 detail" in line or "peer close" in line
                   for line in lines)
    assert any("level=warning logger=quic" in line for line in lines)
    assert any('msg="PRIM is serving"' in line for line in lines)
    [refused] = [line for line in lines if "prim.http.events" in line]
    assert "level=info" in refused and "status=401 code=UNAUTHENTICATED" in refused

    debug = _lines("debug")
    assert any("level=debug logger=quic" in line and "Negotiated" in line for line in debug)
    assert any("level=debug logger=quic" in line and "peer close" in line for line in debug)
