"""Finds the route of a request in the generated table: by the raw (percent-encoded) path, so
that an encoded "/" inside a variable cannot change which segments the template sees.

When several templates match (`/v1/users/me` and `/v1/users/{user_id}`), the one with more
literal text wins, whatever the order of the spec. HEAD takes the GET route of its path
(RFC 9110 9.3.2: the same header fields, no content)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from prim.generated.routes import Route

_VARIABLE = re.compile(r"\{[^}]*\}")


class BadPathValue(Exception):
    """A path variable is not valid percent-encoded UTF-8."""

    def __init__(self, param: str) -> None:
        super().__init__(param)
        self.param = param


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    values: dict[str, str]  # path parameter name -> decoded text


class Router:
    def __init__(self, routes: Sequence[Route]) -> None:
        # Stable sort: most literal text first, spec order among equals.
        self._routes = sorted(routes, key=lambda r: -len(_VARIABLE.sub("", r.path)))

    @property
    def routes(self) -> Sequence[Route]:
        return self._routes

    def match(self, verb: str, raw_path: str) -> RouteMatch | None:
        if verb == "HEAD":
            verb = "GET"
        for route in self._routes:
            if route.verb != verb:
                continue
            m = route.pattern.match(raw_path)
            if m is not None:
                return RouteMatch(route, {k: _decode(k, v) for k, v in m.groupdict().items()})
        return None

    def allowed(self, raw_path: str) -> list[str]:
        """The verbs some route accepts on this path (for 405 and its Allow header)."""
        verbs = {r.verb for r in self._routes if r.pattern.match(raw_path)}
        if "GET" in verbs:
            verbs.add("HEAD")
        return sorted(verbs)


def _decode(param: str, raw: str) -> str:
    # Segment by segment: a `**` variable keeps its "/" separators, and "%2F" inside a
    # segment decodes to a "/" that is part of the value.
    try:
        return "/".join(unquote(seg, errors="strict") for seg in raw.split("/"))
    except UnicodeDecodeError:
        raise BadPathValue(param) from None
