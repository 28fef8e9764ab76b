"""Emits the TypeScript SDK sources under ts/: header.ts (wire header codec), payloads.ts
(schemas of the frame payloads), types.ts (proto3 JSON types), client.ts (fetch-based HTTP
client, over http.ts: the hand-written fetch transport in ts_runtime/http.ts, copied) and
index.ts (re-exports).
clients/ts compiles them with `tsc --strict`.

index.ts has one subtlety: header.ts and types.ts both define some names (`Header`, the
numeric `MsgType` table versus the JSON union of value names, `MsgTypeInfo` ...). The
codec is therefore re-exported whole as the namespace `wire`, and its names that do not
collide with a types.ts name are also re-exported at the top level.
"""

from __future__ import annotations

import re

from prim.codegen.emitters import (
    _ts_client,
    _ts_header,
    _ts_payloads,
    _ts_types,
    _ts_validate,
    constants,
)
from prim.codegen.emitters._header_layout import header_layout
from prim.codegen.emitters._ts_common import GENERATED_NOTE
from prim.codegen.model import Model

_EXPORT = re.compile(
    r"^export (?:declare )?(?:const|function|class|interface|type|enum) ([A-Za-z_$][\w$]*)",
    re.MULTILINE,
)
_TYPE_ONLY = re.compile(r"^export (?:interface|type) ([A-Za-z_$][\w$]*)", re.MULTILINE)


def emit(model: Model) -> dict[str, str]:
    files = {
        "ts/types.ts": _ts_types.render(model),
        "ts/client.ts": _ts_client.render(model),
        "ts/http.ts": _ts_client.runtime(),
    }
    layout = header_layout(model)
    if layout is not None:
        files["ts/header.ts"] = _ts_header.render(model, layout)
        files["ts/payloads.ts"] = _ts_payloads.render(model)
    validators = _ts_validate.render(model)
    if validators is not None:
        files["ts/validate.ts"] = validators
        files["ts/checks.ts"] = _ts_validate.runtime()
    files["ts/index.ts"] = _index({**files, **{k: v for k, v in constants.emit(model).items()
                                                if k.startswith("ts/")}})
    return files


def exported_names(source: str) -> list[str]:
    """The names a generated module exports (they are all declared `export <kind> Name`);
    a const and a type of the same name count once."""
    return sorted(set(_EXPORT.findall(source)))


def _index(files: dict[str, str]) -> str:
    out = [
        "/**",
        " * The PRIM TypeScript SDK: the HTTP client, the JSON types of the API, and the wire",
        " * header codec (also as the namespace `wire`, whose names such as `wire.MsgType` and",
        " * `wire.Header` would otherwise collide with the JSON types of the same name).",
        " *",
        f" * {GENERATED_NOTE.format(emitter='codegen/emitters/ts.py')}",
        " */",
        "",
        'export * from "./types.js";',
        'export * from "./client.js";',
    ]
    if "ts/constants.ts" in files:
        out.append('export * from "./constants.js";')
    if "ts/validate.ts" in files:
        out.append('export * from "./validate.js";')
    header = files.get("ts/header.ts")
    if header is not None:
        taken = set(exported_names(files["ts/types.ts"])) | set(
            exported_names(files["ts/client.ts"])
        )
        type_only = set(_TYPE_ONLY.findall(header)) - set(
            re.findall(r"^export (?:const|function|class) ([\w$]+)", header, re.MULTILINE)
        )
        free = [n for n in exported_names(header) if n not in taken]
        values = [n for n in free if n not in type_only]
        types = [n for n in free if n in type_only]
        out.append('export * as wire from "./header.js";')
        out.append('export * from "./payloads.js";')
        if values:
            out.append("export {")
            out += [f"  {n}," for n in values]
            out.append('} from "./header.js";')
        if types:
            out.append("export type {")
            out += [f"  {n}," for n in types]
            out.append('} from "./header.js";')
    return "\n".join(out) + "\n"
