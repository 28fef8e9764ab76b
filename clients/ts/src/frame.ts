/**
 * Frames: header (the generated codec) || payload || extension, and a decoder that turns
 * a byte stream (or WebSocket messages) into frames. Payloads are decoded by the kind the
 * MsgType table gives each type: empty, UTF-8 text, raw bytes, or a protobuf message
 * (decoded with the generated schema into its types.ts shape).
 */

import {
  HEADER_SIZE,
  MAX_EXTENSION_LENGTH,
  MAX_PAYLOAD_LENGTH,
  PROTOCOL_VERSION,
  PayloadKind,
  SUPPORTED_PROTOCOL_VERSIONS,
  decodeHeader,
  encodeHeader,
  msgTypeInfo,
} from "../../../generated/ts/header.js";
import { PAYLOAD_SCHEMAS } from "../../../generated/ts/payloads.js";
import { decodeMessage, encodeMessage } from "./protobuf.js";

/** One frame. Ids, timestamps and seqnums are bigints (they exceed 32 bits). */
export interface Frame {
  type: number;
  sender: bigint;
  receiver: bigint;
  timestamp: bigint;
  seqnum: bigint;
  nodeId: number;
  payload: Uint8Array;
  extension: Uint8Array;
  version: number;
}

/** A frame with defaults for everything but its type. */
export function frame(type: number, fields: Partial<Omit<Frame, "type">> = {}): Frame {
  return {
    type,
    sender: 0n,
    receiver: 0n,
    timestamp: 0n,
    seqnum: 0n,
    nodeId: 0,
    payload: new Uint8Array(),
    extension: new Uint8Array(),
    version: PROTOCOL_VERSION,
    ...fields,
  };
}

export function encodeFrame(f: Frame): Uint8Array {
  if (f.payload.length > MAX_PAYLOAD_LENGTH) {
    throw new RangeError(`payload of ${f.payload.length} bytes exceeds ${MAX_PAYLOAD_LENGTH}`);
  }
  if (f.extension.length > MAX_EXTENSION_LENGTH) {
    throw new RangeError(`extension of ${f.extension.length} bytes exceeds ${MAX_EXTENSION_LENGTH}`);
  }
  const head = encodeHeader({
    version: f.version,
    sender: f.sender,
    nodeId: f.nodeId,
    receiver: f.receiver,
    type: f.type,
    extensionLength: f.extension.length,
    timestamp: f.timestamp,
    payloadLength: f.payload.length,
    seqnum: f.seqnum,
  });
  const out = new Uint8Array(head.length + f.payload.length + f.extension.length);
  out.set(head, 0);
  out.set(f.payload, head.length);
  out.set(f.extension, head.length + f.payload.length);
  return out;
}

/** Bytes that are not a valid frame stream (the connection cannot go on). */
export class FrameDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FrameDecodeError";
  }
}

/** Feed bytes as they arrive; `next()` returns whole frames until it returns undefined. */
export class FrameDecoder {
  private buffer = new Uint8Array(0);
  private at = 0;

  feed(data: Uint8Array): void {
    const rest = this.buffer.subarray(this.at);
    const joined = new Uint8Array(rest.length + data.length);
    joined.set(rest, 0);
    joined.set(data, rest.length);
    this.buffer = joined;
    this.at = 0;
  }

  get buffered(): number {
    return this.buffer.length - this.at;
  }

  next(): Frame | undefined {
    if (this.buffered < HEADER_SIZE) return undefined;
    const h = decodeHeader(this.buffer, this.at);
    if (!SUPPORTED_PROTOCOL_VERSIONS.includes(h.version)) {
      throw new FrameDecodeError(`unsupported protocol version ${h.version}`);
    }
    const end = this.at + HEADER_SIZE + h.payloadLength + h.extensionLength;
    if (end > this.buffer.length) return undefined;
    const payloadEnd = this.at + HEADER_SIZE + h.payloadLength;
    const f: Frame = {
      type: h.type,
      sender: h.sender,
      receiver: h.receiver,
      timestamp: h.timestamp,
      seqnum: h.seqnum,
      nodeId: h.nodeId,
      version: h.version,
      payload: this.buffer.slice(this.at + HEADER_SIZE, payloadEnd),
      extension: this.buffer.slice(payloadEnd, end),
    };
    this.at = end;
    return f;
  }

  /** Every whole frame buffered now. */
  frames(): Frame[] {
    const out: Frame[] = [];
    for (let f = this.next(); f !== undefined; f = this.next()) out.push(f);
    return out;
  }
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/**
 * A frame's payload in the form its type's payload kind gives: undefined (empty), a string
 * (UTF-8), the raw bytes, or the decoded protobuf message (its types.ts JSON shape).
 * Unknown types give the raw bytes.
 */
export function decodePayload(f: Frame): unknown {
  const info = msgTypeInfo(f.type);
  if (info === undefined) return f.payload;
  switch (info.payload) {
    case PayloadKind.EMPTY:
      return undefined;
    case PayloadKind.UTF8:
      return utf8Strict.decode(f.payload);
    case PayloadKind.MESSAGE: {
      const schema = PAYLOAD_SCHEMAS[info.payloadMessage];
      return schema === undefined ? f.payload : decodeMessage(schema, f.payload);
    }
    default:
      return f.payload;
  }
}

/** Payload bytes for a frame of `type` from a string, bytes or a JSON-shaped message. */
export function encodePayload(type: number, value: unknown): Uint8Array {
  if (value === undefined) return new Uint8Array();
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return utf8.encode(value);
  const info = msgTypeInfo(type);
  const schema = info === undefined ? undefined : PAYLOAD_SCHEMAS[info.payloadMessage];
  if (schema === undefined) {
    throw new TypeError(`type ${type} carries no structured payload`);
  }
  return encodeMessage(schema, value as object);
}
