"""Emits python/wire.py: the binary header codec and the message-type table, both derived
from the (prim.v1.header) and (prim.v1.msg_type) options of the spec."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from prim.codegen.emitters._header_layout import HeaderLayout, header_layout
from prim.codegen.model import Enum, Field, Message_, Model, python_module

# The strict encoding check parse_payload runs before betterproto2: hand-written, copied.
STRICT_RUNTIME = Path(__file__).parent / "py_runtime" / "protobuf_strict.py"


def emit(model: Model) -> dict[str, str]:
    layout = header_layout(model)
    if layout is None:
        return {}
    note = ("# Copied from codegen/emitters/py_runtime/protobuf_strict.py by `make gen`; "
            "do not edit (edit that file).\n")
    return {
        "python/wire.py": _render(model, layout),
        "python/protobuf_strict.py": note + STRICT_RUNTIME.read_text(),
    }


def _payload_messages(model: Model, msg_type: Enum) -> list[tuple[str, Message_]]:
    """(MsgType value short name, payload message) for each type whose payload is one."""
    out = []
    for v in msg_type.values:
        assert v.msg_type is not None
        if v.msg_type.payload_message:
            out.append((v.short_name, model.message(v.msg_type.payload_message)))
    return out


def _imports(model: Model, msg_type: Enum) -> dict[str, list[str]]:
    by_module: dict[str, set[str]] = {python_module(msg_type.package): {msg_type.name}}
    for _, msg in _payload_messages(model, msg_type):
        by_module.setdefault(python_module(msg.package), set()).add(msg.name)
    return {mod: sorted(names) for mod, names in sorted(by_module.items())}


def _shape(f: Field) -> str:
    """The FieldShape(...) expression of one field."""
    args = [repr(f.kind)]
    if f.repeated or f.map_value is not None:
        args.append("repeated=True")
    if f.kind == "message":
        args.append(f"message={f.type_name!r}")
    return f"FieldShape({', '.join(args)})"


def _shapes(model: Model, msg_type: Enum) -> dict[str, list[Field]]:
    """The fields of each payload message and of every message they nest (map entries too)."""
    out: dict[str, list[Field]] = {}
    todo = [msg.full_name for _, msg in _payload_messages(model, msg_type)]
    while todo:
        name = todo.pop()
        if name in out:
            continue
        msg = model.message(name)
        out[name] = list(msg.fields)
        for f in msg.fields:
            if f.map_key is not None and f.map_value is not None:
                out[f.type_name] = [f.map_key, f.map_value]
                if f.map_value.kind == "message":
                    todo.append(f.map_value.type_name)
            elif f.kind == "message":
                todo.append(f.type_name)
    return dict(sorted(out.items()))


def _payload_classes(w: Callable[[str], None], model: Model, msg_type: Enum) -> None:
    w("")
    w("#: The declared fields of each payload message and of the messages they nest, by number:")
    w("#: what parse_payload's strict check holds the bytes to.")
    w("PAYLOAD_SHAPES: dict[str, dict[int, FieldShape]] = {")
    for name, fields in _shapes(model, msg_type).items():
        w(f"    {name!r}: {{")
        for f in sorted(fields, key=lambda f: f.number):
            w(f"        {f.number}: {_shape(f)},")
        w("    },")
    w("}")
    w("")
    w("#: The class of each payload that is a protobuf message (payload_message), by type.")
    w("PAYLOAD_CLASSES: dict[int, type[betterproto2.Message]] = {")
    for short, msg in _payload_messages(model, msg_type):
        w(f"    {msg_type.name}.{short}: {msg.name},")
    w("}")
    w("")
    w("")
    w("class PayloadError(ValueError):")
    w('    """A payload is not the protobuf message its type declares."""')
    w("")
    w("")
    w("def parse_payload(type_: int, payload: bytes) -> betterproto2.Message:")
    w('    """The payload of a frame of type `type_` as the message the spec declares for it;')
    w('    PayloadError when it does not parse or the type declares no message."""')
    w("    cls = PAYLOAD_CLASSES.get(type_)")
    w("    if cls is None:")
    w('        raise PayloadError(f"message type {type_} has no protobuf payload")')
    w("    try:")
    w("        check_encoding(payload, MSG_TYPE_INFO[type_].payload_message, PAYLOAD_SHAPES)")
    w("    except EncodingError as exc:")
    w('        raise PayloadError(f"the payload is not a valid {cls.__name__}: {exc}") from exc')
    w("    try:")
    w("        return cls.parse(payload)")
    w("    except Exception as exc:  # betterproto2 raises several kinds on bad bytes")
    w('        raise PayloadError(f"the payload is not a valid {cls.__name__}") from exc')


