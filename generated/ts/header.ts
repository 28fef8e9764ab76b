/**
 * The PRIM wire header codec and message-type table.
 *
 * A header is 32 bytes: 4 big-endian unsigned 64-bit words, each field packed
 * from the most significant bit down:
 *   word 0: version:18, sender:46
 *   word 1: nodeId:18, receiver:46
 *   word 2: type:12, extensionLength:6, timestamp:46
 *   word 3: payloadLength:14, seqnum:50
 *
 * Fields at most 32 bits wide are `number`s; wider ones are `bigint`s.
 *
 * Generated from spec/prim/v1 by `make gen` (codegen/emitters/_ts_header.py); do not edit.
 */

export const HEADER_SIZE = 32;
export const PROTOCOL_VERSION = 1;
/** Every version a header may carry (PRIM's clients send 0); others are refused. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [0, 1];

export const MAX_VERSION = 262143;
export const MAX_SENDER = 70368744177663n;
export const MAX_NODE_ID = 262143;
export const MAX_RECEIVER = 70368744177663n;
export const MAX_TYPE = 4095;
export const MAX_EXTENSION_LENGTH = 63;
export const MAX_TIMESTAMP = 70368744177663n;
export const MAX_PAYLOAD_LENGTH = 16383;
export const MAX_SEQNUM = 1125899906842623n;

/** Ids at or above this are groups; user ids are below it (constants.ts). */
export { GROUP_ID_BASE } from "./constants.js";

/** The family a message type belongs to. */
export const MsgCategory = {
  /** 0-31: NA, Ack */
  SYSTEM: 1,
  /** 32-63 */
  CONTENT: 2,
  /** 64-95 */
  CONTROL: 3,
  /** 96-127 */
  LOGIC: 4,
  /** 128-159 */
  BUSINESS: 5,
  /** 160 and up */
  INTERNAL: 6,
} as const;
export type MsgCategory = (typeof MsgCategory)[keyof typeof MsgCategory];

/** How the payload of a message type is to be read. */
export const PayloadKind = {
  /** payload_length must be 0 */
  EMPTY: 1,
  /** UTF-8 text */
  UTF8: 2,
  /** opaque bytes */
  BYTES: 3,
  /** the protobuf encoding of MsgTypeInfo.payload_message */
  MESSAGE: 4,
} as const;
export type PayloadKind = (typeof PayloadKind)[keyof typeof PayloadKind];

/**
 * Message types keep PRIM's numbers and ranges. Types beyond PRIM take free numbers in the
 * range of their category.
 */
export const MsgType = {
  NA: 0,
  /**
   * Server -> sender: the message is durable; header.seqnum is its seqnum, header.timestamp
   * the client timestamp it answers, the payload carries the server time.
   */
  ACK: 1,
  TEXT: 32,
  MEME: 33,
  FILE: 34,
  IMAGE: 35,
  VIDEO: 36,
  AUDIO: 37,
  EDIT: 64,
  WITHDRAW: 65,
  /**
   * Client -> server: the access token (UTF-8). Server -> client: empty payload on success,
   * receiver = the authenticated user id, timestamp = server time.
   */
  AUTH: 96,
  PING: 97,
  PONG: 98,
  /** Answered with the same payload and extension. */
  ECHO: 99,
  ERROR: 100,
  /** The server is closing this connection (signed in elsewhere, node draining). */
  BE_OFFLINE: 101,
  INTERNAL_ERROR: 102,
  /**
   * Beyond PRIM: "read up to seqnum" for a channel, relayed live to the peer's devices and
   * to the reader's other devices; stored as the reader's read marker.
   */
  READ_RECEIPT: 103,
  /** Beyond PRIM: the sender is typing; relayed live only, never stored. */
  TYPING: 104,
  SYSTEM_MESSAGE: 128,
  ADD_FRIEND: 129,
  REMOVE_FRIEND: 130,
  JOIN_GROUP: 131,
  LEAVE_GROUP: 132,
  REMOTE_INVOKE: 133,
  SET_RELATIONSHIP: 134,
} as const;
export type MsgType = (typeof MsgType)[keyof typeof MsgType];

/** What the spec says about one message type. */
export interface MsgTypeInfo {
  readonly category: MsgCategory;
  /** Sequenced types get a server timestamp and a seqnum, and are stored. */
  readonly sequenced: boolean;
  readonly payload: PayloadKind;
  /** Fully qualified protobuf name when payload is MESSAGE, else "". */
  readonly payloadMessage: string;
  readonly fromClient: boolean;
  readonly fromServer: boolean;
  /** The media types an upload of this kind may have (a whole type, or any); [] =
   * not an upload kind. */
  readonly mediaTypes: readonly string[];
}

