# Copied from codegen/emitters/py_runtime/checks.py by `make gen`; do not edit (edit that file).
"""The checks the generated request validators (validate.py) are made of, one per kind of
(prim.v1.rules) rule. Each failure is a RuleViolation naming the field by its proto path and
saying what a valid value looks like; codegen/emitters/ts_runtime/checks.ts words every
message the same way, so a client refuses a field with the server's words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from prim.generated.constants import GROUP_ID_BASE
from prim.generated.wire import MAX_RECEIVER

# What JavaScript's String.prototype.trim removes (WhiteSpace and LineTerminator), so both
# languages trim the same characters (Python's str.strip() would also take U+001C..U+001F
# and U+0085, and leave U+FEFF).
_SPACE = ("\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
          "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")
_CONTROL = frozenset({"Cc", "Cs"})

# What a required id of each kind is, for the message that it is missing.
_ID_WANTED = {
    "USER": "the id of a user",
    "GROUP": "the id of a group",
    "PEER": "another user's id, a group id, or your own id for your notifications",
}


class RuleViolation(ValueError):
    """A request field breaks its (prim.v1.rules); `field` is its proto path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def at(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def required(present: bool, field: str) -> None:
    if not present:
        raise RuleViolation(field, f"{field} is required")


def id_of(value: int, field: str, kind: str, *, required: bool, caller: int = 0,
          not_caller: str = "") -> None:
    """A user id is 1 .. GROUP_ID_BASE - 1, a group id GROUP_ID_BASE .. MAX_RECEIVER (the
    header's receiver field), a peer either; 0 is the field left out."""
    if value == 0:
        if required:
            raise RuleViolation(field, f"{field} is required: {_ID_WANTED[kind]}")
        return
    users = f"1 to {GROUP_ID_BASE - 1}"
    groups = f"{GROUP_ID_BASE} to {MAX_RECEIVER}"
    if value > MAX_RECEIVER:
        what = {"USER": f"user ids are {users}", "GROUP": f"group ids are {groups}",
                "PEER": f"ids end at {MAX_RECEIVER}"}[kind]
        raise RuleViolation(field, f"{field} is no id ({what})")
    if kind == "USER" and value >= GROUP_ID_BASE:
        raise RuleViolation(field, f"{field} is a group id; give a user id ({users})")
    if kind == "GROUP" and value < GROUP_ID_BASE:
        raise RuleViolation(field, f"{field} is a user id; give a group id ({groups})")
    if not_caller and caller and value == caller:
        raise RuleViolation(field, f"{field} is your own id; {not_caller}")


def at_most_header(value: int, field: str, limit: int, header_field: str) -> None:
    if value > limit:
        raise RuleViolation(field, f"{field} is {value}; at most {limit} is allowed (the "
                                   f"largest the header's {header_field} holds)")


def in_range(value: int, field: str, minimum: int | None, maximum: int | None) -> None:
    """0 is the field left out (proto3): the minimum does not refuse it (REQUIRED does)."""
    if maximum is not None and value > maximum:
        raise RuleViolation(field, f"{field} is {value}; at most {maximum} is allowed")
    if value and minimum is not None and value < minimum:
        raise RuleViolation(field, f"{field} is {value}; at least {minimum} is needed")


def one_of(value: int, field: str, allowed: Sequence[int], names: Sequence[str]) -> None:
    if int(value) not in allowed:
        raise RuleViolation(field, f"{field} must be one of {', '.join(names)}")


def text(value: str, field: str, *, lines: bool) -> str:
    """`value` without surrounding white space, if it has no control characters (but line
    breaks, where `lines`)."""
    trimmed = value.strip(_SPACE)
    allowed = "\n" if lines else ""
    if any(unicodedata.category(ch) in _CONTROL and ch not in allowed for ch in trimmed):
        what = "control characters other than line breaks" if lines else "control characters"
        raise RuleViolation(field, f"{field} may not contain {what}; remove them")
    return trimmed


def non_blank(value: str, field: str, label: str = "") -> None:
    """A required trimmed text field (or one with min_length 1); `label` names an item of a
    repeated field in the message ("tags[2]")."""
    if not value:
        raise RuleViolation(field, f"{label or field} may not be empty or only white space")


def length(value: str, field: str, minimum: int, maximum: int, label: str = "") -> None:
    """Lengths count code points; `maximum` 0 is no limit."""
    label = label or field
    if len(value) < minimum:
        raise RuleViolation(field, f"{label} must have at least {minimum} character(s); it "
                                   f"has {len(value)}")
    if maximum and len(value) > maximum:
        raise RuleViolation(field, f"{label} has {len(value)} characters; at most {maximum} "
                                   "are allowed")


def items(values: Sequence[object], field: str, maximum: int) -> None:
    if len(values) > maximum:
        raise RuleViolation(field, f"{field} has {len(values)} items; at most {maximum} are "
                                   "allowed")


def unique(values: Sequence[object], field: str) -> None:
    if len(set(values)) != len(values):
        raise RuleViolation(field, f"{field} repeats an item; give each one once")


def pattern(value: str, field: str, regex: str, label: str = "") -> None:
    if re.search(regex, value) is None:
        raise RuleViolation(field, f"{label or field} does not have the form {regex}")
