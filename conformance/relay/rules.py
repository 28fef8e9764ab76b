"""Fault rules: what the relay does to which frames, parsed from the command line or a file.

A rule is an action with filters. On the command line it is one string of words:

    drop dir=s2c type=ACK nth=1          # drop the first Ack the server sends
    duplicate dir=c2s type=TEXT          # send every Text twice
    reorder dir=s2c type=TEXT nth=2      # swap the 2nd Text with the frame after it
    corrupt where=header byte=0 nth=3    # xor byte 0 of the 3rd frame's header
    delay ms=300 prob=0.5                # delay half the frames (seeded), both ways
    cut after=10                         # cut the connection at the 10th frame
    cut at_ms=2000                       # cut it 2 s after it opened

A rule file (TOML or JSON) holds the same keys: `[[rule]] action = "drop" ...` or
`{"rules": [{"action": "drop", ...}]}`. Occurrences (`nth`, `after`) count the frames that
pass the rule's filters, per connection and direction, from 1.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from prim.generated.prim.v1 import MsgType


class Direction(StrEnum):
    CLIENT_TO_SERVER = "c2s"
    SERVER_TO_CLIENT = "s2c"


class Action(StrEnum):
    DROP = "drop"
    DUPLICATE = "duplicate"
    REORDER = "reorder"
    CORRUPT = "corrupt"
    DELAY = "delay"
    CUT = "cut"


class RuleError(ValueError):
    """A rule that cannot be understood; the message says which part."""


@dataclass(frozen=True)
class Rule:
    action: Action
    direction: Direction | None = None  # None: both directions
    types: frozenset[int] = frozenset()  # empty: every type
    nth: frozenset[int] = frozenset()  # occurrences among matching frames; empty: every one
    probability: float = 1.0  # drawn from the relay's seeded generator
    delay_ms: int = 0
    where: str = "header"  # corrupt: "header" or "payload"
    byte: int | None = None  # corrupt: which byte of that part; None: drawn at random
    at_ms: int | None = None  # cut: after this long instead of at a frame

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise RuleError(f"prob must be within 0..1, got {self.probability}")
        if self.action is Action.DELAY and self.delay_ms <= 0:
            raise RuleError("delay needs ms=N (milliseconds, > 0)")
        if self.where not in ("header", "payload"):
            raise RuleError(f"where must be header or payload, got {self.where!r}")
        if self.at_ms is not None and self.action is not Action.CUT:
            raise RuleError("at_ms is only for cut")

    def describe(self) -> str:
        parts = [self.action.value]
        if self.direction is not None:
            parts.append(f"dir={self.direction.value}")
        if self.types:
            parts.append("type=" + ",".join(type_name(t) for t in sorted(self.types)))
        if self.nth:
            parts.append("nth=" + ",".join(str(n) for n in sorted(self.nth)))
        if self.probability < 1.0:
            parts.append(f"prob={self.probability:g}")
        if self.action is Action.DELAY:
            parts.append(f"ms={self.delay_ms}")
        if self.action is Action.CORRUPT:
            parts.append(f"where={self.where}")
            if self.byte is not None:
                parts.append(f"byte={self.byte}")
        if self.at_ms is not None:
            parts.append(f"at_ms={self.at_ms}")
        return " ".join(parts)


def type_name(number: int) -> str:
    try:
        return MsgType(number).name
    except ValueError:
        return str(number)


def _type_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    try:
        return int(MsgType[text.upper().removeprefix("MSG_TYPE_")])
    except KeyError:
        raise RuleError(f"unknown frame type {text!r} (a MsgType name or a number)") from None


def _ints(value: object, key: str) -> frozenset[int]:
    items = value if isinstance(value, list) else str(value).split(",")
    try:
        return frozenset(int(item) for item in items)
    except ValueError:
        raise RuleError(f"{key} takes whole numbers, got {value!r}") from None


def rule_from_mapping(values: Mapping[str, object]) -> Rule:
    """A rule from its keys (a file's table, or the words of a command-line rule)."""
    data = dict(values)
    try:
        action = Action(str(data.pop("action")))
    except KeyError:
        raise RuleError("a rule needs an action") from None
    except ValueError:
        choices = ", ".join(a.value for a in Action)
        raise RuleError(f"unknown action {values['action']!r} (one of {choices})") from None
    kwargs: dict[str, object] = {}
    try:
        if "dir" in data:
            kwargs["direction"] = Direction(str(data.pop("dir")))
        if "type" in data:
            raw = data.pop("type")
            names = raw if isinstance(raw, list) else str(raw).split(",")
            kwargs["types"] = frozenset(_type_number(str(n)) for n in names)
        if "nth" in data:
            kwargs["nth"] = _ints(data.pop("nth"), "nth")
        if "after" in data:  # "cut after=N": the Nth frame is the first one not relayed
            kwargs["nth"] = _ints(data.pop("after"), "after")
        if "prob" in data:
            kwargs["probability"] = float(str(data.pop("prob")))
        if "ms" in data:
            kwargs["delay_ms"] = int(str(data.pop("ms")))
        if "where" in data:
            kwargs["where"] = str(data.pop("where"))
        if "byte" in data:
            kwargs["byte"] = int(str(data.pop("byte")))
        if "at_ms" in data:
            kwargs["at_ms"] = int(str(data.pop("at_ms")))
    except ValueError as exc:
        if isinstance(exc, RuleError):
            raise
        raise RuleError(f"bad value in rule {dict(values)}: {exc}") from None
    if data:
        raise RuleError(f"unknown rule keys: {', '.join(sorted(data))}")
    return Rule(action, **kwargs)  # type: ignore[arg-type]


def parse_rule(text: str) -> Rule:
    """A rule from its command-line form: an action, then key=value words."""
    words = text.split()
    if not words:
        raise RuleError("empty rule")
    values: dict[str, object] = {"action": words[0]}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep:
            raise RuleError(f"expected key=value, got {word!r}")
        values[key] = value
    return rule_from_mapping(values)


def load_rule_file(path: Path) -> list[Rule]:
    """Rules from a TOML (`[[rule]]` tables) or JSON (`{"rules": [...]}` or a list) file."""
    text = path.read_text()
    data: object
    data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    if isinstance(data, dict):
        data = data.get("rule", data.get("rules", []))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise RuleError(f"{path}: expected a list of rule tables")
    return [rule_from_mapping(item) for item in data]


def parse_rules(texts: Iterable[str]) -> list[Rule]:
    return [parse_rule(text) for text in texts]
