"""Rendezvous placement of sections on seqnum instances: the same answer everywhere, and
only the sections of an instance that leaves (or that one that joins wins) move."""

from __future__ import annotations

from prim.services.seqnum.allocator import section_of
from prim.services.seqnum.placement import (
    instance_for_channel,
    instance_for_section,
    rendezvous_order,
    weight,
)


def test_weights_are_stable_across_processes() -> None:
    # Pinned: a change here would move every section to another instance.
    assert weight("7", 42) == weight(7, 42) == 11239966232311407337
    assert instance_for_section(42, []) is None


def test_order_is_a_permutation_led_by_the_winner() -> None:
    ids = ["a", "b", "c", "d"]
    for section in range(200):
        order = rendezvous_order(section, ids)
        assert sorted(order) == ids
        assert order[0] == instance_for_section(section, reversed(ids))  # input order moot
    winners = {instance_for_section(s, ids) for s in range(200)}
    assert winners == set(ids)  # spread over all of them


def test_an_instance_leaving_moves_only_its_sections() -> None:
    ids = [1, 2, 3, 4, 5]
    survivors = [1, 2, 4, 5]
    for section in range(1000):
        before = rendezvous_order(section, ids)
        after = instance_for_section(section, survivors)
        # Its sections go to the next in their order; everyone else's stay put.
        assert after == (before[1] if before[0] == 3 else before[0])


def test_an_instance_joining_takes_only_what_it_wins() -> None:
    for section in range(1000):
        before = instance_for_section(section, ["a", "b"])
        after = instance_for_section(section, ["a", "b", "c"])
        assert after in (before, "c")


def test_channels_are_placed_by_their_section() -> None:
    ids = ["x", "y", "z"]
    channel = "g68719476736"
    assert instance_for_channel(channel, ids, sections=16) == instance_for_section(
        section_of(channel, 16), ids)
