"""The emitters: each module here turns the spec model into some of the generated files.

An emitter module has one function, `emit(model) -> dict[str, str]`, mapping paths relative
to the output root (`python/...`, `openapi/...`, `ts/...`, `vectors/...`) to file contents.
Modules are found by name, so adding an emitter is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from prim.codegen.model import Model

Emitter = Callable[[Model], dict[str, str]]


def all_emitters() -> dict[str, Emitter]:
    found: dict[str, Emitter] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[info.name] = module.emit
    return found
