"""Which event loop the server processes run on: uvloop where it is installed (a dependency
on Linux and macOS), asyncio's own otherwise or when $PRIM_UVLOOP is 0.

uvloop's loop is a drop-in for asyncio's with cheaper callbacks, timers and UDP sends, which
is most of what a QUIC server does between messages; `prim bench message` measures the
difference (run it with PRIM_UVLOOP=0 for the other side)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def uvloop_wanted() -> bool:
    if os.environ.get("PRIM_UVLOOP", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)`, on uvloop when wanted."""
    if uvloop_wanted():
        import uvloop

        return uvloop.run(main)
    return asyncio.run(main)
