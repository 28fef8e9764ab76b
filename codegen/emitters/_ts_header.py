"""Renders ts/header.ts: the wire header codec and message-type table in TypeScript, from
the same layout as the Python codec (python/wire.py), so the two agree bit for bit; the
vectors in conformance/vectors/header.json prove it.

Number rule: a field at most 32 bits wide is a `number`; a wider one (ids, timestamp,
seqnum: 46 and 50 bits) is a `bigint`. 46 bits would still fit a double exactly, but a
50-bit seqnum is past Number.MAX_SAFE_INTEGER's comfort zone for arithmetic, and one rule
for all wide fields is simpler than a per-field one.
"""

from __future__ import annotations

from prim.codegen.emitters._header_layout import HeaderField, HeaderLayout
from prim.codegen.emitters._ts_common import GENERATED_NOTE, doc, ts_string
from prim.codegen.model import Model

SMALL_BITS = 32


def is_bigint(f: HeaderField) -> bool:
    return f.bits > SMALL_BITS


def render(model: Model, layout: HeaderLayout) -> str:
    msg_type = model.enum(layout.msg_type_enum)
    header = model.header_message()
    assert header is not None
    comments = {f.name: f.comment for f in header.fields}
    out: list[str] = [
        "/**",
        " * The PRIM wire header codec and message-type table.",
        " *",
        f" * A header is {layout.size} bytes: {layout.words} big-endian unsigned 64-bit words, "
        "each field packed",
        " * from the most significant bit down:",
    ]
    for word in range(layout.words):
        parts = ", ".join(f"{f.json_name}:{f.bits}" for f in layout.fields if f.word == word)
        out.append(f" *   word {word}: {parts}")
    out += [
        " *",
        f" * Fields at most {SMALL_BITS} bits wide are `number`s; wider ones are `bigint`s.",
        " *",
        f" * {GENERATED_NOTE.format(emitter='codegen/emitters/_ts_header.py')}",
        " */",
        "",
        f"export const HEADER_SIZE = {layout.size};",
        f"export const PROTOCOL_VERSION = {layout.protocol_version};",
        "/** Every version a header may carry (PRIM's clients send 0); others are refused. */",
        "export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = "
        f"[{', '.join(str(v) for v in layout.supported_protocol_versions)}];",
        "",
    ]
    for f in layout.fields:
        out.append(f"export const MAX_{f.name.upper()} = {_literal(f, (1 << f.bits) - 1)};")
    out += [
        "",
        "/** Ids at or above this are groups; user ids are below it (constants.ts). */",
        'export { GROUP_ID_BASE } from "./constants.js";',
        "",
        *_const_enum("MsgCategory", "The family a message type belongs to.",
                     _option_values(model, header.package, "MsgCategory", layout.categories)),
        "",
        *_const_enum("PayloadKind", "How the payload of a message type is to be read.",
                     _option_values(model, header.package, "PayloadKind", layout.payload_kinds)),
        "",
        *_const_enum(
            "MsgType",
            msg_type.comment or "The type of a frame.",
            [(v.short_name, v.number, v.comment) for v in msg_type.values],
        ),
        "",
        "/** What the spec says about one message type. */",
        "export interface MsgTypeInfo {",
        "  readonly category: MsgCategory;",
        "  /** Sequenced types get a server timestamp and a seqnum, and are stored. */",
        "  readonly sequenced: boolean;",
        "  readonly payload: PayloadKind;",
        '  /** Fully qualified protobuf name when payload is MESSAGE, else "". */',
        "  readonly payloadMessage: string;",
        "  readonly fromClient: boolean;",
        "  readonly fromServer: boolean;",
        "  /** The media types an upload of this kind may have (a whole type, or any); [] =",
        "   * not an upload kind. */",
        "  readonly mediaTypes: readonly string[];",
        "}",
        "",
        "/** The (prim.v1.msg_type) option of every MsgType value, by type number. */",
        "export const MSG_TYPE_INFO: Readonly<Record<MsgType, MsgTypeInfo>> = {",
    ]
    for v in msg_type.values:
        info = v.msg_type
        assert info is not None
        out += [
            f"  [MsgType.{v.short_name}]: {{",
            f"    category: MsgCategory.{info.category}, sequenced: {_bool(info.sequenced)}, "
            f"payload: PayloadKind.{info.payload},",
            f"    payloadMessage: {ts_string(info.payload_message)}, "
            f"fromClient: {_bool(info.from_client)}, fromServer: {_bool(info.from_server)},",
            f"    mediaTypes: [{', '.join(ts_string(m) for m in info.media_types)}],",
            "  },",
        ]
    out += [
        "};",
        "",
        "/** The info of a type number, or undefined for a number the spec does not define. */",
        "export function msgTypeInfo(type: number): MsgTypeInfo | undefined {",
        "  return Object.prototype.hasOwnProperty.call(MSG_TYPE_INFO, type)",
        "    ? MSG_TYPE_INFO[type as MsgType]",
        "    : undefined;",
        "}",
        "",
        *_header_interface(layout, comments),
        "",
        "/** The header fields in wire order. */",
        "export const HEADER_FIELDS: readonly (keyof Header)[] = [",
        *(f"  {ts_string(f.json_name)}," for f in layout.fields),
        "];",
        "",
        *_errors(),
        "",
        *_encode(layout),
        "",
        *_decode(layout),
    ]
    return "\n".join(out) + "\n"


