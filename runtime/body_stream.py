"""Raw bodies that stream instead of sitting in memory: an upload's request body read chunk
by chunk under a byte limit, and the source a download's bytes are read from.

A transport that can stream (the HTTP binding) puts a `Streams` in the CallContext of a
route whose body or answer is a google.api.HttpBody: the handler reads `streams.body`
instead of `HttpBody.data`, and answers a download by setting `streams.reply` and
returning an HttpBody with the content type alone. Elsewhere `ctx.streams` is None and the
bytes travel in the message as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class BodyTooLarge(Exception):
    """The body passed `limit` bytes; `field` is the request field it fills ("" for all)."""

    def __init__(self, limit: int, field: str) -> None:
        super().__init__(f"the body is larger than {limit} bytes")
        self.limit = limit
        self.field = field


class BodyIncomplete(Exception):
    """The client went away before the body's end."""


class BodyStream:
    """The request body as an async iterator of chunks, read once. Counting happens as the
    chunks arrive, so a body over the limit is refused after `limit` bytes, not after all
    of them; a declared Content-Length over the limit is refused before the first."""

    def __init__(self, receive: Callable[[], Awaitable[Mapping[str, Any]]], *, limit: int,
                 field: str = "", declared: int | None = None) -> None:
        self._receive = receive
        self._limit = limit
        self.field = field
        #: The Content-Length the client declared, if any.
        self.declared = declared
        self._started = False

    @property
    def limit(self) -> int:
        return self._limit

    def cap(self, limit: int) -> None:
        """Lowers the limit (a handler's own: a per-kind size, the quota left)."""
        self._limit = min(self._limit, limit)

    def __aiter__(self) -> AsyncIterator[bytes]:
        if self._started:
            raise RuntimeError("a request body can be read only once")
        self._started = True
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        if self.declared is not None and self.declared > self._limit:
            raise BodyTooLarge(self._limit, self.field)
        size = 0
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise BodyIncomplete(f"the client went away after {size} bytes")
            chunk = bytes(message.get("body", b""))
            size += len(chunk)
            if size > self._limit:
                raise BodyTooLarge(self._limit, self.field)
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return


class BodySource(Protocol):
    """Bytes to send back, readable by range."""

    @property
    def size(self) -> int: ...

    @property
    def version(self) -> str:
        """Names this content (e.g. its hash): the ETag that If-Range compares."""

    def chunks(self, start: int, end: int) -> AsyncIterator[bytes]:
        """The bytes [start, end) in pieces of bounded size."""


class BytesSource:
    """A BodySource over bytes already in memory, named by their hash."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._version = hashlib.sha256(data).hexdigest()[:32]

    @property
    def size(self) -> int:
        return len(self._data)

    @property
    def version(self) -> str:
        return self._version

    async def chunks(self, start: int, end: int) -> AsyncIterator[bytes]:
        if end > start:
            yield self._data[start:end]


@dataclass(slots=True)
class Streams:
    body: BodyStream | None = None
    reply: BodySource | None = None


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    """`data` as a body stream (for callers that already hold the bytes)."""
    if data:
        yield data