/** The (prim.v1.msg_type) option of every MsgType value, by type number. */
export const MSG_TYPE_INFO: Readonly<Record<MsgType, MsgTypeInfo>> = {
  [MsgType.NA]: {
    category: MsgCategory.SYSTEM, sequenced: false, payload: PayloadKind.EMPTY,
    payloadMessage: "", fromClient: false, fromServer: false,
    mediaTypes: [],
  },
  [MsgType.ACK]: {
    category: MsgCategory.SYSTEM, sequenced: false, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.AckPayload", fromClient: false, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.TEXT]: {
    category: MsgCategory.CONTENT, sequenced: true, payload: PayloadKind.UTF8,
    payloadMessage: "", fromClient: true, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.MEME]: {
    category: MsgCategory.CONTENT, sequenced: true, payload: PayloadKind.UTF8,
    payloadMessage: "", fromClient: true, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.FILE]: {
    category: MsgCategory.CONTENT, sequenced: true, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.MediaRef", fromClient: true, fromServer: true,
    mediaTypes: ["*/*"],
  },
  [MsgType.IMAGE]: {
    category: MsgCategory.CONTENT, sequenced: true, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.MediaRef", fromClient: true, fromServer: true,
    mediaTypes: ["image/*"],
  },
  [MsgType.VIDEO]: {
    category: MsgCategory.CONTENT, sequenced: true, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.MediaRef", fromClient: true, fromServer: true,
    mediaTypes: ["video/*"],
  },
  [MsgType.AUDIO]: {
    category: MsgCategory.CONTENT, sequenced: true, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.MediaRef", fromClient: true, fromServer: true,
    mediaTypes: ["audio/*"],
  },
  [MsgType.EDIT]: {
    category: MsgCategory.CONTROL, sequenced: true, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.EditPayload", fromClient: true, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.WITHDRAW]: {
    category: MsgCategory.CONTROL, sequenced: true, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.WithdrawPayload", fromClient: true, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.AUTH]: {
    category: MsgCategory.LOGIC, sequenced: false, payload: PayloadKind.UTF8,
    payloadMessage: "", fromClient: true, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.PING]: {
    category: MsgCategory.LOGIC, sequenced: false, payload: PayloadKind.EMPTY,
    payloadMessage: "", fromClient: true, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.PONG]: {
    category: MsgCategory.LOGIC, sequenced: false, payload: PayloadKind.EMPTY,
    payloadMessage: "", fromClient: true, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.ECHO]: {
    category: MsgCategory.LOGIC, sequenced: false, payload: PayloadKind.BYTES,
    payloadMessage: "", fromClient: true, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.ERROR]: {
    category: MsgCategory.LOGIC, sequenced: false, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.Error", fromClient: false, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.BE_OFFLINE]: {
    category: MsgCategory.LOGIC, sequenced: false, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.Error", fromClient: false, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.INTERNAL_ERROR]: {
    category: MsgCategory.LOGIC, sequenced: false, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.Error", fromClient: false, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.READ_RECEIPT]: {
    category: MsgCategory.LOGIC, sequenced: false, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.ReadReceiptPayload", fromClient: true, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.TYPING]: {
    category: MsgCategory.LOGIC, sequenced: false, payload: PayloadKind.EMPTY,
    payloadMessage: "", fromClient: true, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.SYSTEM_MESSAGE]: {
    category: MsgCategory.BUSINESS, sequenced: true, payload: PayloadKind.UTF8,
    payloadMessage: "", fromClient: false, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.ADD_FRIEND]: {
    category: MsgCategory.BUSINESS, sequenced: true, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.FriendEvent", fromClient: false, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.REMOVE_FRIEND]: {
    category: MsgCategory.BUSINESS, sequenced: true, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.FriendEvent", fromClient: false, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.JOIN_GROUP]: {
    category: MsgCategory.BUSINESS, sequenced: true, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.GroupEvent", fromClient: false, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.LEAVE_GROUP]: {
    category: MsgCategory.BUSINESS, sequenced: true, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.GroupEvent", fromClient: false, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.REMOTE_INVOKE]: {
    category: MsgCategory.BUSINESS, sequenced: true, payload: PayloadKind.BYTES,
    payloadMessage: "", fromClient: false, fromServer: true,
    mediaTypes: [],
  },
  [MsgType.SET_RELATIONSHIP]: {
    category: MsgCategory.BUSINESS, sequenced: true, payload: PayloadKind.MESSAGE,
    payloadMessage: "prim.v1.RelationshipEvent", fromClient: false, fromServer: true,
    mediaTypes: [],
  },
};

/** The info of a type number, or undefined for a number the spec does not define. */
export function msgTypeInfo(type: number): MsgTypeInfo | undefined {
  return Object.prototype.hasOwnProperty.call(MSG_TYPE_INFO, type)
    ? MSG_TYPE_INFO[type as MsgType]
    : undefined;
}

