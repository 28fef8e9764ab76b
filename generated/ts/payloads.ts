/**
 * Schemas of the structured frame payloads (protobuf binary), for the SDK's codec.
 *
 * Generated from spec/prim/v1 by `make gen` (codegen/emitters/_ts_payloads.py); do not edit.
 */

import type * as T from "./types.js";

/** One field: its number, JSON name and protobuf kind. */
export interface FieldSchema {
  readonly no: number;
  readonly name: string;
  readonly kind: string;
  readonly repeated: boolean;
  /** Enum fields: value number -> name. */
  readonly enumNames?: Readonly<Record<number, string>>;
  /** Message fields: the nested message's schema (a function: schemas may nest). */
  readonly message?: () => MessageSchema<object>;
}

/** A message's schema; `T` is the JSON type decoding gives. */
export interface MessageSchema<T extends object> {
  readonly name: string;
  readonly fields: readonly FieldSchema[];
  /** Never set: carries the JSON type for the codec's signatures. */
  readonly __type?: T;
}

const ErrorCodeNames: Readonly<Record<number, string>> = {
  0: "ERROR_CODE_UNSPECIFIED",
  1: "ERROR_CODE_INVALID_ARGUMENT",
  2: "ERROR_CODE_UNAUTHENTICATED",
  3: "ERROR_CODE_INVALID_CREDENTIALS",
  4: "ERROR_CODE_PERMISSION_DENIED",
  5: "ERROR_CODE_NOT_FOUND",
  6: "ERROR_CODE_ALREADY_EXISTS",
  7: "ERROR_CODE_FAILED_PRECONDITION",
  8: "ERROR_CODE_BLOCKED",
  9: "ERROR_CODE_EXPIRED",
  10: "ERROR_CODE_PAYLOAD_TOO_LARGE",
  11: "ERROR_CODE_UNSUPPORTED_MEDIA_TYPE",
  12: "ERROR_CODE_RATE_LIMITED",
  13: "ERROR_CODE_INTERNAL",
  14: "ERROR_CODE_UNAVAILABLE",
  15: "ERROR_CODE_METHOD_NOT_ALLOWED",
  16: "ERROR_CODE_IDEMPOTENCY_CONFLICT",
  32: "ERROR_CODE_MALFORMED_FRAME",
  33: "ERROR_CODE_UNKNOWN_TYPE",
  34: "ERROR_CODE_AUTH_REQUIRED",
  35: "ERROR_CODE_SENDER_MISMATCH",
  36: "ERROR_CODE_FRAME_TOO_LARGE",
  37: "ERROR_CODE_IDLE_TIMEOUT",
  38: "ERROR_CODE_BE_OFFLINE",
};

const FriendEventKindNames: Readonly<Record<number, string>> = {
  0: "FRIEND_EVENT_KIND_UNSPECIFIED",
  1: "FRIEND_EVENT_KIND_REQUESTED",
  2: "FRIEND_EVENT_KIND_ACCEPTED",
  3: "FRIEND_EVENT_KIND_REJECTED",
  4: "FRIEND_EVENT_KIND_REMOVED",
};

const GroupEventKindNames: Readonly<Record<number, string>> = {
  0: "GROUP_EVENT_KIND_UNSPECIFIED",
  1: "GROUP_EVENT_KIND_JOIN_REQUESTED",
  2: "GROUP_EVENT_KIND_JOIN_APPROVED",
  3: "GROUP_EVENT_KIND_JOIN_REJECTED",
  4: "GROUP_EVENT_KIND_MEMBER_JOINED",
  5: "GROUP_EVENT_KIND_MEMBER_LEFT",
  6: "GROUP_EVENT_KIND_MEMBER_KICKED",
  7: "GROUP_EVENT_KIND_DESTROYED",
  8: "GROUP_EVENT_KIND_ADMIN_GRANTED",
  9: "GROUP_EVENT_KIND_ADMIN_REVOKED",
};

export const AckPayloadSchema: MessageSchema<T.AckPayload> = {
  name: "prim.v1.AckPayload",
  fields: [
    { no: 1, name: "serverTimestampMs", kind: "uint64", repeated: false },
    { no: 2, name: "duplicate", kind: "bool", repeated: false },
  ],
};

export const EditPayloadSchema: MessageSchema<T.EditPayload> = {
  name: "prim.v1.EditPayload",
  fields: [
    { no: 1, name: "targetSeqnum", kind: "uint64", repeated: false },
    { no: 2, name: "newPayload", kind: "bytes", repeated: false },
  ],
};

