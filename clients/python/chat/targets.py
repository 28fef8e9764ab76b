"""What `/to` and `/join` are pointed at: an id as typed, or a group's name, taken when it
names exactly one group the chat knows (the user's groups, and any group it has shown),
compared without regard to case. Group ids are 11 digits and up; names are what people
remember."""

from __future__ import annotations

from collections.abc import Iterable


class TargetError(Exception):
    """A name that matches no known group, or several; the message says what to type."""


def group_by_name(words: str, known: Iterable[tuple[int, str]]) -> tuple[int, str]:
    """(group id, the rest of `words`) for the longest leading run of `words` that names
    exactly one of the `known` (id, name) groups; a leading number is taken as the id."""
    head, _, tail = words.partition(" ")
    if head.isdigit():
        return int(head), tail.strip()
    by_name: dict[str, set[int]] = {}
    for group_id, name in known:
        by_name.setdefault(name.casefold(), set()).add(group_id)
    parts = words.split()
    for n in range(len(parts), 0, -1):
        ids = by_name.get(" ".join(parts[:n]).casefold())
        if ids is None:
            continue
        if len(ids) > 1:
            raise TargetError(f"{len(ids)} groups are named {' '.join(parts[:n])!r} "
                              f"({', '.join(map(str, sorted(ids)))}); give the id")
        return next(iter(ids)), " ".join(parts[n:])
    raise TargetError(f"no group named {words!r} that you know of: give its id (a number), "
                      "or see /groups")
