/** What a stored message shows: its text, or the file it references. Payloads arrive as
 * base64 in the HTTP API's JSON (proto3 JSON for bytes). */

import {
  type ChatMessage,
  type EditPayload,
  type MediaRef,
  type MsgType,
  type WithdrawPayload,
  EditPayloadSchema,
  WithdrawPayloadSchema,
  decodeMessage,
  fromBase64,
} from "@prim/sdk";
import { decodeMedia } from "./messaging.js";

export const MEDIA_TYPES: ReadonlySet<MsgType> = new Set<MsgType>([
  "MSG_TYPE_IMAGE", "MSG_TYPE_FILE", "MSG_TYPE_VIDEO", "MSG_TYPE_AUDIO",
]);
/** The message types a conversation shows (edits and withdrawals change those in place). */
export const SHOWN_TYPES: ReadonlySet<MsgType> = new Set<MsgType>([
  "MSG_TYPE_TEXT", "MSG_TYPE_MEME", "MSG_TYPE_SYSTEM_MESSAGE", ...MEDIA_TYPES,
]);

export function textOf(message: ChatMessage): string {
  return new TextDecoder().decode(fromBase64(message.payload ?? ""));
}

export function mediaOf(message: ChatMessage): MediaRef | undefined {
  return message.type && MEDIA_TYPES.has(message.type)
    ? decodeMedia(fromBase64(message.payload ?? ""))
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

/** What an Edit or Withdraw message changes: the target's seqnum, and an edit's new payload
 * (base64, as stored messages carry it). */
export function changeOf(message: ChatMessage): { target: string; newPayload?: string } | undefined {
  try {
    if (message.type === "MSG_TYPE_EDIT") {
      const edit: EditPayload = decodeMessage(EditPayloadSchema, fromBase64(message.payload ?? ""));
      return { target: edit.targetSeqnum ?? "0", newPayload: edit.newPayload ?? "" };
    }
    if (message.type === "MSG_TYPE_WITHDRAW") {
      const withdraw: WithdrawPayload = decodeMessage(WithdrawPayloadSchema, fromBase64(message.payload ?? ""));
      return { target: withdraw.targetSeqnum ?? "0" };
    }
  } catch {
    return undefined;
  }
  return undefined;
}
