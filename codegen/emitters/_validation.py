"""Which messages get a generated request validator, shared by the Python (validate_py.py)
and TypeScript (_ts_validate.py) emitters so that both languages check the same fields:
every request of an HTTP method whose fields (or nested messages' fields) carry a rule."""

from __future__ import annotations

from dataclasses import dataclass

from prim.codegen.emitters._openapi_http import HTTP_BODY
from prim.codegen.model import INTEGER_KINDS, Field, Message_, Model


def has_rule(f: Field) -> bool:
    """Whether the validator checks `f` itself (nested messages aside)."""
    return bool(f.required or f.min_length or f.max_length or f.max_items
                or f.minimum is not None or f.maximum is not None or f.enum_in or f.pattern
                or f.id_kind or f.text_form or f.header_max or f.unique)


def nested(f: Field) -> str:
    """The message type a field holds, when the validator descends into it ("" if none)."""
    if f.kind == "message" and not f.is_map and f.type_name != HTTP_BODY:
        return f.type_name
    return ""


def validated_messages(model: Model) -> list[Message_]:
    """The messages with a validator, sorted by full name: HTTP requests and the messages
    inside them that have a rule somewhere below."""
    memo: dict[str, bool] = {}

    def checked(name: str) -> bool:
        if name not in memo:
            memo[name] = False  # a cycle adds nothing
            msg = model.message(name)
            # Every nested message is visited (no short cut): each gets its own answer.
            below = [checked(nested(f)) for f in msg.fields if nested(f)]
            memo[name] = any(below) or any(has_rule(f) for f in msg.fields)
        return memo[name]

    for svc in model.services:
        for m in svc.methods:
            if m.http:
                checked(m.input_type)
    return [model.message(n) for n in sorted(n for n, yes in memo.items() if yes)]


def header_max_constant(f: Field) -> str:
    """The generated name of the largest value of the header field `f.header_max` names
    (wire.py and header.ts both call it MAX_<FIELD>)."""
    return f"MAX_{f.header_max.upper()}"


@dataclass(frozen=True)
class Step:
    """One check of a field, in the order both languages run them. `check` names the
    function of checks.py / checks.ts (or "required_*" / "nested", which the renderers
    spell out); `each`: applied to every item of a repeated field."""

    check: str
    args: tuple[object, ...] = ()
    each: bool = False


def plan(model: Model, f: Field, validated: set[str]) -> list[Step]:
    """What the validators check of `f`, in order: the text form (trimming), the id kind or
    REQUIRED, item counts, lengths, pattern, uniqueness, ranges, enum values, nested
    messages. Empty when `f` has no rule."""
    steps: list[Step] = []
    text = f.kind == "string" and bool(f.text_form)
    if text:
        steps.append(Step("text", (f.text_form == "LINES",)))
    if f.id_kind:
        # A proto3 `optional` id that is present was given: 0 is no id then.
        steps.append(Step("id", (f.id_kind, f.required or f.optional, f.not_caller)))
    elif f.required and not f.enum_in:  # enum_in says whether 0 is accepted
        if text and not f.repeated:
            steps.append(Step("non_blank"))
        elif f.kind == "message" and not f.repeated:
            steps.append(Step("required_message"))
        elif f.repeated:
            steps.append(Step("required_items"))
        else:
            steps.append(Step(f"required_{'int' if f.kind in INTEGER_KINDS else f.kind}"))
    if f.max_items:
        steps.append(Step("items", (f.max_items,)))
    if f.kind == "string":
        low = f.min_length
        if text and low >= 1 and not (f.required and not f.repeated):
            steps.append(Step("non_blank", each=f.repeated))
        if text and low == 1:
            low = 0  # said by non_blank, in better words
        if low or f.max_length:
            steps.append(Step("length", (low, f.max_length), each=f.repeated))
        if f.pattern:
            steps.append(Step("pattern", (f.pattern,), each=f.repeated))
    if f.unique:
        steps.append(Step("unique"))
    if f.header_max:
        steps.append(Step("header_max", (header_max_constant(f), f.header_max)))
    if f.kind in INTEGER_KINDS and (f.minimum is not None or f.maximum is not None):
        steps.append(Step("in_range", (f.minimum, f.maximum)))
    if f.enum_in:
        numbers = {v.name: v.number for v in model.enum(f.type_name).values}
        steps.append(Step("one_of", (tuple(numbers[n] for n in f.enum_in), f.enum_in)))
    if nested(f) in validated:
        steps.append(Step("nested", (model.message(nested(f)),), each=f.repeated))
    return steps


def grouped(steps: list[Step]) -> list[tuple[bool, list[Step]]]:
    """The steps in runs: (True, steps) for consecutive per-item checks, which the
    renderers put in one loop over the items; (False, [step]) for each other step."""
    out: list[tuple[bool, list[Step]]] = []
    for step in steps:
        loop = step.each and step.check != "nested"
        if loop and out and out[-1][0]:
            out[-1][1].append(step)
        else:
            out.append((loop, [step]))
    return out
