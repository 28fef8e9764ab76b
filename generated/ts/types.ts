/**
 * TypeScript types of every PRIM message and enum in proto3 JSON form: lowerCamelCase
 * field names, 64-bit integers and bytes (base64) as strings, enums as the names of
 * their values, maps as records. A field a server leaves at its default value is
 * absent, so every field is optional except REQUIRED fields of request messages.
 *
 * Generated from spec/prim/v1 by `make gen` (codegen/emitters/_ts_types.py); do not edit.
 */

// ---- prim/v1/accounts.proto ----

export type NewUserIdRequest = Record<string, never>;

export interface NewUserIdResponse {
  userId?: string;
}

export interface SignupRequest {
  /** An id from NewUserId; absent: the server assigns one. */
  userId?: string;
  /** At least 8 and at most 128 characters. */
  password: string;
  /** 1 to 64 characters. */
  nickname: string;
}

export interface SignupResponse {
  userId?: string;
}

export interface LoginRequest {
  userId: string;
  password: string;
  /** A name for this device ("laptop"); each login is its own device session. */
  deviceName?: string;
}

export interface LoginResponse {
  /** Send as `Authorization: Bearer <token>` and as the payload of the wire Auth frame. */
  accessToken?: string;
  userId?: string;
  /** Milliseconds since the Unix epoch at which the token stops working. */
  expiresAtMs?: string;
  /** Identifies this session among the user's devices. */
  deviceId?: string;
}

export type LogoutRequest = Record<string, never>;

export type LogoutResponse = Record<string, never>;

export interface DeleteAccountRequest {
  password: string;
}

export type DeleteAccountResponse = Record<string, never>;

export interface ChangePasswordRequest {
  currentPassword: string;
  /** At least 8 and at most 128 characters. */
  newPassword: string;
}

export interface ChangePasswordResponse {
  /** How many other sessions were revoked. */
  revokedSessions?: number;
}

export type ListSessionsRequest = Record<string, never>;

export interface SessionInfo {
  /** The id Login returned for this session. */
  deviceId?: string;
  /** Milliseconds since the Unix epoch: when it was opened, and when its token expires. */
  createdAtMs?: string;
  expiresAtMs?: string;
  /** True for the session the request was made with. */
  current?: boolean;
}

export interface ListSessionsResponse {
  sessions?: SessionInfo[];
}

export interface RevokeSessionRequest {
  /** A device id from ListSessions (or LoginResponse). "current" is Logout's path. */
  deviceId: string;
}

export type RevokeSessionResponse = Record<string, never>;

export type RevokeOtherSessionsRequest = Record<string, never>;

export interface RevokeOtherSessionsResponse {
  /** How many sessions were revoked. */
  revokedSessions?: number;
}

// ---- prim/v1/conformance.proto ----

export type CaseTransport =
  /** QUIC first, TLS/TCP when QUIC does not answer in time */
  | "CASE_TRANSPORT_UNSPECIFIED"
  | "CASE_TRANSPORT_QUIC"
  | "CASE_TRANSPORT_TCP";

export type CaseAuth =
  /** Send Auth with the device's token and wait for the Auth answer. */
  | "CASE_AUTH_UNSPECIFIED"
  /** Open the transport only; the case sends (or does not send) Auth itself. */
  | "CASE_AUTH_NONE";

export type DriverStatus =
  | "DRIVER_STATUS_UNSPECIFIED"
  | "DRIVER_STATUS_OK"
  /** The client cannot do this (verdict: unsupported). */
  | "DRIVER_STATUS_UNSUPPORTED"
  /** It tried and failed (e.g. the transport did not connect). */
  | "DRIVER_STATUS_FAILED";

export interface ConformanceCase {
  /** Unique, snake_case; the file name without .yaml by convention. */
  name?: string;
  description?: string;
  /** The PROTOCOL.md rules it checks, by section (e.g. "3.1 Auth first"). */
  rules?: string[];
  /**
   * Client features the case needs (see `DriverHello.unsupported_features`): a driver that
   * lacks one gets the verdict "unsupported".
   */
  requires?: string[];
  /**
   * Server capabilities it needs: "restart" (the runner can restart the server),
   * "config" (the runner starts the server with `server_config`), "single_node" (every
   * connection reaches the same node, so per-node limits such as
   * gateway.max_connections_per_ip see them all; a cluster spreads them over its nodes).
   */
  serverRequires?: string[];
  /**
   * Configuration overrides (`prim serve` config keys, e.g. "gateway.idle_timeout": "1")
   * the server under test must run with; cases with the same overrides share a server.
   */
  serverConfig?: Record<string, string>;
  actors?: Actor[];
  steps?: Step[];
  /**
   * The case runs alone on its server (no other case of any client at the same time): it
   * depends on something server-wide that other cases would disturb or be disturbed by.
   * The runner also derives this: a case that restarts the server, or whose
   * `server_config` sets a per-IP limit (every connection of a run comes from one
   * address), runs alone without it.
   */
  exclusive?: boolean;
}

/** A user the runner signs up before the first step, with one session (Login) per device. */
export interface Actor {
  name?: string;
  /**
   * Device names; each is a session of its own (its own device id and token). Default: one
   * device named "d".
   */
  devices?: string[];
}

export interface Step {
  /** Shown in failure reports. */
  note?: string;
  /** Member of oneof `action`: set at most one of its fields. */
  http?: HttpStep;
  /** Member of oneof `action`: set at most one of its fields. */
  connect?: ConnectStep;
  /** Member of oneof `action`: set at most one of its fields. */
  send?: SendStep;
  /** Member of oneof `action`: set at most one of its fields. */
  expect?: ExpectStep;
  /** Member of oneof `action`: set at most one of its fields. */
  disconnect?: DisconnectStep;
  /** Member of oneof `action`: set at most one of its fields. */
  restart?: RestartStep;
  /** Member of oneof `action`: set at most one of its fields. */
  sleep?: SleepStep;
  /** Member of oneof `action`: set at most one of its fields. */
  stopReading?: StopReadingStep;
}

/** An HTTP API call the runner makes itself. */
export interface HttpStep {
  /** "alice" or "alice.phone": whose bearer token (none: a public call). */
  actor?: string;
  /** The spec's operationId, e.g. "FriendService_SendFriendRequest". */
  operation?: string;
  /**
   * The request message in proto3 JSON; path and query fields are taken from it as the
   * route says. String values may hold references.
   */
  body?: { [key: string]: unknown };
  /** Expected HTTP status (default: 2xx). */
  status?: number;
  /** Expected ErrorCode of an error answer. */
  code?: ErrorCode;
  /** name -> dotted path into the JSON answer ("group.id"); later steps use `${name}`. */
  save?: Record<string, string>;
  /**
   * Subset match against the JSON answer (values may hold references; a list matches
   * a list of the same length element by element).
   */
  response?: { [key: string]: unknown };
}

export interface ConnectStep {
  /** The connection's name in later steps (default: the device, "alice.d"). */
  connection?: string;
  /** "alice" or "alice.phone". */
  device?: string;
  transport?: CaseTransport;
  auth?: CaseAuth;
  /**
   * Make QUIC unreachable (the runner hands out an address where UDP is dropped), so only
   * a client that falls back to TLS/TCP connects.
   */
  blockQuic?: boolean;
}

