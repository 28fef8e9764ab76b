"""GapTracker on its own: which ranges are missing, what is a duplicate."""

from __future__ import annotations

from prim.clients.sdk import Gap, GapTracker


def test_first_sighting_is_a_baseline_not_a_gap() -> None:
    t = GapTracker()
    assert t.gap_before(7, 40) is None
    assert t.mark(7, 40)
    assert t.last(7) == 40
    assert t.gap_before(7, 41) is None


def test_a_jump_names_exactly_the_missing_range() -> None:
    t = GapTracker()
    t.mark(7, 1)
    assert t.gap_before(7, 5) == Gap(7, 2, 4)
    assert t.mark(7, 5)
    assert t.last(7) == 1  # 2..4 still missing
    assert t.mark(7, 3) and not t.mark(7, 3)
    t.cover(7, 4)
    assert t.last(7) == 5  # the seen 5 joins once 2..4 are accounted for
    assert t.seen(7, 3) and t.seen(7, 5) and not t.seen(7, 6)


def test_duplicates_and_old_seqnums_are_refused() -> None:
    t = GapTracker()
    for s in (1, 2, 3):
        assert t.mark(9, s)
    assert not t.mark(9, 2)
    assert not t.mark(9, 3)
    assert t.gap_before(9, 3) is None


def test_conversations_are_independent() -> None:
    t = GapTracker()
    t.mark(1, 10)
    t.mark(2, 1)
    assert t.gap_before(2, 3) == Gap(2, 2, 2)
    assert t.gap_before(1, 11) is None
