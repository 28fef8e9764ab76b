"""Renders ts/validate.ts (one validator per request message, the twin of validate_py.py's
Python ones: same fields, same checks, same order, same messages through checks.ts) and
copies ts/checks.ts from ts_runtime/checks.ts. The generated client runs the validator of
each request before sending it. TypeScript checks only: the server trims the text."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from prim.codegen.emitters._ts_common import GENERATED_NOTE, json_name, ts_string
from prim.codegen.emitters._validation import (
    Step,
    grouped,
    has_rule,
    nested,
    plan,
    validated_messages,
)
from prim.codegen.model import INTEGER_KINDS, Field, Message_, Model

RUNTIME = Path(__file__).parent / "ts_runtime" / "checks.ts"


def runtime() -> str:
    note = ("// Copied from codegen/emitters/ts_runtime/checks.ts by `make gen`; do not edit "
            "(edit that file).\n")
    return note + RUNTIME.read_text()


def function_name(msg: Message_) -> str:
    return f"validate{msg.name}"


def _zero(model: Model, f: Field) -> str:
    """The TypeScript value a left-out (undefined) field stands for."""
    if f.repeated:
        return "[]"
    if f.kind == "enum":
        zero = next(v.name for v in model.enum(f.type_name).values if v.number == 0)
        return ts_string(zero)
    if f.kind in INTEGER_KINDS:
        return "0"
    return '""'


def _step(model: Model, step: Step, f: Field, value: str, label: str) -> str:
    """One check as TypeScript; `value` is what it reads (`v` or `t`, or the item `x`)."""
    a = step.args
    if step.check == "text":
        lines = "true" if a[0] else "false"
        return (f"const t = v.map((x) => c.text(x, p, {lines}));" if f.repeated
                else f"const t = c.text(v, p, {lines});")
    if step.check == "id":
        extra = f", caller, {ts_string(str(a[2]))}" if a[2] else ""
        return (f"c.idOf({value}, p, {ts_string(str(a[0]))}, "
                f"{'true' if a[1] else 'false'}{extra});")
    required = {
        "required_message": f"{value} !== undefined",
        "required_items": f"{value}.length > 0",
        "required_int": f"c.int({value}) !== 0n",
        "required_enum": f"{value} !== {_zero(model, f)}",
    }
    if step.check.startswith("required_"):
        return f"c.required({required.get(step.check, f'Boolean({value})')}, p);"
    if step.check == "nested":
        call = function_name(cast(Message_, a[0]))
        return (f"for (const x of {value}) {call}(x, caller, p);" if step.each
                else f"if ({value} !== undefined) {call}({value}, caller, p);")
    if step.check == "one_of":
        names = ", ".join(ts_string(n) for n in cast(tuple[str, ...], a[1]))
        return f"c.oneOf({value}, p, [{names}]);"
    if step.check == "pattern":
        return f"if ({value}) c.pattern({value}, p, {ts_string(str(a[0]))}{label});"
    if step.check == "header_max":
        return f"c.atMostHeader({value}, p, {a[0]}, {ts_string(str(a[1]))});"
    if step.check == "in_range":
        bounds = ", ".join("null" if x is None else str(x) for x in a)
        return f"c.inRange({value}, p, {bounds});"
    names_ts = {"non_blank": "nonBlank"}
    args = "".join(f", {x}" for x in a)
    return f"c.{names_ts.get(step.check, step.check)}({value}, p{args}{label});"


def _field_checks(model: Model, f: Field, validated: set[str], maxima: set[str]) -> list[str]:
    """The statements that check `f`: its value is `v`, trimmed into `t` for text."""
    steps = plan(model, f, validated)
    if not steps:
        return []
    value = f"m.{json_name(f)}"
    t = "t" if steps[0].check == "text" else "v"
    maxima.update(str(s.args[0]) for s in steps if s.check == "header_max")
    out: list[str] = []
    for loop, run in grouped(steps):
        if loop:
            out.append(f"{t}.forEach((x, i) => {{")
            out += ["  " + _step(model, s, f, "x", ", `${p}[${i}]`") for s in run]
            out.append("});")
        else:
            out.append(_step(model, run[0], f, "v" if run[0].check == "text" else t, ""))
    if len(steps) == 1 and t == "t":  # only the text form: nothing reads the trimmed value
        out = [out[0].removeprefix("const t = ")]
    optional = f.optional or bool(f.oneof)
    read = value if optional or (nested(f) and not f.repeated) else f"{value} ?? {_zero(model, f)}"
    body = [f"const v = {read};", f"const p = c.at(where, {ts_string(f.name)});", *out]
    if optional:
        return [f"if ({value} !== undefined) {{", *("  " + line for line in body), "}"]
    return ["{", *("  " + line for line in body), "}"]


def render(model: Model) -> str | None:
    messages = validated_messages(model)
    if not messages or model.header_message() is None:
        return None
    validated = {m.full_name for m in messages}
    maxima: set[str] = set()
    functions: list[str] = []
    for msg in messages:
        body: list[str] = []
        for f in msg.fields:
            if has_rule(f) or nested(f) in validated:
                body += _field_checks(model, f, validated, maxima)
        uses_caller = any("caller" in line for line in body)
        functions += [
            "",
            f"export function {function_name(msg)}(",
            f"  m: T.{msg.name},",
            f"  {'' if uses_caller else '_'}caller?: string,",
            '  where = "",',
            "): void {",
            *("  " + line for line in body),
            "}",
        ]
    out = [
        "/**",
        " * Request validators: one per request message, checking what the spec's",
        " * (prim.v1.rules) and (google.api.field_behavior) = REQUIRED say, as the server's",
        " * generated Python validators do (caller: the signed-in user's id, if known). A",
        " * broken rule throws PrimApiError 400 INVALID_ARGUMENT naming the field.",
        " *",
        f" * {GENERATED_NOTE.format(emitter='codegen/emitters/_ts_validate.py')}",
        " */",
        "",
        'import * as c from "./checks.js";',
    ]
    if maxima:
        out.append(f"import {{ {', '.join(sorted(maxima))} }} from \"./header.js\";")
    out.append('import type * as T from "./types.js";')
    out += functions
    out += [
        "",
        "/** The validator of each request message, by full name. */",
        "// biome-ignore lint/suspicious/noExplicitAny: each takes its own message type",
        "export const VALIDATORS: Record<string, (m: any, caller?: string) => void> = {",
        *(f"  {ts_string(m.full_name)}: {function_name(m)}," for m in messages),
        "};",
        "",
    ]
    return "\n".join(out)