export interface SendStep {
  connection?: string;
  type?: MsgType;
  /**
   * References or decimal numbers; defaults: sender = the connection's user, receiver = 0,
   * timestamp = a fresh client timestamp (unique per run), seqnum = node_id = 0,
   * version = PROTOCOL_VERSION.
   */
  sender?: string;
  receiver?: string;
  timestamp?: string;
  seqnum?: string;
  nodeId?: string;
  version?: string;
  /**
   * UTF-8 text (Text, Meme, Auth).
   * Member of oneof `payload`: set at most one of its fields.
   */
  text?: string;
  /**
   * Raw payload bytes in hex (may be invalid for the type: bad-input cases).
   * Member of oneof `payload`: set at most one of its fields.
   */
  payloadHex?: string;
  /**
   * The payload message of the type (wire.proto's payload_message) in proto3 JSON.
   * Member of oneof `payload`: set at most one of its fields.
   */
  fields?: { [key: string]: unknown };
  extensionHex?: string;
  /** Instead of a frame: exactly these bytes (hex) on the stream (feature "raw_bytes"). */
  rawHex?: string;
  /**
   * Names the frame for references: `${label.timestamp}`, and once its Ack arrived
   * `${label.seqnum}`.
   */
  label?: string;
}

/**
 * Frames expected on one connection, in the order given; frames that match none of the
 * matchers are passed over unless `strict`.
 */
export interface ExpectStep {
  connection?: string;
  frames?: FrameMatcher[];
  /** How long to wait for all of them (default 3000 ms). */
  withinMs?: number;
  /** Every frame that arrives must match the next matcher. */
  strict?: boolean;
  /**
   * Then: no frame matching any of `none` arrives for `quiet_ms` (default 300 ms when
   * `none` is set).
   */
  none?: FrameMatcher[];
  quietMs?: number;
  /** Then: the server closes the connection (within `within_ms`). */
  closed?: boolean;
}

/**
 * Every set field must match; unset fields match anything. Numbers as references or
 * decimals.
 */
export interface FrameMatcher {
  type?: MsgType;
  sender?: string;
  receiver?: string;
  seqnum?: string;
  timestamp?: string;
  /** For Error, BeOffline, InternalError frames: the Error payload's code. */
  code?: ErrorCode;
  /** The payload as UTF-8 text, or its hex (`ab*3` = `ababab`); "" matches an empty one. */
  text?: string;
  payloadHex?: string;
  /** Subset match against the decoded payload message in proto3 JSON. */
  fields?: { [key: string]: unknown };
  extensionHex?: string;
  /** The frame is kept as `${save.seqnum}`, `${save.timestamp}`, ... */
  save?: string;
  /** seqnum greater than this (e.g. "${m1.seqnum}"). */
  seqnumAbove?: string;
  /**
   * Came through the client's gap filling or catch-up from history, not live (SDK-style
   * drivers report such messages with `ObservedFrame.from_history`); unset: either.
   */
  fromHistory?: boolean;
}

export interface DisconnectStep {
  connection?: string;
}

/** Restart the server under test (capability "restart"); every connection is lost. */
export type RestartStep = Record<string, never>;

export interface SleepStep {
  ms?: number;
}

/**
 * The client stops reading the connection for `ms` (client feature "stop_reading"), as a
 * device that stopped processing does: nothing is taken from the transport, so no
 * flow-control credit and no acknowledgements go back; then it reads again (and reports
 * what it finds, the close included). The step returns at once.
 */
export interface StopReadingStep {
  connection?: string;
  ms?: number;
}

/** Runner -> driver. */
export interface DriverRequest {
  id?: string;
  /** Member of oneof `action`: set at most one of its fields. */
  connect?: DriverConnect;
  /** Member of oneof `action`: set at most one of its fields. */
  send?: DriverSend;
  /** Member of oneof `action`: set at most one of its fields. */
  disconnect?: DriverDisconnect;
  /**
   * End of a case: close every connection and forget it; answered once all are closed.
   * Member of oneof `action`: set at most one of its fields.
   */
  reset?: DriverReset;
  /** Member of oneof `action`: set at most one of its fields. */
  stopReading?: DriverStopReading;
}

/**
 * Open a connection (and, unless auth = CASE_AUTH_NONE, authenticate). Answered once
 * authenticated (or open); a refused Auth is a DriverResult with ok and the Error frame
 * reported as an Observation, followed by the closing.
 */
export interface DriverConnect {
  connection?: string;
  host?: string;
  port?: number;
  transport?: CaseTransport;
  /** The CA file that signs the server's certificate. */
  caFile?: string;
  /** The HTTP API (for drivers that need it, e.g. an SDK's own catch-up). */
  httpBaseUrl?: string;
  userId?: string;
  accessToken?: string;
  deviceId?: string;
  auth?: CaseAuth;
  /** How long QUIC may take before falling back to TCP (CASE_TRANSPORT_UNSPECIFIED). */
  quicTimeoutMs?: number;
}

export interface DriverSend {
  connection?: string;
  /** The frame; its lengths are those of payload and extension. */
  frame?: ObservedFrame;
  /** When set: write exactly these bytes instead of the frame. */
  raw?: string;
}

export interface DriverDisconnect {
  connection?: string;
}

export type DriverReset = Record<string, never>;

/**
 * Stop reading the connection at the transport for `ms`, then read again (see
 * StopReadingStep); answered at once. A driver that cannot declares "stop_reading".
 */
export interface DriverStopReading {
  connection?: string;
  ms?: number;
}

/** Driver -> runner. */
export interface DriverMessage {
  /** Member of oneof `kind`: set at most one of its fields. */
  hello?: DriverHello;
  /** Member of oneof `kind`: set at most one of its fields. */
  result?: DriverResult;
  /** Member of oneof `kind`: set at most one of its fields. */
  observation?: Observation;
}

export interface DriverHello {
  /** e.g. "python-sdk" */
  name?: string;
  version?: string;
  /**
   * Features of conformance/README.md this client lacks ("raw_bytes", "explicit_header",
   * "explicit_auth", "typing", ...); cases requiring them are "unsupported".
   */
  unsupportedFeatures?: string[];
}

export interface DriverResult {
  id?: string;
  status?: DriverStatus;
  /** What went wrong or why it is unsupported. */
  detail?: string;
  /** The transport in use after a connect ("quic" or "tcp"). */
  transport?: string;
}

/** Something that arrived on a connection. */
export interface Observation {
  connection?: string;
  /** Member of oneof `event`: set at most one of its fields. */
  frame?: ObservedFrame;
  /**
   * The connection is closed (by the server, or it broke).
   * Member of oneof `event`: set at most one of its fields.
   */
  closed?: ConnectionEnded;
}

export interface ObservedFrame {
  version?: number;
  sender?: string;
  nodeId?: number;
  receiver?: string;
  type?: MsgType;
  timestamp?: string;
  seqnum?: string;
  payload?: string;
  extension?: string;
  /** The client got it from history (gap fill, catch-up), not from the live stream. */
  fromHistory?: boolean;
}

export interface ConnectionEnded {
  reason?: string;
}

// ---- prim/v1/error_options.proto ----