/** A decoded header; see the file comment for the layout. */
export interface Header {
  /**
   * Protocol version: a ProtocolVersion value (1, or 0 from PRIM's clients).
   * 18 bits, word 0.
   */
  readonly version: number;
  /**
   * The author: a user id (< 2^36). Must equal the authenticated user on client frames.
   * 46 bits, word 0.
   */
  readonly sender: bigint;
  /**
   * The message node that handled the frame (0 from clients).
   * 18 bits, word 1.
   */
  readonly nodeId: number;
  /**
   * A user id (< 2^36) or a group id (>= 2^36).
   * 46 bits, word 1.
   */
  readonly receiver: bigint;
  /** 12 bits, word 2. A MsgType value, or a number the spec does not define. */
  readonly type: number;
  /** 6 bits, word 2. */
  readonly extensionLength: number;
  /**
   * Milliseconds since the Unix epoch: the client's clock on client frames (it is part of
   * the idempotency key), the server's clock on delivered frames.
   * 46 bits, word 2.
   */
  readonly timestamp: bigint;
  /** 14 bits, word 3. */
  readonly payloadLength: number;
  /**
   * Per-channel sequence number assigned by the server (0 on client frames).
   * 50 bits, word 3.
   */
  readonly seqnum: bigint;
}

/** The header fields in wire order. */
export const HEADER_FIELDS: readonly (keyof Header)[] = [
  "version",
  "sender",
  "nodeId",
  "receiver",
  "type",
  "extensionLength",
  "timestamp",
  "payloadLength",
  "seqnum",
];

/** A header field does not fit its bit width (or is not an integer). */
export class HeaderFieldOverflow extends RangeError {
  readonly field: keyof Header;
  readonly value: number | bigint;
  readonly maximum: number | bigint;

  constructor(field: keyof Header, value: number | bigint, maximum: number | bigint) {
    super(`header field ${field}=${String(value)} is outside 0..${String(maximum)}`);
    this.name = "HeaderFieldOverflow";
    this.field = field;
    this.value = value;
    this.maximum = maximum;
  }
}

/** Fewer than HEADER_SIZE bytes were given to decodeHeader. */
export class HeaderTooShort extends RangeError {
  constructor(available: number) {
    super(`a header needs ${HEADER_SIZE} bytes, got ${available}`);
    this.name = "HeaderTooShort";
  }
}

function checkNumber(field: keyof Header, value: number, maximum: number): bigint {
  // Number.isInteger also refuses NaN and the infinities.
  if (!Number.isInteger(value) || value < 0 || value > maximum) {
    throw new HeaderFieldOverflow(field, value, maximum);
  }
  return BigInt(value);
}

function checkBigint(field: keyof Header, value: bigint, maximum: bigint): bigint {
  // typeof guards against plain-JavaScript callers passing a number.
  if (typeof value !== "bigint" || value < 0n || value > maximum) {
    throw new HeaderFieldOverflow(field, value, maximum);
  }
  return value;
}

/**
 * The header's 32 bytes. Throws HeaderFieldOverflow, naming the field, for a value
 * outside its width.
 */
export function encodeHeader(h: Header): Uint8Array {
  const version = checkNumber("version", h.version, MAX_VERSION);
  const sender = checkBigint("sender", h.sender, MAX_SENDER);
  const nodeId = checkNumber("nodeId", h.nodeId, MAX_NODE_ID);
  const receiver = checkBigint("receiver", h.receiver, MAX_RECEIVER);
  const type = checkNumber("type", h.type, MAX_TYPE);
  const extensionLength = checkNumber("extensionLength", h.extensionLength, MAX_EXTENSION_LENGTH);
  const timestamp = checkBigint("timestamp", h.timestamp, MAX_TIMESTAMP);
  const payloadLength = checkNumber("payloadLength", h.payloadLength, MAX_PAYLOAD_LENGTH);
  const seqnum = checkBigint("seqnum", h.seqnum, MAX_SEQNUM);
  const bytes = new Uint8Array(HEADER_SIZE);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, (version << 46n) | sender);
  view.setBigUint64(8, (nodeId << 46n) | receiver);
  view.setBigUint64(16, (type << 52n) | (extensionLength << 46n) | timestamp);
  view.setBigUint64(24, (payloadLength << 50n) | seqnum);
  return bytes;
}

/**
 * The header at bytes[offset .. offset + HEADER_SIZE); every bit pattern is a header
 * (checking the version and type is the caller's business). Throws HeaderTooShort.
 */
export function decodeHeader(bytes: Uint8Array, offset = 0): Header {
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  }
  if (bytes.length - offset < HEADER_SIZE) {
    throw new HeaderTooShort(Math.max(bytes.length - offset, 0));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, HEADER_SIZE);
  const w0 = view.getBigUint64(0);
  const w1 = view.getBigUint64(8);
  const w2 = view.getBigUint64(16);
  const w3 = view.getBigUint64(24);
  return {
    version: Number(w0 >> 46n),
    sender: w0 & 0x3fffffffffffn,
    nodeId: Number(w1 >> 46n),
    receiver: w1 & 0x3fffffffffffn,
    type: Number(w2 >> 52n),
    extensionLength: Number((w2 >> 46n) & 0x3fn),
    timestamp: w2 & 0x3fffffffffffn,
    payloadLength: Number(w3 >> 50n),
    seqnum: w3 & 0x3ffffffffffffn,
  };
}
