/**
 * The PRIM TypeScript SDK: everything generated from the spec (the HTTP client
 * `PrimClient`, the JSON types, the header codec as `wire`, the payload schemas) and the
 * real-time wire client `WireClient` with its frame codec and transports.
 */

export * from "../../../generated/ts/index.js";
export * from "./frame.js";
export * from "./gaps.js";
export * from "./protobuf.js";
export * from "./session.js";
export * from "./transport.js";