export type ErrorScope =
  /** Only where an RPC declares it. */
  | "ERROR_SCOPE_UNSPECIFIED"
  /** Any HTTP call can answer it (a malformed request, a server failure). */
  | "ERROR_SCOPE_EVERY_CALL"
  /** Any call that needs a bearer token. */
  | "ERROR_SCOPE_AUTHENTICATED"
  /** Any call that sends a request body (its size and media type are checked first). */
  | "ERROR_SCOPE_WITH_BODY"
  /** Answered for a path or verb no RPC serves: an HTTP answer, but no operation's. */
  | "ERROR_SCOPE_ROUTING"
  /** Only in wire Error frames: never an HTTP answer, absent from the HTTP API's enum. */
  | "ERROR_SCOPE_WIRE";

// ---- prim/v1/errors.proto ----

export type ErrorCode =
  /** Never sent; what a reader sees for a code it does not know. */
  | "ERROR_CODE_UNSPECIFIED"
  /** A field is missing, malformed or out of range; `Error.violations` names it. */
  | "ERROR_CODE_INVALID_ARGUMENT"
  /** No token, or a token that is unknown, expired or revoked. */
  | "ERROR_CODE_UNAUTHENTICATED"
  /** Wrong user id or password. */
  | "ERROR_CODE_INVALID_CREDENTIALS"
  /** The caller is known but may not do this (not a member, not an admin, not the author). */
  | "ERROR_CODE_PERMISSION_DENIED"
  /** No such resource, or none the caller may know of. */
  | "ERROR_CODE_NOT_FOUND"
  /** What the call would create exists already (a user id, a friendship, a request). */
  | "ERROR_CODE_ALREADY_EXISTS"
  /** The resource is not in a state that allows this (e.g. accepting an answered request). */
  | "ERROR_CODE_FAILED_PRECONDITION"
  /** The target has blocked the caller. */
  | "ERROR_CODE_BLOCKED"
  /** Something that expires did (a friend request after 7 days). */
  | "ERROR_CODE_EXPIRED"
  /** The body, or a file against the per-file limit or the user's quota, is too large. */
  | "ERROR_CODE_PAYLOAD_TOO_LARGE"
  /** The body's Content-Type is not one the operation accepts. */
  | "ERROR_CODE_UNSUPPORTED_MEDIA_TYPE"
  /** Too many attempts or calls; `Error.retry_after_ms` (and Retry-After) says when to retry. */
  | "ERROR_CODE_RATE_LIMITED"
  /** The server failed; retrying later may succeed. */
  | "ERROR_CODE_INTERNAL"
  /**
   * The server is overloaded or a service it needs is down; retry, after
   * `Error.retry_after_ms` when given.
   */
  | "ERROR_CODE_UNAVAILABLE"
  /** The path exists but not with this HTTP method; the Allow header lists those it has. */
  | "ERROR_CODE_METHOD_NOT_ALLOWED"
  /**
   * A resend whose idempotency key (sender, receiver, device, client timestamp) names a
   * stored message of another type or payload: pick a fresh timestamp for a new message.
   */
  | "ERROR_CODE_IDEMPOTENCY_CONFLICT"
  /**
   * Wire protocol errors (sent in an Error frame; the HTTP status is what an HTTP
   * front end would answer for the same fault).
   * A frame whose bytes cannot be a frame: bad lengths, bad version, truncated.
   */
  | "ERROR_CODE_MALFORMED_FRAME"
  /** A type number the server does not know, or one a client may not send. */
  | "ERROR_CODE_UNKNOWN_TYPE"
  /** A frame other than Auth arrived before Auth succeeded. */
  | "ERROR_CODE_AUTH_REQUIRED"
  /** The frame's sender is not the authenticated user. */
  | "ERROR_CODE_SENDER_MISMATCH"
  /** payload or extension past the limits of the header's field widths or configuration. */
  | "ERROR_CODE_FRAME_TOO_LARGE"
  /** The connection sent nothing for longer than the idle timeout. */
  | "ERROR_CODE_IDLE_TIMEOUT"
  /**
   * The same user signed in elsewhere with a policy of one device, or the server is
   * draining this node.
   */
  | "ERROR_CODE_BE_OFFLINE";

/** The body of every HTTP error response, and the payload of a wire Error frame. */
export interface Error {
  code?: ErrorCode;
  /** A sentence for a person: what went wrong and what to do. */
  message?: string;
  /**
   * The request field at fault, as its proto name (e.g. "user_id"), when there is one.
   * `violations` names it as the JSON sends it.
   */
  field?: string;
  /**
   * For wire errors: the seqnum or client timestamp of the frame that failed, so a client
   * can match the error to what it sent.
   */
  refTimestampMs?: string;
  refSeqnum?: string;
  /** The request fields at fault, one entry each (empty when the fault is not a field's). */
  violations?: FieldViolation[];
  /**
   * When the server knows it (rate limits, overload): how long to wait before retrying, in
   * milliseconds; 0 when unknown. An HTTP answer also carries it as Retry-After (seconds).
   */
  retryAfterMs?: number;
}

/** One request field at fault. */
export interface FieldViolation {
  /**
   * The field's path as the JSON sends it: lowerCamelCase, dotted for nested fields
   * (e.g. "userId", "message.conversationId").
   */
  field?: string;
  /** What is wrong with it. */
  description?: string;
}

// ---- prim/v1/files.proto ----

export interface FileInfo {
  fileId?: string;
  /**
   * The media type the upload declared, normalised: RFC 6838 type/subtype names in lower
   * case, then optional parameters of printable ASCII after "; ".
   */
  contentType?: string;
  size?: string;
  name?: string;
  /** Hex SHA-256 of the bytes. */
  sha256?: string;
  uploaderId?: string;
  createdAtMs?: string;
}

export interface UploadFileRequest {
  /**
   * Which message type the file is for; it decides the allowed content types (the type's
   * media_types in wire.proto: the upload kinds are exactly the types that have some).
   */
  kind: MsgType;
  /** The original file name, shown to receivers. */
  name?: string;
  content?: HttpBody;
}

export interface GetFileInfoRequest {
  fileId: string;
}

export interface DownloadFileRequest {
  fileId: string;
}

export interface ListFilesRequest {
  pageSize?: number;
  pageToken?: string;
}

export interface ListFilesResponse {
  files?: FileInfo[];
  nextPageToken?: string;
  /** Bytes of all the caller's files, and how many they may keep. */
  usedBytes?: string;
  quotaBytes?: string;
}

export interface DeleteFileRequest {
  fileId: string;
}

export type DeleteFileResponse = Record<string, never>;

// ---- prim/v1/friends.proto ----

export type FriendStatus =
  | "FRIEND_STATUS_UNSPECIFIED"
  | "FRIEND_STATUS_NORMAL"
  /** Starred: shown first, notified always. */
  | "FRIEND_STATUS_SPECIAL"
  /** Messages arrive but do not notify. */
  | "FRIEND_STATUS_MUTED";

/**
 * A friend request's state; the numbers are JoinRequestState's (one storage column holds
 * both).
 */
export type FriendRequestState =
  | "FRIEND_REQUEST_STATE_UNSPECIFIED"
  | "FRIEND_REQUEST_STATE_PENDING"
  | "FRIEND_REQUEST_STATE_ACCEPTED"
  | "FRIEND_REQUEST_STATE_REJECTED";

export type RequestDirection =
  /** both */
  | "REQUEST_DIRECTION_UNSPECIFIED"
  | "REQUEST_DIRECTION_INCOMING"
  | "REQUEST_DIRECTION_OUTGOING";

