"""One `Range: bytes=...` request header (RFC 9110 section 14) against a body of known size.

Only a single range is served (206); a multi-range or malformed header is ignored and the
whole body is sent (200), as the RFC allows; a range wholly past the end is 416.
`If-Range` with anything but the body's current ETag also means the whole body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SINGLE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


class Unsatisfiable(Exception):
    """The range starts past the end of the body (answered 416)."""


@dataclass(frozen=True, slots=True)
class ByteRange:
    start: int
    end: int  # exclusive

    @property
    def length(self) -> int:
        return self.end - self.start

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end - 1}/{size}"


def requested_range(header: str, size: int, *, if_range: str = "",
                    etag: str = "") -> ByteRange | None:
    """The range to send, None for the whole body; Unsatisfiable for 416."""
    if not header or (if_range and if_range.strip() != etag):
        return None
    match = _SINGLE.fullmatch(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(0, size - suffix), size)
    start = int(first)
    end = size if not last else int(last) + 1
    if last and end <= start:
        return None  # last < first: invalid, ignored
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, min(end, size))
