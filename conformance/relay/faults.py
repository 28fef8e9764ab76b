"""`FaultEngine`: which rules fire on a frame, and what the frame becomes. Sans-IO: the
link (link.py) feeds it each frame and carries out the `Decision`.

Randomness comes from one generator per connection and direction, seeded from the relay's
seed, the connection's number and the direction: the same seed and the same frames give the
same faults, however the two directions interleave.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from prim.conformance.relay.rules import Action, Direction, Rule, type_name
from prim.generated.wire import HEADER_SIZE, Header


@dataclass(frozen=True, slots=True)
class FaultRecord:
    """One injected fault, as logged."""

    connection: int
    direction: Direction
    action: Action
    rule: int  # index into the relay's rules
    occurrence: int  # the frame's number among the frames matching the rule
    frame_type: int | None  # None: a timed cut, or bytes that were not a frame
    seqnum: int | None
    detail: str = ""

    def as_json(self) -> dict[str, object]:
        return {"event": "fault", "connection": self.connection,
                "direction": self.direction.value, "action": self.action.value,
                "rule": self.rule, "occurrence": self.occurrence,
                "type": None if self.frame_type is None else type_name(self.frame_type),
                "seqnum": self.seqnum, "detail": self.detail}

    def line(self) -> str:
        what = "-" if self.frame_type is None else type_name(self.frame_type)
        seq = "" if self.seqnum is None else f" seqnum={self.seqnum}"
        extra = f" ({self.detail})" if self.detail else ""
        return (f"conn {self.connection} {self.direction.value} {self.action.value} "
                f"{what}#{self.occurrence}{seq} rule {self.rule}{extra}")


@dataclass
class Decision:
    raw: bytes  # what to send (corrupted, maybe)
    copies: int = 1  # 0: dropped
    delay_ms: int = 0
    reorder: bool = False  # hold it and send it after the next frame
    cut: bool = False  # close both connections instead of sending it
    records: list[FaultRecord] = field(default_factory=list)


class FaultEngine:
    def __init__(self, rules: Sequence[Rule], seed: int | None, connection: int) -> None:
        self.rules = list(rules)
        self.connection = connection
        self._counts: dict[tuple[int, Direction], int] = {}
        self._random = {d: random.Random(f"{seed}:{connection}:{d.value}") for d in Direction}

    def timed_cuts(self) -> list[tuple[int, int]]:
        """(rule index, milliseconds) of each `cut at_ms=` rule."""
        return [(i, r.at_ms) for i, r in enumerate(self.rules)
                if r.action is Action.CUT and r.at_ms is not None]

    def timed_cut_record(self, rule: int) -> FaultRecord:
        at_ms = self.rules[rule].at_ms
        direction = self.rules[rule].direction or Direction.CLIENT_TO_SERVER
        return FaultRecord(self.connection, direction, Action.CUT, rule, 1, None, None,
                           f"at {at_ms} ms")

    def decide(self, direction: Direction, raw: bytes, header: Header | None) -> Decision:
        decision = Decision(raw)
        frame_type = None if header is None else header.type
        seqnum = None if header is None else header.seqnum
        rng = self._random[direction]
        for index, rule in enumerate(self.rules):
            if rule.at_ms is not None or not self._matches(rule, direction, frame_type):
                continue
            key = (index, direction)
            occurrence = self._counts[key] = self._counts.get(key, 0) + 1
            if rule.nth and occurrence not in rule.nth:
                continue
            if rule.probability < 1.0 and rng.random() >= rule.probability:
                continue
            detail = self._apply(rule, decision, rng, header)
            decision.records.append(FaultRecord(self.connection, direction, rule.action,
                                                index, occurrence, frame_type, seqnum, detail))
            if decision.cut:
                break
        return decision

    @staticmethod
    def _matches(rule: Rule, direction: Direction, frame_type: int | None) -> bool:
        if rule.direction is not None and rule.direction is not direction:
            return False
        return not rule.types or frame_type in rule.types

    @staticmethod
    def _apply(rule: Rule, decision: Decision, rng: random.Random,
               header: Header | None) -> str:
        if rule.action is Action.DROP:
            decision.copies = 0
        elif rule.action is Action.DUPLICATE:
            if decision.copies:  # a dropped frame stays dropped
                decision.copies += 1
        elif rule.action is Action.REORDER:
            decision.reorder = True
        elif rule.action is Action.DELAY:
            decision.delay_ms += rule.delay_ms
            return f"{rule.delay_ms} ms"
        elif rule.action is Action.CUT:
            decision.cut = True
        elif rule.action is Action.CORRUPT:
            return _corrupt(rule, decision, rng, header)
        return ""


def _corrupt(rule: Rule, decision: Decision, rng: random.Random, header: Header | None) -> str:
    # Where the part lies in the raw frame; the header layout itself stays in the codec.
    if rule.where == "header" or header is None:
        start, length = 0, min(HEADER_SIZE, len(decision.raw))
    else:
        start, length = HEADER_SIZE, header.payload_length
    if length <= 0:
        return f"no {rule.where} bytes to corrupt"
    offset = rule.byte if rule.byte is not None else rng.randrange(length)
    if not 0 <= offset < length:
        return f"{rule.where} has no byte {offset}"
    data = bytearray(decision.raw)
    data[start + offset] ^= 0xFF
    decision.raw = bytes(data)
    return f"{rule.where} byte {offset} xor 0xff"