export interface FriendRequest {
  requesterId?: string;
  targetId?: string;
  message?: string;
  /** Milliseconds since the Unix epoch. */
  createdAtMs?: string;
  expiresAtMs?: string;
  /** PENDING but in the answers of Accept and Reject. */
  state?: FriendRequestState;
}

export interface Friend {
  userId?: string;
  remark?: string;
  status?: FriendStatus;
  classification?: string;
  tags?: string[];
  /** Milliseconds since the Unix epoch: when the friendship began. */
  sinceMs?: string;
}

export interface Relationship {
  userId?: string;
  isFriend?: boolean;
  /** Present when is_friend. */
  friend?: Friend;
  /** The caller blocked user_id. */
  blocking?: boolean;
  /** user_id blocked the caller. */
  blockedBy?: boolean;
  /** A pending request between the two, if any. */
  pendingRequest?: FriendRequest;
}

export interface SendFriendRequestRequest {
  userId: string;
  /** Shown to the target with the request. */
  message?: string;
  /** The remark the requester will see for the target once accepted. */
  remark?: string;
}

export interface ListFriendRequestsRequest {
  direction?: RequestDirection;
  pageSize?: number;
  pageToken?: string;
}

export interface ListFriendRequestsResponse {
  requests?: FriendRequest[];
  nextPageToken?: string;
}

export interface AcceptFriendRequestRequest {
  requesterId: string;
  /** The remark the accepting user gives the requester. */
  remark?: string;
}

export interface RejectFriendRequestRequest {
  requesterId: string;
  reason?: string;
}

export interface ListFriendsRequest {
  pageSize?: number;
  pageToken?: string;
  /** Only friends in this classification, when set. */
  classification?: string;
}

export interface ListFriendsResponse {
  friends?: Friend[];
  nextPageToken?: string;
}

export interface GetRelationshipRequest {
  userId: string;
}

export interface TagList {
  tags?: string[];
}

export interface UpdateFriendRequest {
  userId: string;
  remark?: string;
  status?: FriendStatus;
  classification?: string;
  /** Replaces all tags when present. */
  tags?: TagList;
}

export interface DeleteFriendRequest {
  userId: string;
}

export type DeleteFriendResponse = Record<string, never>;

export interface BlockUserRequest {
  userId: string;
}

export interface UnblockUserRequest {
  userId: string;
}

// ---- prim/v1/groups.proto ----

export type GroupRole =
  | "GROUP_ROLE_UNSPECIFIED"
  | "GROUP_ROLE_MEMBER"
  | "GROUP_ROLE_ADMIN"
  | "GROUP_ROLE_OWNER";

export type JoinRequestState =
  | "JOIN_REQUEST_STATE_UNSPECIFIED"
  | "JOIN_REQUEST_STATE_PENDING"
  | "JOIN_REQUEST_STATE_APPROVED"
  | "JOIN_REQUEST_STATE_REJECTED";

export interface Group {
  groupId?: string;
  name?: string;
  ownerId?: string;
  avatar?: string;
  announcement?: string;
  /** Whether joining needs a password. */
  hasPassword?: boolean;
  memberCount?: number;
  /** Milliseconds since the Unix epoch. */
  createdAtMs?: string;
}

export interface Member {
  userId?: string;
  role?: GroupRole;
  /** Milliseconds since the Unix epoch. */
  joinedAtMs?: string;
}

export interface JoinRequest {
  groupId?: string;
  userId?: string;
  message?: string;
  state?: JoinRequestState;
  /** Milliseconds since the Unix epoch. */
  createdAtMs?: string;
}

export interface CreateGroupRequest {
  /** 1 to 64 characters. */
  name: string;
  /** When set, join requests must carry it. */
  joinPassword?: string;
  avatar?: string;
  announcement?: string;
}

export interface ListMyGroupsRequest {
  pageSize?: number;
  pageToken?: string;
}

export interface ListMyGroupsResponse {
  groups?: Group[];
  nextPageToken?: string;
}

export interface GetGroupRequest {
  groupId: string;
}

export interface UpdateGroupRequest {
  groupId: string;
  name?: string;
  avatar?: string;
  announcement?: string;
  /** Empty string removes the password. */
  joinPassword?: string;
}

export interface DestroyGroupRequest {
  groupId: string;
}

export type DestroyGroupResponse = Record<string, never>;

export interface ListMembersRequest {
  groupId: string;
  /** Only members with this role, when set. */
  role?: GroupRole;
  pageSize?: number;
  pageToken?: string;
}

export interface ListMembersResponse {
  members?: Member[];
  nextPageToken?: string;
}

export interface RequestToJoinRequest {
  groupId: string;
  password?: string;
  message?: string;
}

export interface ListJoinRequestsRequest {
  groupId: string;
  pageSize?: number;
  pageToken?: string;
}

export interface ListJoinRequestsResponse {
  requests?: JoinRequest[];
  nextPageToken?: string;
}

export interface ApproveJoinRequestRequest {
  groupId: string;
  userId: string;
}

export interface RejectJoinRequestRequest {
  groupId: string;
  userId: string;
  reason?: string;
}

export interface LeaveGroupRequest {
  groupId: string;
}

export type LeaveGroupResponse = Record<string, never>;

export interface KickMemberRequest {
  groupId: string;
  userId: string;
  reason?: string;
}

export type KickMemberResponse = Record<string, never>;

export interface GrantAdminRequest {
  groupId: string;
  userId: string;
}

export interface RevokeAdminRequest {
  groupId: string;
  userId: string;
}

// ---- prim/v1/message_node.proto ----

export interface SubmitRequest {
  /**
   * header.seqnum is ignored (assigned here); header.timestamp is the idempotency key
   * (0: the node picks a fresh one).
   */
  frame?: WireFrame;
  /**
   * The sending device, the idempotency key's third part ("": none; relays use a
   * "relay:..." id of their origin).
   */
  deviceId?: string;
}

export interface SubmitResponse {
  seqnum?: string;
  /** The server time stamped on the message. */
  timestampMs?: string;
  /** The message was already stored: nothing was delivered this time. */
  duplicate?: boolean;
}

export interface Delivery {
  frame?: WireFrame;
  userIds?: string[];
}

export interface DeliverRequest {
  deliveries?: Delivery[];
  /** The node the frames come from (for metrics and logs). */
  fromNodeId?: number;
}

export interface DeliverResponse {
  /** Connections the frames were queued to, summed over the deliveries. */
  delivered?: number;
}

// ---- prim/v1/messages.proto ----

export type Direction =
  /** backward */
  | "DIRECTION_UNSPECIFIED"
  /** From `from_seqnum` towards newer messages. */
  | "DIRECTION_FORWARD"
  /** From `from_seqnum` towards older messages (the default: scrolling back). */
  | "DIRECTION_BACKWARD";

export interface InboxEntry {
  peerId?: string;
  isGroup?: boolean;
  /**
   * The newest seqnum in the conversation and the caller's read marker: the missed range
   * is (read_seqnum, last_seqnum].
   */
  lastSeqnum?: string;
  readSeqnum?: string;
  /**
   * Content messages from others after read_seqnum, counted (seqnums have gaps), at most
   * 1000.
   */
  unreadCount?: string;
  lastMessage?: ChatMessage;
}

