// The raw-QUIC modules test/wire.mjs uses, resolved from this folder's node_modules.
export * as quic from "@matrixai/quic";
export { default as Logger, LogLevel } from "@matrixai/logger";
