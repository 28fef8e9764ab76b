/**
 * Protobuf binary encoding of the frame payloads, driven by the generated schemas
 * (generated/ts/payloads.ts). Values take the proto3 JSON shapes of types.ts: 64-bit
 * integers are decimal strings, enums are value names, bytes are base64 strings. Unknown
 * fields are skipped when decoding, as protobuf requires; default values are not written.
 */

import type { FieldSchema, MessageSchema } from "../../../generated/ts/payloads.js";

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;
const MAX_FIELD_NUMBER = 2 ** 29 - 1;

const VARINT_KINDS = new Set(["int32", "int64", "uint32", "uint64", "sint32", "sint64",
  "bool", "enum"]);

/** A payload that is not valid protobuf for its schema. */
export class PayloadDecodeError extends Error {
  constructor(schema: string, reason: string) {
    super(`cannot decode ${schema}: ${reason}`);
    this.name = "PayloadDecodeError";
  }
}

function wireType(kind: string): number {
  if (VARINT_KINDS.has(kind)) return WIRE_VARINT;
  if (kind === "fixed64" || kind === "sfixed64" || kind === "double") return WIRE_I64;
  if (kind === "fixed32" || kind === "sfixed32" || kind === "float") return WIRE_I32;
  return WIRE_LEN;
}

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

class Writer {
  private readonly parts: number[] = [];