def _option_values(
    model: Model, package: str, enum: str, names: tuple[str, ...]
) -> list[tuple[str, int, str]]:
    """(name, number, comment) of the option enum's values the layout lists, numbered 1.."""
    comments = {v.number: v.comment for v in model.enum(f"{package}.{enum}").values}
    return [(name, i, comments.get(i, "")) for i, name in enumerate(names, start=1)]


def _literal(f: HeaderField, value: int) -> str:
    return f"{value}n" if is_bigint(f) else str(value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _const_enum(name: str, comment: str, values: list[tuple[str, int, str]]) -> list[str]:
    # A const object plus a union type rather than a TS `enum`: it erases to a plain object,
    # needs no runtime helpers and works with `isolatedModules` and type-stripping tools.
    out = doc(comment)
    out.append(f"export const {name} = {{")
    for key, number, text in values:
        out += doc(text, "  ")
        out.append(f"  {key}: {number},")
    out += ["} as const;", f"export type {name} = (typeof {name})[keyof typeof {name}];"]
    return out


def _header_interface(layout: HeaderLayout, comments: dict[str, str]) -> list[str]:
    out = ["/** A decoded header; see the file comment for the layout. */",
           "export interface Header {"]
    for f in layout.fields:
        text = comments.get(f.name, "")
        width = f"{f.bits} bits, word {f.word}."
        if f.name == "type":
            width += " A MsgType value, or a number the spec does not define."
        out += doc(f"{text}\n{width}" if text else width, "  ")
        out.append(f"  readonly {f.json_name}: {'bigint' if is_bigint(f) else 'number'};")
    out.append("}")
    return out


def _errors() -> list[str]:
    return [
        "/** A header field does not fit its bit width (or is not an integer). */",
        "export class HeaderFieldOverflow extends RangeError {",
        "  readonly field: keyof Header;",
        "  readonly value: number | bigint;",
        "  readonly maximum: number | bigint;",
        "",
        "  constructor(field: keyof Header, value: number | bigint, maximum: number | bigint) {",
        "    super(`header field ${field}=${String(value)} is outside 0..${String(maximum)}`);",
        '    this.name = "HeaderFieldOverflow";',
        "    this.field = field;",
        "    this.value = value;",
        "    this.maximum = maximum;",
        "  }",
        "}",
        "",
        "/** Fewer than HEADER_SIZE bytes were given to decodeHeader. */",
        "export class HeaderTooShort extends RangeError {",
        "  constructor(available: number) {",
        "    super(`a header needs ${HEADER_SIZE} bytes, got ${available}`);",
        '    this.name = "HeaderTooShort";',
        "  }",
        "}",
        "",
        "function checkNumber(field: keyof Header, value: number, maximum: number): bigint {",
        "  // Number.isInteger also refuses NaN and the infinities.",
        "  if (!Number.isInteger(value) || value < 0 || value > maximum) {",
        "    throw new HeaderFieldOverflow(field, value, maximum);",
        "  }",
        "  return BigInt(value);",
        "}",
        "",
        "function checkBigint(field: keyof Header, value: bigint, maximum: bigint): bigint {",
        "  // typeof guards against plain-JavaScript callers passing a number.",
        '  if (typeof value !== "bigint" || value < 0n || value > maximum) {',
        "    throw new HeaderFieldOverflow(field, value, maximum);",
        "  }",
        "  return value;",
        "}",
    ]


def _encode(layout: HeaderLayout) -> list[str]:
    out = [
        "/**",
        f" * The header's {layout.size} bytes. Throws HeaderFieldOverflow, naming the field, "
        "for a value",
        " * outside its width.",
        " */",
        "export function encodeHeader(h: Header): Uint8Array {",
    ]
    for f in layout.fields:
        check = "checkBigint" if is_bigint(f) else "checkNumber"
        out.append(f"  const {f.json_name} = {check}({ts_string(f.json_name)}, "
                   f"h.{f.json_name}, MAX_{f.name.upper()});")
    out += [
        "  const bytes = new Uint8Array(HEADER_SIZE);",
        "  const view = new DataView(bytes.buffer);",
    ]
    for word in range(layout.words):
        terms = [
            f"({f.json_name} << {f.shift}n)" if f.shift else f.json_name
            for f in layout.fields
            if f.word == word
        ]
        out.append(f"  view.setBigUint64({word * 8}, {' | '.join(terms) or '0n'});")
    out += ["  return bytes;", "}"]
    return out


def _decode(layout: HeaderLayout) -> list[str]:
    out = [
        "/**",
        " * The header at bytes[offset .. offset + HEADER_SIZE); every bit pattern is a header",
        " * (checking the version and type is the caller's business). Throws HeaderTooShort.",
        " */",
        "export function decodeHeader(bytes: Uint8Array, offset = 0): Header {",
        "  if (!Number.isInteger(offset) || offset < 0) {",
        "    throw new RangeError(`offset must be a non-negative integer, got ${offset}`);",
        "  }",
        "  if (bytes.length - offset < HEADER_SIZE) {",
        "    throw new HeaderTooShort(Math.max(bytes.length - offset, 0));",
        "  }",
        "  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, HEADER_SIZE);",
    ]
    for word in range(layout.words):
        out.append(f"  const w{word} = view.getBigUint64({word * 8});")
    out.append("  return {")
    for f in layout.fields:
        expr = f"w{f.word} >> {f.shift}n" if f.shift else f"w{f.word}"
        if f.shift + f.bits < 64:
            mask = f"0x{(1 << f.bits) - 1:x}n"
            expr = f"({expr}) & {mask}" if f.shift else f"{expr} & {mask}"
        if not is_bigint(f):
            expr = f"Number({expr})"
        out.append(f"    {f.json_name}: {expr},")
    out += ["  };", "}"]
    return out