export interface GetInboxRequest {
  /**
   * Only conversations with messages after this time (ms since the epoch); 0: since the
   * device was last online.
   */
  sinceMs?: string;
  pageSize?: number;
  /** The previous page's next_page_token; empty for the first page. */
  pageToken?: string;
}

export interface GetInboxResponse {
  entries?: InboxEntry[];
  /**
   * Empty on the last page. The list is newest first: a conversation with news while
   * paging moves to the front, so sync again from the time paging started.
   */
  nextPageToken?: string;
}

export interface ListHistoryRequest {
  peerId: string;
  /**
   * Where the listing starts (inclusive); 0 means the newest message for BACKWARD and the
   * first for FORWARD. Only the first page reads it: later pages start where their
   * page_token says.
   */
  fromSeqnum?: string;
  /** Where the listing stops (inclusive); 0 means no bound. */
  toSeqnum?: string;
  direction?: Direction;
  pageSize?: number;
  /**
   * The previous page's next_page_token, with the same peer_id, to_seqnum and direction;
   * empty for the first page.
   */
  pageToken?: string;
}

export interface ListHistoryResponse {
  /** In the order of `direction`. */
  messages?: ChatMessage[];
  /** Empty when the range is exhausted; else the page_token of the next page. */
  nextPageToken?: string;
}

export interface ReadMarker {
  peerId?: string;
  seqnum?: string;
  updatedAtMs?: string;
}

export interface GetReadMarkerRequest {
  peerId: string;
}

export interface SetReadMarkerRequest {
  peerId: string;
  seqnum: string;
}

export interface EditMessageRequest {
  peerId: string;
  seqnum: string;
  newPayload: string;
}

export interface WithdrawMessageRequest {
  peerId: string;
  seqnum: string;
}

// ---- prim/v1/nodes.proto ----

export type GetMyNodeRequest = Record<string, never>;

export interface NodeAssignment {
  nodeId?: number;
  /** host:port of the QUIC listener (ALPN "prim"). */
  quicAddress?: string;
  /** host:port of the TLS-over-TCP listener, for networks that block UDP. */
  tcpAddress?: string;
  /** URL of the WebTransport endpoint for browsers (https://host:port/wire), when enabled. */
  webtransportUrl?: string;
  /** URL of the WebSocket endpoint (ws:// or wss://): binary messages carrying frames. */
  websocketUrl?: string;
  /**
   * Hex SHA-256 of the certificate(s) the WebTransport endpoint presents, for a browser's
   * serverCertificateHashes (set only for a short-lived development certificate).
   */
  webtransportCertificateHashes?: string[];
}

// ---- prim/v1/options.proto ----

/** The family a message type belongs to; each family owns a numeric range. */
export type MsgCategory =
  | "MSG_CATEGORY_UNSPECIFIED"
  /** 0-31: NA, Ack */
  | "MSG_CATEGORY_SYSTEM"
  /** 32-63 */
  | "MSG_CATEGORY_CONTENT"
  /** 64-95 */
  | "MSG_CATEGORY_CONTROL"
  /** 96-127 */
  | "MSG_CATEGORY_LOGIC"
  /** 128-159 */
  | "MSG_CATEGORY_BUSINESS"
  /** 160 and up */
  | "MSG_CATEGORY_INTERNAL";

/** How the payload of a message type is to be read. */
export type PayloadKind =
  | "PAYLOAD_KIND_UNSPECIFIED"
  /** payload_length must be 0 */
  | "PAYLOAD_KIND_EMPTY"
  /** UTF-8 text */
  | "PAYLOAD_KIND_UTF8"
  /** opaque bytes */
  | "PAYLOAD_KIND_BYTES"
  /** the protobuf encoding of MsgTypeInfo.payload_message */
  | "PAYLOAD_KIND_MESSAGE";

/**
 * The ids an id field accepts. 0 (left out) is refused only when the field is REQUIRED
 * ((google.api.field_behavior), which for every field means "set to a non-default value").
 */
export type IdKind =
  /** not an id: no id rule */
  | "ID_KIND_UNSPECIFIED"
  | "ID_KIND_USER"
  | "ID_KIND_GROUP"
  /**
   * A conversation from the caller's side: another user, a group, or the caller's own id
   * (their notification stream, PROTOCOL.md section 7).
   */
  | "ID_KIND_PEER";

/** How a request's text field is read. */
export type TextForm =
  /** taken as given (passwords, tokens, ids) */
  | "TEXT_FORM_UNSPECIFIED"
  /** Surrounding white space removed; no control characters. */
  | "TEXT_FORM_LINE"
  /** Surrounding white space removed; no control characters but line breaks (U+000A). */
  | "TEXT_FORM_LINES";

/**
 * Where one header field lives: in which 64-bit big-endian word, at which bit, how wide.
 * The layout is what these say, never the fields' order: the generator refuses fields that
 * overlap, cross a word, or leave bits unclaimed (unless declared in header_reserved), and `make check-breaking` refuses any
 * change to a field's word, offset or width.
 */
export interface HeaderBits {
  word?: number;
  bits?: number;
  /**
   * The field's first (most significant) bit, counted from the word's most significant
   * bit (0) down: the field occupies bits offset .. offset + bits - 1 of its word.
   * `optional` so that a field without one is refused rather than read as 0.
   */
  offset?: number;
}

export interface MsgTypeInfo {
  category?: MsgCategory;
  /** Sequenced types get a server timestamp and the next per-channel seqnum, and are stored. */
  sequenced?: boolean;
  payload?: PayloadKind;
  /** Fully qualified protobuf message name when payload is PAYLOAD_KIND_MESSAGE. */
  payloadMessage?: string;
  /** Which side may send it: a client, the server, or both. */
  fromClient?: boolean;
  fromServer?: boolean;
  /**
   * The media types a file uploaded as this kind may have (FileService.UploadFile):
   * "image/*" for a whole top-level type, "*\/*" for any. Types without any are not upload
   * kinds, and an upload naming one is refused.
   */
  mediaTypes?: string[];
}

/**
 * The rules a request field obeys, which every language applies the same way: a validator
 * is generated per request message (Python: prim.generated.validate, TypeScript:
 * generated/ts/validate.ts) that the HTTP binding runs before the handler and the TS SDK
 * before sending, refusing with INVALID_ARGUMENT naming the field; the OpenAPI document
 * states what JSON Schema can (minLength / maxLength / maxItems / minimum / maximum /
 * default / enum / pattern), and the generated constants carry each number for the
 * services' own use. Lengths of strings count Unicode code points, as JSON Schema does.
 */
