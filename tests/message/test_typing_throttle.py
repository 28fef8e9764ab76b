"""TypingThrottle: one Typing frame per sender and conversation per interval."""

from __future__ import annotations

from prim.services.message.typing_throttle import TypingThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_one_per_interval_per_sender_and_conversation() -> None:
    clock = Clock()
    throttle = TypingThrottle(1.0, clock)
    assert throttle.allow(1, 2)
    assert not throttle.allow(1, 2)
    assert throttle.allow(1, 3) and throttle.allow(4, 2)  # each pair has its own budget
    clock.now += 0.5
    assert not throttle.allow(1, 2)
    clock.now += 0.5
    assert throttle.allow(1, 2)


def test_a_message_ends_the_interval_of_its_sender_and_conversation() -> None:
    throttle = TypingThrottle(1.0, Clock())
    assert throttle.allow(1, 2) and throttle.allow(1, 3)
    throttle.ended(1, 2)
    assert throttle.allow(1, 2)  # typing again after the message is news
    assert not throttle.allow(1, 3)  # another conversation keeps its interval
    throttle.ended(5, 6)  # nothing remembered: nothing to end


def test_zero_interval_relays_everything() -> None:
    throttle = TypingThrottle(0.0, Clock())
    assert all(throttle.allow(1, 2) for _ in range(3))


def test_expired_pairs_are_forgotten() -> None:
    clock = Clock()
    throttle = TypingThrottle(1.0, clock)
    for sender in range(10_000):
        throttle.allow(sender, 1)
    clock.now += 2
    assert throttle.allow(99_999, 1)  # past the bound: the expired ones are dropped
    assert len(throttle) == 1