  varint(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    while (v >= 0x80n) {
      this.parts.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.parts.push(Number(v));
  }

  bytes(data: Uint8Array): void {
    this.varint(BigInt(data.length));
    for (const b of data) this.parts.push(b);
  }

  fixed(value: bigint, size: 4 | 8): void {
    let v = BigInt.asUintN(size * 8, value);
    for (let i = 0; i < size; i++) {
      this.parts.push(Number(v & 0xffn));
      v >>= 8n;
    }
  }

  float(value: number, size: 4 | 8): void {
    const view = new DataView(new ArrayBuffer(size));
    if (size === 4) view.setFloat32(0, value, true);
    else view.setFloat64(0, value, true);
    for (let i = 0; i < size; i++) this.parts.push(view.getUint8(i));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function enumNumber(field: FieldSchema, value: unknown): bigint {
  if (typeof value === "number") return BigInt(value);
  for (const [no, name] of Object.entries(field.enumNames ?? {})) {
    if (name === value) return BigInt(no);
  }
  throw new TypeError(`${field.name}: ${String(value)} is not a value of its enum`);
}

function isDefault(field: FieldSchema, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (field.kind === "message") return false;
  if (field.kind === "enum") return enumNumber(field, value) === 0n;
  if (field.kind === "bool") return value === false;
  if (field.kind === "string" || field.kind === "bytes") return value === "";
  return Number(value) === 0;
}

function writeValue(w: Writer, field: FieldSchema, value: unknown): void {
  w.varint(BigInt((field.no << 3) | wireType(field.kind)));
  switch (field.kind) {
    case "bool":
      w.varint(value ? 1n : 0n);
      return;
    case "enum":
      w.varint(enumNumber(field, value));
      return;
    case "sint32":
    case "sint64": {
      const v = BigInt(value as string | number);
      w.varint(v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
      return;
    }
    case "int32":
    case "int64":
    case "uint32":
    case "uint64":
      w.varint(BigInt(value as string | number));
      return;
    case "fixed32":
    case "sfixed32":
      w.fixed(BigInt(value as number), 4);
      return;
    case "fixed64":
    case "sfixed64":
      w.fixed(BigInt(value as string), 8);
      return;
    case "float":
      w.float(Number(value), 4);
      return;
    case "double":
      w.float(Number(value), 8);
      return;
    case "string":
      w.bytes(utf8.encode(value as string));
      return;
    case "bytes":
      w.bytes(value instanceof Uint8Array ? value : fromBase64(value as string));
      return;
    case "message":
      w.bytes(encodeMessage(field.message!(), value as object));
      return;
  }
  throw new TypeError(`${field.name}: unsupported kind ${field.kind}`);
}

/** The protobuf binary form of `value` (a JSON-shaped object of the schema's type). */
export function encodeMessage<T extends object>(schema: MessageSchema<T>, value: T): Uint8Array {
  const w = new Writer();
  const record = value as Record<string, unknown>;
  for (const field of schema.fields) {
    const v = record[field.name];
    if (field.repeated) {
      for (const item of (v as unknown[] | undefined) ?? []) writeValue(w, field, item);
    } else if (!isDefault(field, v)) {
      writeValue(w, field, v);
    }
  }
  return w.finish();
}

class Reader {
  at = 0;

  constructor(private readonly data: Uint8Array, private readonly schema: string) {}

  get done(): boolean {
    return this.at >= this.data.length;
  }

  varint(): bigint {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.data.length) throw new PayloadDecodeError(this.schema, "truncated");
      const b = this.data[this.at++]!;
      // The tenth byte holds bit 63 only: more is not a 64-bit value (Python refuses it too).
      if (i === 9 && b > 1) throw new PayloadDecodeError(this.schema, "varint longer than 64 bits");
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return result;
    }
    throw new PayloadDecodeError(this.schema, "varint too long");
  }

  take(n: number): Uint8Array {
    if (this.at + n > this.data.length) throw new PayloadDecodeError(this.schema, "truncated");
    const out = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  fixed(size: 4 | 8): bigint {
    const b = this.take(size);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_I64) this.take(8);
    else if (wire === WIRE_LEN) this.take(Number(this.varint()));
    else if (wire === WIRE_I32) this.take(4);
    else throw new PayloadDecodeError(this.schema, `wire type ${wire} is not supported`);
  }
}

function scalar(field: FieldSchema, raw: bigint): unknown {
  switch (field.kind) {
    case "bool":
      return raw !== 0n;
    case "enum": {
      const n = Number(BigInt.asIntN(32, raw));
      return field.enumNames?.[n] ?? n;
    }
    case "int32":
    case "sfixed32":
      return Number(BigInt.asIntN(32, raw));
    case "uint32":
    case "fixed32":
      return Number(BigInt.asUintN(32, raw));
    case "sint32":
    case "sint64": {
      const v = (raw >> 1n) ^ -(raw & 1n);
      return field.kind === "sint32" ? Number(v) : v.toString();
    }
    case "int64":
    case "sfixed64":
      return BigInt.asIntN(64, raw).toString();
    default:
      return raw.toString(); // uint64, fixed64
  }
}

/**
 * Refuses a varint its 32-bit kind cannot hold, as protobuf_strict.py does: uint32, sint32
 * above 2^32 - 1, bool above 1, and int32 or enum values that are neither a 32-bit
 * non-negative number nor a sign-extended negative one.
 */
function checkVarint(field: FieldSchema, raw: bigint, schema: string): bigint {
  const kind = field.kind;
  const outside =
    kind === "int32" || kind === "enum"
      ? raw >= 1n << 31n && raw < (1n << 64n) - (1n << 31n)
      : kind === "uint32" || kind === "sint32"
        ? raw > 0xffffffffn
        : kind === "bool" && raw > 1n;
  if (outside) {
    throw new PayloadDecodeError(schema, `field ${field.no} is outside the range of ${kind}`);
  }
  return raw;
}

function readValue(r: Reader, field: FieldSchema, schema: string): unknown {
  switch (field.kind) {
    case "string":
      try {
        return utf8Strict.decode(r.take(Number(r.varint())));
      } catch {
        throw new PayloadDecodeError(schema, `${field.name} is not UTF-8`);
      }
    case "bytes":
      return toBase64(r.take(Number(r.varint())));
    case "message":
      return decodeMessage(field.message!(), r.take(Number(r.varint())));
    case "float":
      return new DataView(r.take(4).slice().buffer).getFloat32(0, true);
    case "double":
      return new DataView(r.take(8).slice().buffer).getFloat64(0, true);
    case "fixed32":
    case "sfixed32":
      return scalar(field, r.fixed(4));
    case "fixed64":
    case "sfixed64":
      return scalar(field, r.fixed(8));
    default:
      return scalar(field, checkVarint(field, r.varint(), schema));
  }
}

/** Decodes protobuf binary into the schema's JSON shape (defaults are left out). */
export function decodeMessage<T extends object>(schema: MessageSchema<T>, data: Uint8Array): T {
  const byNumber = new Map(schema.fields.map((f) => [f.no, f]));
  const out: Record<string, unknown> = {};
  const r = new Reader(data, schema.name);
  while (!r.done) {
    const key = r.varint();
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no < 1 || no > MAX_FIELD_NUMBER) {
      throw new PayloadDecodeError(schema.name, `field number ${no} is not valid`);
    }
    const field = byNumber.get(no);
    if (field === undefined) {
      r.skip(wire);
      continue;
    }
    const expected = wireType(field.kind);
    if (field.repeated && wire === WIRE_LEN && expected !== WIRE_LEN) {
      const packed = new Reader(r.take(Number(r.varint())), schema.name);
      const list = (out[field.name] as unknown[] | undefined) ?? [];
      while (!packed.done) list.push(readValue(packed, field, schema.name));
      out[field.name] = list;
      continue;
    }
    if (wire !== expected) {
      throw new PayloadDecodeError(schema.name, `field ${no} has wire type ${wire}`);
    }
    const value = readValue(r, field, schema.name);
    if (field.repeated) {
      const list = (out[field.name] as unknown[] | undefined) ?? [];
      list.push(value);
      out[field.name] = list;
    } else {
      out[field.name] = value;
    }
  }
  return out as T;
}