def _render(model: Model, layout: HeaderLayout) -> str:
    msg_type = model.enum(layout.msg_type_enum)
    names = [f.name for f in layout.fields]
    out: list[str] = []
    w = out.append
    w('"""The PRIM wire header codec and message-type table. Generated from the spec by')
    w('`make gen` (codegen/emitters/wire_py.py): do not edit."""')
    w("")
    w("from __future__ import annotations")
    w("")
    w("import struct")
    w("from dataclasses import dataclass")
    w("from enum import IntEnum")
    w("")
    w("import betterproto2")
    w("")
    w("# Ids at or above this are groups; user ids are below it.")
    w("from prim.generated.constants import GROUP_ID_BASE as GROUP_ID_BASE")
    w("from prim.generated.protobuf_strict import EncodingError, FieldShape, check_encoding")
    for mod, imported in _imports(model, msg_type).items():
        w(f"from {mod} import {', '.join(imported)}")
    w("")
    w(f"HEADER_SIZE = {layout.size}")
    w(f"PROTOCOL_VERSION = {layout.protocol_version}")
    w("# Every version a header may carry (PRIM's clients send 0); others are refused.")
    w(f"SUPPORTED_PROTOCOL_VERSIONS = frozenset({set(layout.supported_protocol_versions)!r})")
    w("")
    for f in layout.fields:
        w(f"MAX_{f.name.upper()} = {(1 << f.bits) - 1}")
    w("")
    w("")
    w("class MsgCategory(IntEnum):")
    for i, cat in enumerate(layout.categories, start=1):
        w(f"    {cat} = {i}")
    w("")
    w("")
    w("class PayloadKind(IntEnum):")
    for i, kind in enumerate(layout.payload_kinds, start=1):
        w(f"    {kind} = {i}")
    w("")
    w("")
    w("@dataclass(frozen=True, slots=True)")
    w("class MsgTypeInfo:")
    w('    """What the spec says about one message type."""')
    w("")
    w("    category: MsgCategory")
    w("    sequenced: bool")
    w("    payload: PayloadKind")
    w('    payload_message: str  # fully qualified protobuf name, "" unless payload is MESSAGE')
    w("    from_client: bool")
    w("    from_server: bool")
    w('    # the media types an upload of this kind may have ("image/*", "*/*"); () = no upload')
    w("    media_types: tuple[str, ...] = ()")
    w("")
    w("")
    w("MSG_TYPE_INFO: dict[int, MsgTypeInfo] = {")
    for v in msg_type.values:
        info = v.msg_type
        assert info is not None
        w(f"    {msg_type.name}.{v.short_name}: MsgTypeInfo(")
        w(f"        category=MsgCategory.{info.category},")
        w(f"        sequenced={info.sequenced},")
        w(f"        payload=PayloadKind.{info.payload},")
        w(f"        payload_message={info.payload_message!r},")
        w(f"        from_client={info.from_client},")
        w(f"        from_server={info.from_server},")
        if info.media_types:
            w(f"        media_types={info.media_types!r},")
        w("    ),")
    w("}")
    w("")
    _payload_classes(w, model, msg_type)
    w("")
    w("")
    w("class HeaderFieldOverflow(ValueError):")
    w('    """A header field does not fit its bit width."""')
    w("")
    w("    def __init__(self, field: str, value: int, maximum: int) -> None:")
    w('        super().__init__(f"header field {field}={value} is outside 0..{maximum}")')
    w("        self.field = field")
    w("        self.value = value")
    w("        self.maximum = maximum")
    w("")
    w("")
    w("class HeaderTooShort(ValueError):")
    w('    """Fewer than HEADER_SIZE bytes were given to decode_header."""')
    w("")
    w("")
    w("@dataclass(frozen=True, slots=True)")
    w("class Header:")
    w('    """The 32-byte header: four big-endian 64-bit words.')
    w("")
    for word in range(layout.words):
        parts = ", ".join(
            f"{f.name}:{f.bits}" for f in layout.fields if f.word == word
        )
        w(f"    word {word}: {parts}")
    w('    """')
    w("")
    for f in layout.fields:
        w(f"    {f.name}: int")
    w("")
    w("")
    w(f'_WORDS = struct.Struct(">{"Q" * layout.words}")')
    w("")
    w("")
    w("def encode_header(h: Header) -> bytes:")
    w('    """The header\'s 32 bytes; raises HeaderFieldOverflow for a field past its width."""')
    for f in layout.fields:
        w(f"    if not 0 <= h.{f.name} <= MAX_{f.name.upper()}:")
        w(f'        raise HeaderFieldOverflow("{f.name}", h.{f.name}, MAX_{f.name.upper()})')
    w("    return _WORDS.pack(")
    for word in range(layout.words):
        terms = [
            f"(h.{f.name} << {f.shift})" if f.shift else f"h.{f.name}"
            for f in layout.fields
            if f.word == word
        ]
        w(f"        {' | '.join(terms) or '0'},")  # a word of reserved bits only
    w("    )")
    w("")
    w("")
    w("def decode_header(data: bytes | bytearray | memoryview, offset: int = 0) -> Header:")
    w('    """The header at data[offset:offset + HEADER_SIZE]; every bit pattern is a header."""')
    w("    if len(data) - offset < HEADER_SIZE:")
    w("        raise HeaderTooShort(")
    w('            f"a header needs {HEADER_SIZE} bytes, got {max(len(data) - offset, 0)}"')
    w("        )")
    w(f"    {', '.join(f'w{i}' for i in range(layout.words))} = _WORDS.unpack_from(data, offset)")
    w("    return Header(")
    for f in layout.fields:
        mask = (1 << f.bits) - 1
        expr = f"w{f.word} >> {f.shift}" if f.shift else f"w{f.word}"
        if f.shift + f.bits < 64:
            expr = f"({expr}) & {mask:#x}" if f.shift else f"{expr} & {mask:#x}"
        w(f"        {f.name}={expr},")
    w("    )")
    w("")
    w("")
    w(f"HEADER_FIELDS = {tuple(names)!r}")
    w("")
    return "\n".join(out)
