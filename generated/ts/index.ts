/**
 * The PRIM TypeScript SDK: the HTTP client, the JSON types of the API, and the wire
 * header codec (also as the namespace `wire`, whose names such as `wire.MsgType` and
 * `wire.Header` would otherwise collide with the JSON types of the same name).
 *
 * Generated from spec/prim/v1 by `make gen` (codegen/emitters/ts.py); do not edit.
 */

export * from "./types.js";
export * from "./client.js";
export * from "./constants.js";
export * from "./validate.js";
export * as wire from "./header.js";
export * from "./payloads.js";
export {
  HEADER_FIELDS,
  HEADER_SIZE,
  HeaderFieldOverflow,
  HeaderTooShort,
  MAX_EXTENSION_LENGTH,
  MAX_NODE_ID,
  MAX_PAYLOAD_LENGTH,
  MAX_RECEIVER,
  MAX_SENDER,
  MAX_SEQNUM,
  MAX_TIMESTAMP,
  MAX_TYPE,
  MAX_VERSION,
  MSG_TYPE_INFO,
  PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  decodeHeader,
  encodeHeader,
  msgTypeInfo,
} from "./header.js";
