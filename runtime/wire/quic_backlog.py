"""How many bytes of one QUIC stream aioquic still holds (sent or not, but unacknowledged).

aioquic buffers whatever it is given and exposes no public way to ask how much is still
waiting, so this reads the stream sender's buffer bounds (aioquic 1.7.2, pinned in
pyproject.toml). Drivers use it to stop handing frames to a client that does not keep up;
without it, a slow reader would make the server buffer without limit.

Only the trio client (always on aioquic) still uses it; the asyncio server and client
count through the QUIC engine's public API (quic_engine.py `QuicEngine.unsent`).
"""

from __future__ import annotations

from aioquic.quic.connection import QuicConnection


def stream_backlog(quic: QuicConnection, stream_id: int) -> int:
    stream = quic._streams.get(stream_id)
    if stream is None:
        return 0
    sender = stream.sender
    return sender._buffer_stop - sender._buffer_start
