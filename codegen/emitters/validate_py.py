"""Emits python/validate.py: one validator per request message that checks its fields'
(prim.v1.rules) and (google.api.field_behavior) = REQUIRED (set to a non-default value, as
AIP-203 says), trimming text fields in place, and `validate(message, caller)` that picks
it by type. Copies python/checks.py, the checks the validators call (py_runtime/checks.py).
The HTTP binding runs `validate` before every handler; what needs the database stays in
the services."""

from __future__ import annotations

import keyword
from pathlib import Path
from typing import cast

from prim.codegen.emitters._python_refs import class_ref
from prim.codegen.emitters._validation import (
    Step,
    grouped,
    has_rule,
    nested,
    plan,
    validated_messages,
)
from prim.codegen.model import Field, Message_, Model, to_snake

RUNTIME = Path(__file__).parent / "py_runtime" / "checks.py"


def emit(model: Model) -> dict[str, str]:
    messages = validated_messages(model)
    if not messages or model.header_message() is None:
        return {}
    note = ("# Copied from codegen/emitters/py_runtime/checks.py by `make gen`; do not edit "
            "(edit that file).\n")
    return {"python/validate.py": _render(model, messages),
            "python/checks.py": note + RUNTIME.read_text()}


def function_name(msg: Message_) -> str:
    return f"validate_{to_snake(msg.name)}"


def _attr(f: Field) -> str:
    return f"m.{f.name}_" if keyword.iskeyword(f.name) else f"m.{f.name}"


def _str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _step(step: Step, f: Field, value: str, label: str) -> str:
    """One check as Python; `value` is what it reads (`v`, or the item `x`)."""
    a = step.args
    if step.check == "text":
        trim = f"c.text(x, p, lines={a[0]})"
        return (f"{_attr(f)} = v = [{trim} for x in v]" if f.repeated
                else f"{_attr(f)} = v = {trim.replace('(x,', '(v,')}")
    if step.check == "id":
        extra = f", caller=caller, not_caller={_str(str(a[2]))}" if a[2] else ""
        return f'c.id_of(v, p, "{a[0]}", required={a[1]}{extra})'
    if step.check == "required_message":
        return "c.required(v is not None, p)"
    if step.check.startswith("required_"):
        return "c.required(bool(v), p)"
    if step.check == "nested":
        call = function_name(cast(Message_, a[0]))
        return (f"for x in v:\n    {call}(x, caller, p)" if step.each
                else f"if v is not None:\n    {call}(v, caller, p)")
    if step.check == "one_of":
        numbers = ", ".join(str(n) for n in cast(tuple[int, ...], a[0]))
        names = ", ".join(_str(n) for n in cast(tuple[str, ...], a[1]))
        return f"c.one_of(v, p, ({numbers},), ({names},))"
    if step.check == "pattern":
        return f"if {value}:\n    c.pattern({value}, p, {_str(str(a[0]))}{label})"
    if step.check == "header_max":
        return f'c.at_most_header(v, p, {a[0]}, "{a[1]}")'
    args = "".join(f", {x}" for x in a)
    if step.check in ("non_blank", "length"):
        return f"c.{step.check}({value}, p{args}{label})"
    return f"c.{step.check}(v, p{args})"  # items, unique, in_range


def _field_checks(model: Model, f: Field, validated: set[str], maxima: set[str]) -> list[str]:
    """The statements that check `f`, its value being `v` (the attribute read once)."""
    steps = plan(model, f, validated)
    if not steps:
        return []
    maxima.update(str(s.args[0]) for s in steps if s.check == "header_max")
    out: list[str] = []
    for loop, run in grouped(steps):
        if loop:
            out.append("for i, x in enumerate(v):")
            out += ["    " + _step(s, f, "x", ', f"{p}[{i}]"').replace("\n", "\n    ")
                    for s in run]
        else:
            out.append(_step(run[0], f, "v", ""))
    body = [f"v = {_attr(f)}", f'p = c.at(where, "{f.name}")', *out]
    if f.optional or f.oneof:
        return [f"if {_attr(f)} is not None:", *("    " + line.replace("\n", "\n    ")
                                                 for line in body)]
    return body


def _render(model: Model, messages: list[Message_]) -> str:
    imports: dict[str, set[str]] = {}
    validated = {m.full_name for m in messages}
    maxima: set[str] = set()
    functions: list[str] = []
    for msg in messages:
        cls = class_ref(model, msg.full_name, imports)
        body: list[str] = []
        for f in msg.fields:
            if has_rule(f) or nested(f) in validated:
                body += _field_checks(model, f, validated, maxima)
        functions += [
            "",
            "",
            f"def {function_name(msg)}(m: {cls}, caller: int = 0, where: str = \"\") -> None:",
            *("    " + line.replace("\n", "\n    ") for line in body),
        ]
    out = [
        '"""Request validators: one per request message, checking what the spec\'s',
        "(prim.v1.rules) and (google.api.field_behavior) = REQUIRED say, text fields trimmed in",
        "place; `validate(message, caller)` runs the one of the message's type (caller: the",
        "calling user's id, 0 when none). A broken rule raises checks.RuleViolation. Generated",
        'from the spec by `make gen` (codegen/emitters/validate_py.py): do not edit."""',
        "",
        "# ruff: noqa: E501",
        "from __future__ import annotations",
        "",
        "from collections.abc import Callable",
        "from typing import Any",
        "",
        "import betterproto2",
        "",
        "from prim.generated import checks as c",
    ]
    for module in sorted(imports):
        out.append(f"from {module} import (")
        out += [f"    {name}," for name in sorted(imports[module])]
        out.append(")")
    if maxima:
        out.append(f"from prim.generated.wire import {', '.join(sorted(maxima))}")
    out += functions
    out += [
        "",
        "",
        "VALIDATORS: dict[type[betterproto2.Message], Callable[[Any, int], None]] = {",
        *(f"    {m.name}: {function_name(m)}," for m in messages),
        "}",
        "",
        "",
        "def validate(message: betterproto2.Message, caller: int = 0) -> None:",
        '    """Checks (and trims) `message` if it is a request with rules; RuleViolation',
        '    names the first field that breaks one."""',
        "    check = VALIDATORS.get(type(message))",
        "    if check is not None:",
        "        check(message, caller)",
        "",
    ]
    return "\n".join(out)
