"""Builds a Page: keyset (rows fetched with one extra row beyond the limit) or by offset."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from .models import Page

T = TypeVar("T")


def check_limit(limit: int) -> None:
    if limit <= 0:
        raise ValueError(f"limit must be positive, got {limit}")


def make_page(rows: Sequence[T], limit: int, key: Callable[[T], int]) -> Page[T]:
    """``rows`` holds up to limit+1 items in key order; the extra one proves a next page."""
    if len(rows) > limit:
        items = list(rows[:limit])
        return Page(items=items, next_after=key(items[-1]))
    return Page(items=list(rows), next_after=None)


def offset_page(ordered: Sequence[T], offset: int, limit: int) -> Page[T]:
    """The page of ``ordered`` (every item up to at least offset+limit+1, in page order)
    that skips ``offset`` items; its ``next_after`` is the next page's offset."""
    more = len(ordered) > offset + limit
    return Page(list(ordered[offset:offset + limit]), offset + limit if more else None)
