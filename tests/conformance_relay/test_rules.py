"""Rules as words and as files, the frame splitter, and the fault engine's decisions (no
network): occurrence counting per direction, combined rules, and seeded randomness that
gives the same faults for the same seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prim.conformance.relay import (
    Action,
    Direction,
    FaultEngine,
    RuleError,
    load_rule_file,
    parse_rule,
)
from prim.conformance.relay.splitter import FrameSplitter
from prim.generated.prim.v1 import MsgType
from prim.runtime.wire.frame import Frame, encode_frame

C2S, S2C = Direction.CLIENT_TO_SERVER, Direction.SERVER_TO_CLIENT


def raw(type_: int, seqnum: int = 0, payload: bytes = b"") -> bytes:
    return encode_frame(Frame(type=type_, seqnum=seqnum, payload=payload))


def run(engine: FaultEngine, direction: Direction, frames: list[bytes]) -> list[tuple[int, str]]:
    """(frame index, action) of every fault the engine injects into `frames`."""
    splitter = FrameSplitter()
    out = []
    for i, piece in enumerate(splitter.feed(b"".join(frames))):
        for record in engine.decide(direction, piece.raw, piece.header).records:
            out.append((i, record.action.value))
    return out


def test_parse_rule_words() -> None:
    rule = parse_rule("drop dir=s2c type=ACK,text nth=1,3 prob=0.5")
    assert rule.action is Action.DROP and rule.direction is S2C
    assert rule.types == {MsgType.ACK, MsgType.TEXT} and rule.nth == {1, 3}
    assert rule.probability == 0.5
    assert parse_rule(rule.describe()) == rule
    assert parse_rule("cut after=5").nth == {5}
    assert parse_rule("delay ms=20 type=32").types == {32}


@pytest.mark.parametrize("text, complaint", [
    ("", "empty"), ("explode", "unknown action"), ("drop type=NOPE", "unknown frame type"),
    ("drop nth=x", "whole numbers"), ("delay", "ms=N"), ("drop prob=2", "prob"),
    ("drop colour=red", "unknown rule keys"), ("drop dir", "key=value"),
    ("drop at_ms=5", "only for cut"), ("corrupt where=footer", "header or payload"),
])
def test_bad_rules_say_what_is_wrong(text: str, complaint: str) -> None:
    with pytest.raises(RuleError, match=complaint):
        parse_rule(text)


def test_rule_files_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "rules.toml"
    toml.write_text('[[rule]]\naction = "drop"\ndir = "s2c"\ntype = ["ACK"]\nnth = [1]\n'
                    '[[rule]]\naction = "cut"\nat_ms = 500\n')
    js = tmp_path / "rules.json"
    js.write_text(json.dumps({"rules": [{"action": "drop", "dir": "s2c", "type": "ACK",
                                         "nth": 1}, {"action": "cut", "at_ms": 500}]}))
    assert load_rule_file(toml) == load_rule_file(js)
    assert [r.action for r in load_rule_file(toml)] == [Action.DROP, Action.CUT]


def test_splitter_keeps_exact_bytes_and_passes_garbage_on() -> None:
    frames = [raw(MsgType.TEXT, payload=b"hi"), raw(999), raw(MsgType.ACK)]
    stream = b"".join(frames)
    splitter = FrameSplitter()
    pieces = [p for i in range(len(stream)) for p in splitter.feed(stream[i:i + 1])]
    assert [p.raw for p in pieces] == frames  # an unknown type is still a whole frame
    assert [p.header.type for p in pieces if p.header] == [MsgType.TEXT, 999, MsgType.ACK]
    bad = b"\xff" * 40
    assert [(p.raw, p.header) for p in splitter.feed(bad)] == [(bad, None)]
    assert [p.raw for p in splitter.feed(b"more")] == [b"more"]  # opaque from then on


def test_occurrences_count_matching_frames_per_direction() -> None:
    engine = FaultEngine([parse_rule("drop type=ACK nth=2")], seed=0, connection=1)
    frames = [raw(MsgType.ACK), raw(MsgType.TEXT), raw(MsgType.ACK), raw(MsgType.ACK)]
    assert run(engine, S2C, frames) == [(2, "drop")]
    assert run(engine, C2S, frames) == [(2, "drop")]  # its own count


def test_combined_rules_make_one_decision() -> None:
    engine = FaultEngine([parse_rule("duplicate"), parse_rule("delay ms=5"),
                          parse_rule("corrupt where=payload byte=1")], seed=0, connection=1)
    frame = raw(MsgType.TEXT, payload=b"abc")
    splitter = FrameSplitter()
    [piece] = splitter.feed(frame)
    decision = engine.decide(C2S, piece.raw, piece.header)
    assert decision.copies == 2 and decision.delay_ms == 5
    assert decision.raw == frame[:-2] + bytes([ord("b") ^ 0xFF]) + b"c"
    dropped = FaultEngine([parse_rule("drop"), parse_rule("duplicate")], 0, 1).decide(
        C2S, piece.raw, piece.header)
    assert dropped.copies == 0  # a duplicate of a dropped frame is still dropped


def test_seeded_random_faults_are_reproducible() -> None:
    rules = [parse_rule("drop prob=0.3"), parse_rule("duplicate prob=0.2 type=TEXT")]
    frames = [raw(MsgType.TEXT, payload=str(i).encode()) for i in range(200)]

    def faults(seed: int, connection: int = 1) -> list[tuple[int, str]]:
        return run(FaultEngine(rules, seed, connection), C2S, frames)

    first = faults(42)
    assert first == faults(42)
    assert first != faults(43)
    assert first != faults(42, connection=2)  # each connection draws its own
    drops = sum(1 for _, action in first if action == "drop")
    assert 30 < drops < 90  # about 30% of 200
