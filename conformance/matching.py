"""Matching arrived frames against a case's `FrameMatcher`s, and describing frames in
failure reports. Payloads are decoded by the type's `payload` kind from wire.proto."""

from __future__ import annotations

from typing import Any

import betterproto2

from prim.generated.prim import v1 as messages
from prim.generated.prim.v1 import ErrorCode, FrameMatcher, MsgType, ObservedFrame
from prim.generated.wire import MSG_TYPE_INFO, PayloadKind

from .refs import Scope, UnknownReference

_ERROR_TYPES = frozenset({MsgType.ERROR, MsgType.BE_OFFLINE, MsgType.INTERNAL_ERROR})


def type_name(value: int) -> str:
    try:
        return MsgType(value).name
    except ValueError:
        return f"type {value}"


def payload_class(msg_type: int) -> type[betterproto2.Message] | None:
    info = MSG_TYPE_INFO.get(msg_type)
    if info is None or info.payload != PayloadKind.MESSAGE or not info.payload_message:
        return None
    cls: type[betterproto2.Message] = getattr(messages, info.payload_message.split(".")[-1])
    return cls


def decode_payload(frame: ObservedFrame) -> dict[str, Any] | str | None:
    """The payload as proto3 JSON (message payloads), text (UTF-8 kinds), or None."""
    cls = payload_class(frame.type)
    if cls is not None:
        try:
            decoded: dict[str, Any] = cls.parse(frame.payload).to_dict()
            return decoded
        except Exception:  # a server sending garbage is a finding, not a runner crash
            return None
    info = MSG_TYPE_INFO.get(frame.type)
    if info is not None and info.payload == PayloadKind.UTF8:
        try:
            return frame.payload.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def describe(frame: ObservedFrame) -> str:
    parts = [type_name(frame.type), f"sender={frame.sender}", f"receiver={frame.receiver}",
             f"seqnum={frame.seqnum}", f"timestamp={frame.timestamp}"]
    decoded = decode_payload(frame)
    if isinstance(decoded, dict):
        parts.append(f"payload={decoded}")
    elif isinstance(decoded, str):
        parts.append(f"text={decoded[:80]!r}")
    elif frame.payload:
        parts.append(f"payload=0x{frame.payload[:40].hex()}")
    if frame.extension:
        parts.append(f"extension=0x{frame.extension.hex()}")
    if frame.from_history:
        parts.append("(from history)")
    return " ".join(parts)


def describe_matcher(m: FrameMatcher, scope: Scope | None = None) -> str:
    """The matcher as a line, with its references resolved where they are known."""

    def shown(text: str) -> str:
        if scope is None:
            return text
        try:
            return scope.resolve(text)
        except UnknownReference:
            return text

    parts = [type_name(m.type) if m.type else "any frame"]
    for name in ("sender", "receiver", "seqnum", "timestamp", "seqnum_above", "text",
                 "payload_hex", "extension_hex"):
        value = getattr(m, name)
        if value is not None and (value or name.endswith("hex")):
            parts.append(f"{name}={shown(value)[:80]}")
    if m.code:
        parts.append(f"code={ErrorCode(m.code).name}")
    if m.fields is not None:
        parts.append(f"fields={shown(str(m.fields.to_dict()))}")
    if m.from_history:
        parts.append("from history")
    return " ".join(parts)


def mismatch(m: FrameMatcher, frame: ObservedFrame, scope: Scope) -> str | None:
    """Why `frame` does not match `m` (None: it matches)."""
    if m.type and frame.type != m.type:
        return f"type {type_name(frame.type)} is not {type_name(m.type)}"
    for name in ("sender", "receiver", "seqnum", "timestamp"):
        text = getattr(m, name)
        if text and getattr(frame, name) != scope.number(text):
            return f"{name} {getattr(frame, name)} is not {scope.resolve(text)}"
    if m.seqnum_above and frame.seqnum <= scope.number(m.seqnum_above):
        return f"seqnum {frame.seqnum} is not above {scope.resolve(m.seqnum_above)}"
    if m.from_history and not frame.from_history:
        return "it arrived live, not from history"
    if m.code:
        if frame.type not in _ERROR_TYPES:
            return f"{type_name(frame.type)} carries no error code"
        try:
            code = messages.Error.parse(frame.payload).code
        except Exception:
            return "its Error payload does not decode"
        if code != m.code:
            return f"code {_code_name(code)} is not {_code_name(m.code)}"
    if m.text is not None:
        want = scope.resolve(m.text)
        if frame.payload != want.encode("utf-8"):
            return f"payload {frame.payload[:80]!r} is not {want!r}"
    if m.payload_hex is not None and frame.payload != scope.hex_bytes(m.payload_hex):
        return f"payload 0x{frame.payload[:40].hex()} ({len(frame.payload)} bytes) is not " \
               f"0x{m.payload_hex[:80]}"
    if m.extension_hex is not None and frame.extension != scope.hex_bytes(m.extension_hex):
        return f"extension 0x{frame.extension.hex()} is not 0x{m.extension_hex}"
    if m.fields is not None:
        decoded = decode_payload(frame)
        if not isinstance(decoded, dict):
            return "its payload is not a decodable message"
        reason = subset_mismatch(scope.data(m.fields.to_dict()), decoded, "payload")
        if reason:
            return reason
    return None


def _code_name(code: int) -> str:
    try:
        return ErrorCode(code).name
    except ValueError:
        return str(code)


def subset_mismatch(expected: Any, actual: Any, where: str) -> str | None:
    """Why `actual` (proto3 JSON) does not hold `expected` (None: it does). A field proto3
    JSON leaves out is at its default, so an expected default matches an absent field."""
    if isinstance(expected, dict):
        if actual is None:
            actual = {}
        if not isinstance(actual, dict):
            return f"{where} is {actual!r}, not an object"
        for key, want in expected.items():
            reason = subset_mismatch(want, actual.get(key), f"{where}.{key}")
            if reason:
                return reason
        return None
    if isinstance(expected, list):
        actual = actual or []
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where} is {actual!r}, expected {len(expected)} item(s)"
        for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
            reason = subset_mismatch(want, got, f"{where}[{i}]")
            if reason:
                return reason
        return None
    want, got = _scalar(expected), _scalar(actual)
    if got == want or (actual is None and want in ("0", "false", "")):
        return None
    if isinstance(actual, str) and isinstance(expected, str) and actual.endswith("_" + want):
        return None  # an enum value written short: REQUESTED for FRIEND_EVENT_KIND_REQUESTED
    return f"{where} is {actual!r}, not {expected!r}"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)