export interface FieldRules {
  minLength?: number;
  maxLength?: number;
  /** For repeated fields: at most this many items. */
  maxItems?: number;
  /**
   * For integer fields: the smallest and the largest value accepted. 0 (the field left out)
   * is always accepted when default_value is set.
   */
  minimum?: string;
  maximum?: string;
  /** For integer fields: what 0 (the field left out) stands for, e.g. a page size. */
  defaultValue?: string;
  /**
   * For enum fields: the only values accepted (by name); 0 (left out) is accepted only
   * when listed.
   */
  enumIn?: string[];
  /**
   * For string fields: a regular expression (the common subset of ECMA-262 and Python's re,
   * anchored with ^ and $) the whole value matches. Stated in the OpenAPI document and the
   * generated constants, and checked by the generated request validators.
   */
  pattern?: string;
  /**
   * For integer id fields: which ids are accepted (a required one also refuses 0; see
   * IdKind). Users are 1 .. 2^group_id_bit - 1, groups from 2^group_id_bit up to the largest
   * receiver the wire header holds.
   */
  id?: IdKind;
  /**
   * For id fields: the caller's own id is refused, and this says what to do instead
   * ("give another user's id"); "" accepts it.
   */
  notCaller?: string;
  /** For string fields: how the text is read (lengths are counted after trimming). */
  text?: TextForm;
  /**
   * For integer fields: at most the largest value the named field of the wire header
   * (the message marked wire_header) holds, e.g. "seqnum"; the number comes from the
   * header's bit width, never a literal.
   */
  headerMax?: string;
  /** For repeated fields: no item may appear twice (after trimming, for text). */
  unique?: boolean;
}

export interface ErrorInfo {
  httpStatus?: number;
  /** Whether repeating the same request later can succeed. */
  retryable?: boolean;
  /**
   * The gRPC status an internal RPC answers with this code (the code itself travels as a
   * google.rpc.ErrorInfo detail); required on every value that has an http_status.
   */
  grpcStatus?: Code;
}

/**
 * Numbers and formats the whole protocol agrees on, which no message field carries. Each is
 * set once, in the file it belongs to; every language's generated code has them.
 */
export interface Constants {
  /** Ids at or above 2^group_id_bit are groups, ids from 1 below it are users. */
  groupIdBit?: number;
  /** How long a friend request stays answerable, in milliseconds. */
  friendRequestTtlMs?: string;
  /**
   * The key of a conversation between two users (the message log's partition key, the
   * cache keys): {low} and {high} are the two user ids, the smaller first.
   */
  userChannelKey?: string;
  /** The key of a group's conversation: {group} is the group id. */
  groupChannelKey?: string;
}

/**
 * What the OpenAPI document says about the HTTP API as a whole (its info and servers).
 * Set once, in the file of the error model every HTTP service shares.
 */
export interface ApiInfo {
  title?: string;
  /** An SPDX license identifier. */
  license?: string;
  servers?: ApiServer[];
}

export interface ApiServer {
  /** Absolute, or relative to where the document was fetched from ("/"). */
  url?: string;
  description?: string;
}

// ---- prim/v1/scheduler.proto ----

export type NodeRole =
  | "NODE_ROLE_UNSPECIFIED"
  | "NODE_ROLE_MESSAGE"
  | "NODE_ROLE_SEQNUM"
  | "NODE_ROLE_API";

export interface NodeInfo {
  nodeId?: number;
  role?: NodeRole;
  /** host:port of the QUIC / TLS-TCP listener (message) or the gRPC listener (seqnum). */
  address?: string;
  tcpAddress?: string;
  /** The internal gRPC address other services call. */
  rpcAddress?: string;
  connections?: number;
  /** ms since the epoch of the last heartbeat. */
  lastHeartbeatAtMs?: string;
  /** A message node's listeners for browsers, as NodeAssignment names them. */
  webtransportUrl?: string;
  websocketUrl?: string;
  webtransportCertificateHashes?: string[];
}

export interface RegisterNodeRequest {
  node?: NodeInfo;
}

export interface RegisterNodeResponse {
  /** The node id granted (the requested one, or a fresh one when 0 was asked). */
  nodeId?: number;
  /** Seconds a node stays registered without a heartbeat. */
  leaseSeconds?: number;
}

export interface UnregisterNodeRequest {
  nodeId?: number;
}

export type UnregisterNodeResponse = Record<string, never>;

export interface HeartbeatRequest {
  nodeId?: number;
  connections?: number;
}

export type HeartbeatResponse = Record<string, never>;

export interface ListNodesRequest {
  role?: NodeRole;
}

export interface ListNodesResponse {
  nodes?: NodeInfo[];
}

export interface PlaceUserRequest {
  userId?: string;
}

export interface PlaceUserResponse {
  node?: NodeInfo;
}

export interface GetGroupNodesRequest {
  groupId?: string;
}

export interface GroupNodeMembers {
  nodeId?: number;
  userIds?: string[];
}

export interface GetGroupNodesResponse {
  nodes?: GroupNodeMembers[];
}

/** One frame as the services pass it between themselves. */
export interface WireFrame {
  header?: Header;
  payload?: string;
  extension?: string;
}

export interface RelayRequest {
  /**
   * header.sender is the user the event is from (or 0 for the system), header.receiver
   * the user or group it is for; seqnum and timestamp are assigned on the way.
   */
  frame?: WireFrame;
  /**
   * Part of the idempotency key: the caller's per-start "relay:..." id, so its
   * timestamps never meet a key stored before its restart ("": the scheduler's own).
   */
  deviceId?: string;
}

export interface RelayResponse {
  seqnum?: string;
  timestampMs?: string;
}

export interface SelectSeqnumNodeRequest {
  /** The channel key: see SeqnumService. */
  channel?: string;
}

export interface SelectSeqnumNodeResponse {
  node?: NodeInfo;
}

export interface DisconnectUserRequest {
  userId?: string;
  /** Only this device's connections; empty: every device of the user. */
  deviceId?: string;
  /** Told to the client in the Error frame before the close. */
  reason?: string;
}

export interface DisconnectUserResponse {
  connectionsClosed?: number;
}

export interface NotifyRequest {
  frame?: WireFrame;
  userIds?: string[];
}

export interface NotifyResponse {
  /** Connections the frame was queued to. */
  delivered?: number;
}

// ---- prim/v1/seqnum.proto ----

export interface NewestRequest {
  channel?: string;
}

export interface NewestResponse {
  /** 0: the channel has no number yet. */
  seqnum?: string;
}

export interface AllocateRequest {
  /**
   * The channel key: "u<smaller user id>-<larger user id>" for a user pair,
   * "g<group id>" for a group.
   */
  channel?: string;
  /** How many consecutive numbers to take (1 when 0). */
  count?: number;
}

export interface AllocateResponse {
  /** The first of `count` consecutive numbers. */
  first?: string;
  count?: number;
}

export interface AllocateManyRequest {
  items?: AllocateRequest[];
}

export interface AllocateResult {
  /** Set when the allocation succeeded. */
  allocated?: AllocateResponse;
  /** Set when it failed (UNAVAILABLE: the section is leased to another instance). */
  error?: Error;
}

export interface AllocateManyResponse {
  /** One per request item, in order. */
  results?: AllocateResult[];
}

// ---- prim/v1/users.proto ----

export interface Profile {
  userId?: string;
  nickname?: string;
  avatar?: string;
  signature?: string;
  /** Milliseconds since the Unix epoch. */
  createdAtMs?: string;
  lastOnlineAtMs?: string;
}

export interface PublicProfile {
  userId?: string;
  nickname?: string;
  avatar?: string;
  signature?: string;
  /** The caller's remark for this user (friends only), else empty. */
  remark?: string;
  online?: boolean;
}

export type GetMyProfileRequest = Record<string, never>;

export interface UpdateMyProfileRequest {
  nickname?: string;
  /** A file id from FileService.UploadFile, or empty to clear. */
  avatar?: string;
  signature?: string;
}

