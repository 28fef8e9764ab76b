"""What a server session needs from the transport under it (a QUIC stream or a TLS/TCP
socket): the seam that lets one session class serve both."""

from __future__ import annotations

from typing import Protocol


class ByteTransport(Protocol):
    def write(self, data: bytes) -> None:
        """Send bytes on the connection's frame stream."""

    def backlog(self) -> int:
        """Bytes written and not yet sent (TCP) or not yet acknowledged (QUIC); a large
        number when nothing can be written yet."""

    def finish(self) -> None:
        """No more data: close gracefully once what was written has gone out."""

    def abort(self) -> None:
        """Close now, dropping whatever was not sent."""

    def pause_reading(self) -> None:
        """Stop reading from the peer for now (a no-op where the transport cannot)."""

    def resume_reading(self) -> None:
        """Read again."""
