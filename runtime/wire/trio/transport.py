"""What the trio client needs from the transport under it (QUIC stream or TLS stream)."""

from __future__ import annotations

from typing import Protocol


class TrioByteTransport(Protocol):
    async def send(self, data: bytes) -> None:
        """Send bytes on the frame stream; waits while the transport's backlog is full."""

    async def finish(self) -> None:
        """No more data: close gracefully."""

    async def run(self) -> None:
        """Read until the connection ends, feeding the client (runs as a task)."""

    def abort(self) -> None:
        """Close now."""