export const FieldViolationSchema: MessageSchema<T.FieldViolation> = {
  name: "prim.v1.FieldViolation",
  fields: [
    { no: 1, name: "field", kind: "string", repeated: false },
    { no: 2, name: "description", kind: "string", repeated: false },
  ],
};

export const ErrorSchema: MessageSchema<T.Error> = {
  name: "prim.v1.Error",
  fields: [
    { no: 1, name: "code", kind: "enum", repeated: false, enumNames: ErrorCodeNames },
    { no: 2, name: "message", kind: "string", repeated: false },
    { no: 3, name: "field", kind: "string", repeated: false },
    { no: 4, name: "refTimestampMs", kind: "uint64", repeated: false },
    { no: 5, name: "refSeqnum", kind: "uint64", repeated: false },
    { no: 6, name: "violations", kind: "message", repeated: true, message: () => FieldViolationSchema },
    { no: 7, name: "retryAfterMs", kind: "uint32", repeated: false },
  ],
};

export const FriendEventSchema: MessageSchema<T.FriendEvent> = {
  name: "prim.v1.FriendEvent",
  fields: [
    { no: 1, name: "kind", kind: "enum", repeated: false, enumNames: FriendEventKindNames },
    { no: 2, name: "requesterId", kind: "uint64", repeated: false },
    { no: 3, name: "targetId", kind: "uint64", repeated: false },
    { no: 4, name: "message", kind: "string", repeated: false },
    { no: 5, name: "expiresAtMs", kind: "uint64", repeated: false },
  ],
};

export const GroupEventSchema: MessageSchema<T.GroupEvent> = {
  name: "prim.v1.GroupEvent",
  fields: [
    { no: 1, name: "kind", kind: "enum", repeated: false, enumNames: GroupEventKindNames },
    { no: 2, name: "groupId", kind: "uint64", repeated: false },
    { no: 3, name: "userId", kind: "uint64", repeated: false },
    { no: 4, name: "actorId", kind: "uint64", repeated: false },
    { no: 5, name: "message", kind: "string", repeated: false },
  ],
};

export const MediaRefSchema: MessageSchema<T.MediaRef> = {
  name: "prim.v1.MediaRef",
  fields: [
    { no: 1, name: "fileId", kind: "string", repeated: false },
    { no: 2, name: "contentType", kind: "string", repeated: false },
    { no: 3, name: "size", kind: "uint64", repeated: false },
    { no: 4, name: "name", kind: "string", repeated: false },
    { no: 5, name: "sha256", kind: "string", repeated: false },
    { no: 6, name: "width", kind: "uint32", repeated: false },
    { no: 7, name: "height", kind: "uint32", repeated: false },
    { no: 8, name: "durationMs", kind: "uint32", repeated: false },
    { no: 9, name: "caption", kind: "string", repeated: false },
  ],
};

export const ReadReceiptPayloadSchema: MessageSchema<T.ReadReceiptPayload> = {
  name: "prim.v1.ReadReceiptPayload",
  fields: [
    { no: 1, name: "seqnum", kind: "uint64", repeated: false },
  ],
};

export const RelationshipEventSchema: MessageSchema<T.RelationshipEvent> = {
  name: "prim.v1.RelationshipEvent",
  fields: [
    { no: 1, name: "userId", kind: "uint64", repeated: false },
    { no: 2, name: "blocked", kind: "bool", repeated: false },
  ],
};

export const WithdrawPayloadSchema: MessageSchema<T.WithdrawPayload> = {
  name: "prim.v1.WithdrawPayload",
  fields: [
    { no: 1, name: "targetSeqnum", kind: "uint64", repeated: false },
  ],
};

/** The schema of each payload message, by its full proto name. */
export const PAYLOAD_SCHEMAS: Readonly<Record<string, MessageSchema<object>>> = {
  "prim.v1.AckPayload": AckPayloadSchema,
  "prim.v1.EditPayload": EditPayloadSchema,
  "prim.v1.FieldViolation": FieldViolationSchema,
  "prim.v1.Error": ErrorSchema,
  "prim.v1.FriendEvent": FriendEventSchema,
  "prim.v1.GroupEvent": GroupEventSchema,
  "prim.v1.MediaRef": MediaRefSchema,
  "prim.v1.ReadReceiptPayload": ReadReceiptPayloadSchema,
  "prim.v1.RelationshipEvent": RelationshipEventSchema,
  "prim.v1.WithdrawPayload": WithdrawPayloadSchema,
};
