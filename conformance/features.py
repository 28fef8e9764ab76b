"""The client features and server capabilities a case needs: what it declares, plus what
its steps imply (a raw byte string needs "raw_bytes", a chosen header field needs
"explicit_header", ...). The names are listed in conformance/README.md."""

from __future__ import annotations

import betterproto2

from prim.generated.prim.v1 import CaseAuth, ConformanceCase, ConnectStep, MsgType, SendStep
from prim.generated.wire import MSG_TYPE_INFO, MsgCategory

# Types a client library sends on its own behalf or for a feature of its own; every content
# type but text (the spec's CONTENT category) needs "content_types".
_TYPE_FEATURES = {MsgType.AUTH: "explicit_auth", MsgType.PING: "ping", MsgType.ECHO: "echo",
                  MsgType.TYPING: "typing", MsgType.READ_RECEIPT: "read_receipt",
                  **{MsgType(type_): "content_types" for type_, info in MSG_TYPE_INFO.items()
                     if info.category == MsgCategory.CONTENT and type_ != MsgType.TEXT}}
# What a typical client library sends: text, edits and withdrawals by their author.
_LIBRARY_TYPES = frozenset({MsgType.TEXT, MsgType.EDIT, MsgType.WITHDRAW,
                            *_TYPE_FEATURES})
FEATURES = ("raw_bytes", "explicit_header", "explicit_auth", "ping", "echo", "typing",
            "read_receipt", "content_types", "tcp", "fallback", "extension", "stop_reading")


def _send_features(send: SendStep) -> set[str]:
    out: set[str] = set()
    if send.raw_hex:
        return {"raw_bytes"}
    if (send.sender or send.timestamp or send.seqnum or send.node_id or send.version
            or send.payload_hex or send.type not in _LIBRARY_TYPES):
        out.add("explicit_header")
    if send.extension_hex:
        out.add("extension")
    if send.type in _TYPE_FEATURES:
        out.add(_TYPE_FEATURES[send.type])
    return out


def client_features(case: ConformanceCase) -> set[str]:
    needed = set(case.requires)
    for step in case.steps:
        kind, action = betterproto2.which_one_of(step, "action")
        if kind == "send":
            assert isinstance(action, SendStep)
            needed |= _send_features(action)
        elif kind == "connect":
            assert isinstance(action, ConnectStep)
            if action.auth == CaseAuth.NONE:
                needed.add("explicit_auth")
            if action.block_quic:
                needed.add("fallback")
            if action.transport == 2:  # CaseTransport.TCP
                needed.add("tcp")
        elif kind == "stop_reading":
            needed.add("stop_reading")
    return needed


def server_capabilities(case: ConformanceCase) -> set[str]:
    needed = set(case.server_requires)
    if case.server_config:
        needed.add("config")
    if any(betterproto2.which_one_of(s, "action")[0] == "restart" for s in case.steps):
        needed.add("restart")
    return needed


def exclusive(case: ConformanceCase) -> bool:
    """Whether the case must run alone on its server: it says so, it restarts the server
    (every connection of every other case would drop), or it lowers a per-IP limit (the
    runner's connections and sign-ups all come from one address, so other cases would
    count against it)."""
    return case.exclusive or _per_ip(case) or "restart" in server_capabilities(case)


def restarts_only(case: ConformanceCase) -> bool:
    """Exclusive only for its restarts: it may run beside other such cases, sharing each
    restart with them (every case of the batch expects its connections to drop)."""
    return "restart" in server_capabilities(case) and not (case.exclusive or _per_ip(case))


def _per_ip(case: ConformanceCase) -> bool:
    return any("_per_ip" in key for key in case.server_config)
