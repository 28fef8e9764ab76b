"""Builds a keyset Page from rows fetched with one extra row beyond the limit."""

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
