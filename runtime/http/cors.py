"""CORS: which browser origins may call the API, and the headers that tell browsers so.

Tokens travel in the Authorization header, never in cookies, so credentials are not
allowed and "*" is safe to configure for public deployments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Headers = list[tuple[bytes, bytes]]

ALLOWED_REQUEST_HEADERS = ("authorization", "content-type")


@dataclass(frozen=True)
class CorsPolicy:
    origins: frozenset[str] = frozenset()  # exact origins, or "*" for any
    max_age: int = 600  # seconds a browser may cache a preflight answer

    @classmethod
    def of(cls, origins: Iterable[str], max_age: int = 600) -> CorsPolicy:
        return cls(frozenset(o.rstrip("/") for o in origins), max_age)

    def allows(self, origin: str) -> bool:
        return bool(origin) and ("*" in self.origins or origin in self.origins)

    def _allow_origin(self, origin: str) -> Headers:
        if "*" in self.origins:
            return [(b"access-control-allow-origin", b"*")]
        return [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin")]

    def response_headers(self, origin: str) -> Headers:
        """Headers for an actual (non-preflight) response to `origin`."""
        if not self.allows(origin):
            return []
        return self._allow_origin(origin)

    def preflight_headers(self, origin: str, verbs: Sequence[str]) -> Headers:
        """Headers answering an OPTIONS preflight for a path that accepts `verbs`."""
        if not self.allows(origin):
            return []
        return [
            *self._allow_origin(origin),
            (b"access-control-allow-methods", ", ".join(verbs).encode("ascii")),
            (b"access-control-allow-headers", ", ".join(ALLOWED_REQUEST_HEADERS).encode()),
            (b"access-control-max-age", str(self.max_age).encode("ascii")),
        ]
