"""References in case strings: `${alice}`, `${alice.phone.token}`, `${m1.seqnum+1}`,
`${now}` (see spec/prim/v1/conformance.proto). A `Scope` holds what a case has learnt so
far (user ids, tokens, saved answers, labelled frames) under flat dotted names."""

from __future__ import annotations

import re
import time
from typing import Any

_REPEAT = re.compile(r"([0-9a-fA-F]+)\*(\d+)")
_NAME = re.compile(r"[A-Za-z_][\w.\-]*")
_REF = re.compile(r"\$\{([A-Za-z_][\w.\-]*?)([+-]\d+)?\}")


class UnknownReference(Exception):
    pass


class Scope:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def set(self, name: str, value: object) -> None:
        self.values[name] = str(value)

    def lookup(self, name: str) -> str:
        if name == "now":
            return str(int(time.time() * 1000))
        try:
            return self.values[name]
        except KeyError:
            known = ", ".join(sorted(self.values)) or "nothing yet"
            raise UnknownReference(f"${{{name}}} is not known here (known: {known})") from None

    def resolve(self, text: str) -> str:
        def one(m: re.Match[str]) -> str:
            value = self.lookup(m.group(1))
            if m.group(2):
                return str(int(value) + int(m.group(2)))
            return value

        return _REF.sub(one, text)

    def number(self, text: str, default: int = 0) -> int:
        """A header value: a reference, a bare name (`bob`, `m1.seqnum`) or a decimal (or
        0x hex); `default` when empty."""
        if not text:
            return default
        if _NAME.fullmatch(text):  # a bare name: `receiver: bob`
            return int(self.lookup(text), 0)
        return int(self.resolve(text), 0)

    def hex_bytes(self, text: str) -> bytes:
        """Hex (spaces allowed) with references; `ab*100` repeats `ab` 100 times."""
        resolved = self.resolve(text).replace(" ", "")
        m = _REPEAT.fullmatch(resolved)
        if m:
            return bytes.fromhex(m.group(1)) * int(m.group(2))
        return bytes.fromhex(resolved)

    def data(self, value: Any) -> Any:
        """JSON data (an HTTP body, a payload) with every string's references resolved."""
        if isinstance(value, str):
            return self.resolve(value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v) for v in value]
        return value
