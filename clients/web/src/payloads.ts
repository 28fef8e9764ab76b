/** What a stored message shows: its text, or the file it references. Payloads arrive as
 * base64 in the HTTP API's JSON (proto3 JSON for bytes). */

import type { ChatMessage, MediaRef, MsgType } from "@prim/sdk";
import { decodeMedia } from "./messaging.js";

export const MEDIA_TYPES: ReadonlySet<MsgType> = new Set<MsgType>([
  "MSG_TYPE_IMAGE", "MSG_TYPE_FILE", "MSG_TYPE_VIDEO", "MSG_TYPE_AUDIO",
]);
/** The message types a conversation shows (edits and withdrawals change those in place). */
export const SHOWN_TYPES: ReadonlySet<MsgType> = new Set<MsgType>([
  "MSG_TYPE_TEXT", "MSG_TYPE_MEME", "MSG_TYPE_SYSTEM_MESSAGE", ...MEDIA_TYPES,
]);

export function base64ToBytes(text: string | undefined): Uint8Array {
  const binary = atob((text ?? "").replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function textOf(message: ChatMessage): string {
  return new TextDecoder().decode(base64ToBytes(message.payload));
}

export function mediaOf(message: ChatMessage): MediaRef | undefined {
  return message.type && MEDIA_TYPES.has(message.type)
    ? decodeMedia(base64ToBytes(message.payload))
    : undefined;
}

/** One line for the conversation list. */
export function previewOf(message: ChatMessage | undefined): string {
  if (!message) return "";
  if (message.withdrawn) return "(withdrawn)";
  if (message.type === "MSG_TYPE_IMAGE") return "[image]";
  if (message.type && MEDIA_TYPES.has(message.type)) return `[file] ${mediaOf(message)?.name ?? ""}`.trim();
  return textOf(message);
}
