"""Page sizes and page tokens of the list endpoints: the one paging scheme of the API
(Google AIP-158). A list request has `page_size` (0: the default) and `page_token` (empty:
the first page); its answer has `next_page_token`, empty on the last page and otherwise
passed back unchanged for the next. Each page_size's default and maximum are declared in the
spec ((prim.v1.rules) default_value / maximum): the HTTP binding refuses a larger size, the
OpenAPI document states both, and the services take them from the generated constants.

A page token is opaque to clients: the urlsafe base64 of ``"<part>:<after>"``, where
``after`` is the storage keyset position (`Page.next_after`) and ``part`` says which of
several concatenated listings the position belongs to (e.g. incoming, then outgoing
friend requests). Anything else in ``page_token`` is refused with INVALID_ARGUMENT.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.errors import ApiError

#: How many rows a service reads from a store at a time when it scans a whole listing.
STORE_BATCH = 200

_TOKEN_TEXT = re.compile(r"(0|[1-9][0-9]{0,19}):(0|[1-9][0-9]{0,19})")


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page starts: the listing ``part`` and the keyset position within it."""

    part: int = 0
    after: int = 0


def page_size(value: int, default: int, maximum: int, field: str = "page_size") -> int:
    """0 means `default`; 1..`maximum` as given; anything larger is refused (the HTTP
    binding already has, from the same declaration; this guards other callers)."""
    if value == 0:
        return default
    if value > maximum:
        raise ApiError(ErrorCode.INVALID_ARGUMENT,
                       f"{field} must be between 1 and {maximum} (0 means {default}); "
                       "ask for fewer and follow next_page_token", field)
    return value


def encode_token(position: Position | None) -> str:
    """The token for the page starting at ``position``; "" when there is no next page."""
    if position is None:
        return ""
    text = f"{position.part}:{position.after}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_token(token: str, *, parts: int = 1, field: str = "page_token") -> Position:
    """The position a token names; "" is the first page."""
    if not token:
        return Position()
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        text = ""
    match = _TOKEN_TEXT.fullmatch(text)
    if match is None or int(match[1]) >= parts or int(match[2]) >= 1 << 64:
        raise ApiError(ErrorCode.INVALID_ARGUMENT,
                       "page_token is not a token this listing returned; pass the "
                       "next_page_token of the previous page unchanged, or omit it", field)
    return Position(int(match[1]), int(match[2]))


def next_position(next_after: int | None, part: int = 0) -> Position | None:
    """The position after a storage page, or None when the store said it was the last."""
    return None if next_after is None else Position(part, next_after)
