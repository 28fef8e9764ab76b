"""`/to` and `/join` take a group's name where it names one known group."""

from __future__ import annotations

import pytest

from prim.clients.chat.targets import TargetError, group_by_name

KNOWN = [(68719476736, "book club"), (68719476737, "Tea"), (68719476738, "tea")]


def test_an_id_is_taken_as_typed() -> None:
    assert group_by_name("68719476999 hello there", KNOWN) == (68719476999, "hello there")


def test_the_longest_leading_name_wins_and_the_rest_is_the_message() -> None:
    assert group_by_name("Book Club let me in", KNOWN) == (68719476736, "let me in")
    assert group_by_name("book club", KNOWN) == (68719476736, "")


def test_an_ambiguous_or_unknown_name_says_what_to_type() -> None:
    with pytest.raises(TargetError, match=r"2 groups are named 'tea' .*give the id"):
        group_by_name("tea", KNOWN)
    with pytest.raises(TargetError, match="no group named 'chess'"):
        group_by_name("chess", KNOWN)
