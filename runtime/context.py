"""Who is calling and how: the CallContext every service interface method receives.

Transports (the HTTP binding, the wire gateway, internal RPC) build it; services read it and
never look at transport objects, so one implementation serves every transport."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from prim.runtime.body_stream import Streams


def _no_headers() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Principal:
    """What an access token stands for: the answer of an authenticator."""

    user_id: int
    device_id: str = ""


@dataclass(frozen=True)
class CallContext:
    user_id: int = 0  # the authenticated user; 0 when the call is anonymous
    device_id: str = ""  # the session (device) the token belongs to
    access_token: str = ""  # the bearer token the call was made with ("" when none)
    remote_address: str = ""  # "host:port" of the peer, when the transport knows it
    # Request headers, names lower-cased, repeated headers joined with ", ".
    headers: Mapping[str, str] = field(default_factory=_no_headers, hash=False)
    content_type: str = ""  # of the raw request body (google.api.HttpBody uploads)
    # The streamed raw body and answer of an HttpBody route, when the transport streams.
    streams: Streams | None = field(default=None, hash=False, compare=False)

    @property
    def authenticated(self) -> bool:
        return self.user_id != 0