export interface GetUserRequest {
  userId: string;
}

// ---- prim/v1/wire.proto ----

/**
 * The protocol versions carried in the header; every value listed here is accepted
 * (SUPPORTED_PROTOCOL_VERSIONS), any other is refused; the highest value is the current one
 * (PROTOCOL_VERSION), which this project's clients send. A server answers each connection
 * in the version of its Auth frame.
 */
export type ProtocolVersion =
  /**
   * PRIM's own clients put 0 here; the header is bit-for-bit PRIM's, so 0 means the same
   * frames as version 1.
   */
  | "PROTOCOL_VERSION_PRIM"
  | "PROTOCOL_VERSION_1";

/**
 * Message types keep PRIM's numbers and ranges. Types beyond PRIM take free numbers in the
 * range of their category.
 */
export type MsgType =
  | "MSG_TYPE_NA"
  /**
   * Server -> sender: the message is durable; header.seqnum is its seqnum, header.timestamp
   * the client timestamp it answers, the payload carries the server time.
   */
  | "MSG_TYPE_ACK"
  | "MSG_TYPE_TEXT"
  | "MSG_TYPE_MEME"
  | "MSG_TYPE_FILE"
  | "MSG_TYPE_IMAGE"
  | "MSG_TYPE_VIDEO"
  | "MSG_TYPE_AUDIO"
  | "MSG_TYPE_EDIT"
  | "MSG_TYPE_WITHDRAW"
  /**
   * Client -> server: the access token (UTF-8). Server -> client: empty payload on success,
   * receiver = the authenticated user id, timestamp = server time.
   */
  | "MSG_TYPE_AUTH"
  | "MSG_TYPE_PING"
  | "MSG_TYPE_PONG"
  /** Answered with the same payload and extension. */
  | "MSG_TYPE_ECHO"
  | "MSG_TYPE_ERROR"
  /** The server is closing this connection (signed in elsewhere, node draining). */
  | "MSG_TYPE_BE_OFFLINE"
  | "MSG_TYPE_INTERNAL_ERROR"
  /**
   * Beyond PRIM: "read up to seqnum" for a channel, relayed live to the peer's devices and
   * to the reader's other devices; stored as the reader's read marker.
   */
  | "MSG_TYPE_READ_RECEIPT"
  /** Beyond PRIM: the sender is typing; relayed live only, never stored. */
  | "MSG_TYPE_TYPING"
  | "MSG_TYPE_SYSTEM_MESSAGE"
  | "MSG_TYPE_ADD_FRIEND"
  | "MSG_TYPE_REMOVE_FRIEND"
  | "MSG_TYPE_JOIN_GROUP"
  | "MSG_TYPE_LEAVE_GROUP"
  | "MSG_TYPE_REMOTE_INVOKE"
  | "MSG_TYPE_SET_RELATIONSHIP";

export type FriendEventKind =
  | "FRIEND_EVENT_KIND_UNSPECIFIED"
  | "FRIEND_EVENT_KIND_REQUESTED"
  | "FRIEND_EVENT_KIND_ACCEPTED"
  | "FRIEND_EVENT_KIND_REJECTED"
  | "FRIEND_EVENT_KIND_REMOVED";

export type GroupEventKind =
  | "GROUP_EVENT_KIND_UNSPECIFIED"
  /** to the group's admins */
  | "GROUP_EVENT_KIND_JOIN_REQUESTED"
  /** to the applicant */
  | "GROUP_EVENT_KIND_JOIN_APPROVED"
  /** to the applicant */
  | "GROUP_EVENT_KIND_JOIN_REJECTED"
  /** to the members */
  | "GROUP_EVENT_KIND_MEMBER_JOINED"
  /** to the members */
  | "GROUP_EVENT_KIND_MEMBER_LEFT"
  /** to the kicked user and the members */
  | "GROUP_EVENT_KIND_MEMBER_KICKED"
  /** to the members */
  | "GROUP_EVENT_KIND_DESTROYED"
  | "GROUP_EVENT_KIND_ADMIN_GRANTED"
  | "GROUP_EVENT_KIND_ADMIN_REVOKED";

export interface Header {
  /** Protocol version: a ProtocolVersion value (1, or 0 from PRIM's clients). */
  version?: number;
  /** The author: a user id (< 2^36). Must equal the authenticated user on client frames. */
  sender?: string;
  /** The message node that handled the frame (0 from clients). */
  nodeId?: number;
  /** A user id (< 2^36) or a group id (>= 2^36). */
  receiver?: string;
  type?: MsgType;
  extensionLength?: number;
  /**
   * Milliseconds since the Unix epoch: the client's clock on client frames (it is part of
   * the idempotency key), the server's clock on delivered frames.
   */
  timestamp?: string;
  payloadLength?: number;
  /** Per-channel sequence number assigned by the server (0 on client frames). */
  seqnum?: string;
}

export interface AckPayload {
  /** Server time (ms since the epoch) at which the message was sequenced. */
  serverTimestampMs?: string;
  /** True when this Ack answers a resend of a message that was already stored. */
  duplicate?: boolean;
}

/** Payload of File, Image, Video and Audio messages: a reference to an uploaded file. */
export interface MediaRef {
  fileId?: string;
  contentType?: string;
  size?: string;
  name?: string;
  /** Hex SHA-256 of the file's bytes, so receivers can check what they download. */
  sha256?: string;
  width?: number;
  height?: number;
  durationMs?: number;
  caption?: string;
}

/** Payload of Edit: replaces the payload of the message `target_seqnum` in the same channel. */
export interface EditPayload {
  targetSeqnum?: string;
  newPayload?: string;
}

/** Payload of Withdraw: retracts the message `target_seqnum` in the same channel. */
export interface WithdrawPayload {
  targetSeqnum?: string;
}

export interface ReadReceiptPayload {
  /** Everything up to and including this seqnum has been read. */
  seqnum?: string;
}

/** Payload of AddFriend (requested / accepted / rejected) and RemoveFriend (removed). */
export interface FriendEvent {
  kind?: FriendEventKind;
  /** Who asked, and whom. */
  requesterId?: string;
  targetId?: string;
  /** The request's greeting or the rejection's reason. */
  message?: string;
  /** For REQUESTED: when the request lapses (ms since the epoch). */
  expiresAtMs?: string;
}

/**
 * Payload of JoinGroup (requested / approved / rejected / joined) and LeaveGroup (left /
 * kicked / destroyed, admin changes).
 */
export interface GroupEvent {
  kind?: GroupEventKind;
  groupId?: string;
  /** The user the event is about. */
  userId?: string;
  /** The user who caused it (the approving admin, the kicker); 0 when it is user_id. */
  actorId?: string;
  /** The applicant's message, or the reason for a rejection or kick. */
  message?: string;
}

/** Payload of SetRelationship: the other user changed how they relate to the receiver. */
export interface RelationshipEvent {
  userId?: string;
  blocked?: boolean;
}

/** The seqnum-bearing form of one stored message, as history and inbox return it. */
export interface ChatMessage {
  sender?: string;
  receiver?: string;
  type?: MsgType;
  seqnum?: string;
  /** Server time (ms since the epoch) at which it was sequenced. */
  timestampMs?: string;
  payload?: string;
  extension?: string;
  /** Set once the author edited it; payload is then the edited payload. */
  editedAtMs?: string;
  /** The author (or a group admin) withdrew it; payload is then empty. */
  withdrawn?: boolean;
}

// ---- google/api/httpbody.proto ----

/**
 * Message that represents an arbitrary HTTP body. It should only be used for
 * payload formats that can't be represented as JSON, such as raw binary or
 * an HTML page.
 */
export interface HttpBody {
  /** The HTTP Content-Type header value specifying the content type of the body. */
  contentType?: string;
  /** The HTTP request/response body as raw binary. */
  data?: string;
  /**
   * Application specific response metadata. Must be set in the first response
   * for streaming APIs.
   */
  extensions?: ({ "@type": string; [key: string]: unknown })[];
}

// ---- google/rpc/code.proto ----

/**
 * The canonical error codes for gRPC APIs.
 *
 *
 * Sometimes multiple error codes may apply.  Services should return
 * the most specific error code that applies.  For example, prefer
 * `OUT_OF_RANGE` over `FAILED_PRECONDITION` if both codes apply.
 * Similarly prefer `NOT_FOUND` or `ALREADY_EXISTS` over `FAILED_PRECONDITION`.
 */
export type Code =
  /**
   * Not an error; returned on success.
   *
   * HTTP Mapping: 200 OK
   */
  | "OK"
  /**
   * The operation was cancelled, typically by the caller.
   *
   * HTTP Mapping: 499 Client Closed Request
   */
  | "CANCELLED"
  /**
   * Unknown error.  For example, this error may be returned when
   * a `Status` value received from another address space belongs to
   * an error space that is not known in this address space.  Also
   * errors raised by APIs that do not return enough error information
   * may be converted to this error.
   *
   * HTTP Mapping: 500 Internal Server Error
   */
  | "UNKNOWN"
  /**
   * The client specified an invalid argument.  Note that this differs
   * from `FAILED_PRECONDITION`.  `INVALID_ARGUMENT` indicates arguments
   * that are problematic regardless of the state of the system
   * (e.g., a malformed file name).
   *
   * HTTP Mapping: 400 Bad Request
   */
  | "INVALID_ARGUMENT"
  /**
   * The deadline expired before the operation could complete. For operations
   * that change the state of the system, this error may be returned
   * even if the operation has completed successfully.  For example, a
   * successful response from a server could have been delayed long
   * enough for the deadline to expire.
   *
   * HTTP Mapping: 504 Gateway Timeout
   */
  | "DEADLINE_EXCEEDED"
  /**
   * Some requested entity (e.g., file or directory) was not found.
   *
   * Note to server developers: if a request is denied for an entire class
   * of users, such as gradual feature rollout or undocumented allowlist,
   * `NOT_FOUND` may be used. If a request is denied for some users within
   * a class of users, such as user-based access control, `PERMISSION_DENIED`
   * must be used.
   *
   * HTTP Mapping: 404 Not Found
   */
  | "NOT_FOUND"
  /**
   * The entity that a client attempted to create (e.g., file or directory)
   * already exists.
   *
   * HTTP Mapping: 409 Conflict
   */
  | "ALREADY_EXISTS"
  /**
   * The caller does not have permission to execute the specified
   * operation. `PERMISSION_DENIED` must not be used for rejections
   * caused by exhausting some resource (use `RESOURCE_EXHAUSTED`
   * instead for those errors). `PERMISSION_DENIED` must not be
   * used if the caller can not be identified (use `UNAUTHENTICATED`
   * instead for those errors). This error code does not imply the
   * request is valid or the requested entity exists or satisfies
   * other pre-conditions.
   *
   * HTTP Mapping: 403 Forbidden
   */
  | "PERMISSION_DENIED"
  /**
   * The request does not have valid authentication credentials for the
   * operation.
   *
   * HTTP Mapping: 401 Unauthorized
   */
  | "UNAUTHENTICATED"
  /**
   * Some resource has been exhausted, perhaps a per-user quota, or
   * perhaps the entire file system is out of space.
   *
   * HTTP Mapping: 429 Too Many Requests
   */
  | "RESOURCE_EXHAUSTED"
  /**
   * The operation was rejected because the system is not in a state
   * required for the operation's execution.  For example, the directory
   * to be deleted is non-empty, an rmdir operation is applied to
   * a non-directory, etc.
   *
   * Service implementors can use the following guidelines to decide
   * between `FAILED_PRECONDITION`, `ABORTED`, and `UNAVAILABLE`:
   *  (a) Use `UNAVAILABLE` if the client can retry just the failing call.
   *  (b) Use `ABORTED` if the client should retry at a higher level. For
   *      example, when a client-specified test-and-set fails, indicating the
   *      client should restart a read-modify-write sequence.
   *  (c) Use `FAILED_PRECONDITION` if the client should not retry until
   *      the system state has been explicitly fixed. For example, if an "rmdir"
   *      fails because the directory is non-empty, `FAILED_PRECONDITION`
   *      should be returned since the client should not retry unless
   *      the files are deleted from the directory.
   *
   * HTTP Mapping: 400 Bad Request
   */
  | "FAILED_PRECONDITION"
  /**
   * The operation was aborted, typically due to a concurrency issue such as
   * a sequencer check failure or transaction abort.
   *
   * See the guidelines above for deciding between `FAILED_PRECONDITION`,
   * `ABORTED`, and `UNAVAILABLE`.
   *
   * HTTP Mapping: 409 Conflict
   */
  | "ABORTED"
  /**
   * The operation was attempted past the valid range.  E.g., seeking or
   * reading past end-of-file.
   *
   * Unlike `INVALID_ARGUMENT`, this error indicates a problem that may
   * be fixed if the system state changes. For example, a 32-bit file
   * system will generate `INVALID_ARGUMENT` if asked to read at an
   * offset that is not in the range [0,2^32-1], but it will generate
   * `OUT_OF_RANGE` if asked to read from an offset past the current
   * file size.
   *
   * There is a fair bit of overlap between `FAILED_PRECONDITION` and
   * `OUT_OF_RANGE`.  We recommend using `OUT_OF_RANGE` (the more specific
   * error) when it applies so that callers who are iterating through
   * a space can easily look for an `OUT_OF_RANGE` error to detect when
   * they are done.
   *
   * HTTP Mapping: 400 Bad Request
   */
  | "OUT_OF_RANGE"
  /**
   * The operation is not implemented or is not supported/enabled in this
   * service.
   *
   * HTTP Mapping: 501 Not Implemented
   */
  | "UNIMPLEMENTED"
  /**
   * Internal errors.  This means that some invariants expected by the
   * underlying system have been broken.  This error code is reserved
   * for serious errors.
   *
   * HTTP Mapping: 500 Internal Server Error
   */
  | "INTERNAL"
  /**
   * The service is currently unavailable.  This is most likely a
   * transient condition, which can be corrected by retrying with
   * a backoff. Note that it is not always safe to retry
   * non-idempotent operations.
   *
   * See the guidelines above for deciding between `FAILED_PRECONDITION`,
   * `ABORTED`, and `UNAVAILABLE`.
   *
   * HTTP Mapping: 503 Service Unavailable
   */
  | "UNAVAILABLE"
  /**
   * Unrecoverable data loss or corruption.
   *
   * HTTP Mapping: 500 Internal Server Error
   */
  | "DATA_LOSS";
