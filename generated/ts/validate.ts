/**
 * Request validators: one per request message, checking what the spec's
 * (prim.v1.rules) and (google.api.field_behavior) = REQUIRED say, as the server's
 * generated Python validators do (caller: the signed-in user's id, if known). A
 * broken rule throws PrimApiError 400 INVALID_ARGUMENT naming the field.
 *
 * Generated from spec/prim/v1 by `make gen` (codegen/emitters/_ts_validate.py); do not edit.
 */

import * as c from "./checks.js";
import { MAX_SEQNUM } from "./header.js";
import type * as T from "./types.js";

export function validateAcceptFriendRequestRequest(
  m: T.AcceptFriendRequestRequest,
  caller?: string,
  where = "",
): void {
  {
    const v = m.requesterId ?? 0;
    const p = c.at(where, "requester_id");
    c.idOf(v, p, "USER", true, caller, "give another user's id");
  }
  {
    const v = m.remark ?? "";
    const p = c.at(where, "remark");
    const t = c.text(v, p, false);
    c.length(t, p, 0, 64);
  }
}

export function validateApproveJoinRequestRequest(
  m: T.ApproveJoinRequestRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true);
  }
}

export function validateBlockUserRequest(
  m: T.BlockUserRequest,
  caller?: string,
  where = "",
): void {
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true, caller, "give another user's id");
  }
}

export function validateChangePasswordRequest(
  m: T.ChangePasswordRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.currentPassword ?? "";
    const p = c.at(where, "current_password");
    c.required(Boolean(v), p);
    c.length(v, p, 0, 128);
  }
  {
    const v = m.newPassword ?? "";
    const p = c.at(where, "new_password");
    c.required(Boolean(v), p);
    c.length(v, p, 8, 128);
  }
}

export function validateCreateGroupRequest(
  m: T.CreateGroupRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.name ?? "";
    const p = c.at(where, "name");
    const t = c.text(v, p, false);
    c.nonBlank(t, p);
    c.length(t, p, 0, 64);
  }
  {
    const v = m.joinPassword ?? "";
    const p = c.at(where, "join_password");
    c.length(v, p, 0, 128);
  }
  {
    const v = m.avatar ?? "";
    const p = c.at(where, "avatar");
    const t = c.text(v, p, false);
    c.length(t, p, 0, 1024);
  }
  {
    const v = m.announcement ?? "";
    const p = c.at(where, "announcement");
    const t = c.text(v, p, true);
    c.length(t, p, 0, 2000);
  }
}

export function validateDeleteAccountRequest(
  m: T.DeleteAccountRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.password ?? "";
    const p = c.at(where, "password");
    c.required(Boolean(v), p);
    c.length(v, p, 0, 128);
  }
}

export function validateDeleteFileRequest(
  m: T.DeleteFileRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.fileId ?? "";
    const p = c.at(where, "file_id");
    c.required(Boolean(v), p);
  }
}

export function validateDeleteFriendRequest(
  m: T.DeleteFriendRequest,
  caller?: string,
  where = "",
): void {
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true, caller, "give another user's id");
  }
}

export function validateDestroyGroupRequest(
  m: T.DestroyGroupRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
}

export function validateDownloadFileRequest(
  m: T.DownloadFileRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.fileId ?? "";
    const p = c.at(where, "file_id");
    c.required(Boolean(v), p);
  }
}

export function validateEditMessageRequest(
  m: T.EditMessageRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.peerId ?? 0;
    const p = c.at(where, "peer_id");
    c.idOf(v, p, "PEER", true);
  }
  {
    const v = m.seqnum ?? 0;
    const p = c.at(where, "seqnum");
    c.required(c.int(v) !== 0n, p);
    c.atMostHeader(v, p, MAX_SEQNUM, "seqnum");
  }
  {
    const v = m.newPayload ?? "";
    const p = c.at(where, "new_payload");
    c.required(Boolean(v), p);
  }
}

export function validateGetFileInfoRequest(
  m: T.GetFileInfoRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.fileId ?? "";
    const p = c.at(where, "file_id");
    c.required(Boolean(v), p);
  }
}

export function validateGetGroupRequest(
  m: T.GetGroupRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
}

export function validateGetInboxRequest(
  m: T.GetInboxRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.pageSize ?? 0;
    const p = c.at(where, "page_size");
    c.inRange(v, p, null, 200);
  }
}

export function validateGetReadMarkerRequest(
  m: T.GetReadMarkerRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.peerId ?? 0;
    const p = c.at(where, "peer_id");
    c.idOf(v, p, "PEER", true);
  }
}

export function validateGetRelationshipRequest(
  m: T.GetRelationshipRequest,
  caller?: string,
  where = "",
): void {
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true, caller, "give another user's id");
  }
}

export function validateGetUserRequest(
  m: T.GetUserRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.required(c.int(v) !== 0n, p);
  }
}

export function validateGrantAdminRequest(
  m: T.GrantAdminRequest,
  caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true, caller, "the owner's role does not change");
  }
}

export function validateKickMemberRequest(
  m: T.KickMemberRequest,
  caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true, caller, "use LeaveGroup to leave");
  }
  {
    const v = m.reason ?? "";
    const p = c.at(where, "reason");
    const t = c.text(v, p, true);
    c.length(t, p, 0, 500);
  }
}

export function validateLeaveGroupRequest(
  m: T.LeaveGroupRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
}

export function validateListFilesRequest(
  m: T.ListFilesRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.pageSize ?? 0;
    const p = c.at(where, "page_size");
    c.inRange(v, p, null, 200);
  }
}

export function validateListFriendRequestsRequest(
  m: T.ListFriendRequestsRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.pageSize ?? 0;
    const p = c.at(where, "page_size");
    c.inRange(v, p, null, 200);
  }
}

export function validateListFriendsRequest(
  m: T.ListFriendsRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.pageSize ?? 0;
    const p = c.at(where, "page_size");
    c.inRange(v, p, null, 200);
  }
  {
    const v = m.classification ?? "";
    const p = c.at(where, "classification");
    c.length(v, p, 0, 64);
  }
}

export function validateListHistoryRequest(
  m: T.ListHistoryRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.peerId ?? 0;
    const p = c.at(where, "peer_id");
    c.idOf(v, p, "PEER", true);
  }
  {
    const v = m.fromSeqnum ?? 0;
    const p = c.at(where, "from_seqnum");
    c.atMostHeader(v, p, MAX_SEQNUM, "seqnum");
  }
  {
    const v = m.toSeqnum ?? 0;
    const p = c.at(where, "to_seqnum");
    c.atMostHeader(v, p, MAX_SEQNUM, "seqnum");
  }
  {
    const v = m.direction ?? "DIRECTION_UNSPECIFIED";
    const p = c.at(where, "direction");
    c.oneOf(v, p, ["DIRECTION_UNSPECIFIED", "DIRECTION_FORWARD", "DIRECTION_BACKWARD"]);
  }
  {
    const v = m.pageSize ?? 0;
    const p = c.at(where, "page_size");
    c.inRange(v, p, null, 200);
  }
}

export function validateListJoinRequestsRequest(
  m: T.ListJoinRequestsRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
  {
    const v = m.pageSize ?? 0;
    const p = c.at(where, "page_size");
    c.inRange(v, p, null, 200);
  }
}

export function validateListMembersRequest(
  m: T.ListMembersRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
  {
    const v = m.role ?? "GROUP_ROLE_UNSPECIFIED";
    const p = c.at(where, "role");
    c.oneOf(v, p, ["GROUP_ROLE_UNSPECIFIED", "GROUP_ROLE_MEMBER", "GROUP_ROLE_ADMIN", "GROUP_ROLE_OWNER"]);
  }
  {
    const v = m.pageSize ?? 0;
    const p = c.at(where, "page_size");
    c.inRange(v, p, null, 200);
  }
}

export function validateListMyGroupsRequest(
  m: T.ListMyGroupsRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.pageSize ?? 0;
    const p = c.at(where, "page_size");
    c.inRange(v, p, null, 200);
  }
}

export function validateLoginRequest(
  m: T.LoginRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.required(c.int(v) !== 0n, p);
  }
  {
    const v = m.password ?? "";
    const p = c.at(where, "password");
    c.required(Boolean(v), p);
    c.length(v, p, 0, 128);
  }
  {
    const v = m.deviceName ?? "";
    const p = c.at(where, "device_name");
    const t = c.text(v, p, false);
    c.length(t, p, 0, 64);
  }
}

export function validateRejectFriendRequestRequest(
  m: T.RejectFriendRequestRequest,
  caller?: string,
  where = "",
): void {
  {
    const v = m.requesterId ?? 0;
    const p = c.at(where, "requester_id");
    c.idOf(v, p, "USER", true, caller, "give another user's id");
  }
  {
    const v = m.reason ?? "";
    const p = c.at(where, "reason");
    const t = c.text(v, p, true);
    c.length(t, p, 0, 500);
  }
}

export function validateRejectJoinRequestRequest(
  m: T.RejectJoinRequestRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true);
  }
  {
    const v = m.reason ?? "";
    const p = c.at(where, "reason");
    const t = c.text(v, p, true);
    c.length(t, p, 0, 500);
  }
}

export function validateRequestToJoinRequest(
  m: T.RequestToJoinRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
  {
    const v = m.password ?? "";
    const p = c.at(where, "password");
    c.length(v, p, 0, 128);
  }
  {
    const v = m.message ?? "";
    const p = c.at(where, "message");
    const t = c.text(v, p, true);
    c.length(t, p, 0, 500);
  }
}

export function validateRevokeAdminRequest(
  m: T.RevokeAdminRequest,
  caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true, caller, "the owner's role does not change");
  }
}

export function validateRevokeSessionRequest(
  m: T.RevokeSessionRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.deviceId ?? "";
    const p = c.at(where, "device_id");
    c.required(Boolean(v), p);
    c.length(v, p, 1, 64);
  }
}

export function validateSendFriendRequestRequest(
  m: T.SendFriendRequestRequest,
  caller?: string,
  where = "",
): void {
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true, caller, "give another user's id");
  }
  {
    const v = m.message ?? "";
    const p = c.at(where, "message");
    const t = c.text(v, p, true);
    c.length(t, p, 0, 500);
  }
  {
    const v = m.remark ?? "";
    const p = c.at(where, "remark");
    const t = c.text(v, p, false);
    c.length(t, p, 0, 64);
  }
}

export function validateSetReadMarkerRequest(
  m: T.SetReadMarkerRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.peerId ?? 0;
    const p = c.at(where, "peer_id");
    c.idOf(v, p, "PEER", true);
  }
  {
    const v = m.seqnum ?? 0;
    const p = c.at(where, "seqnum");
    c.required(c.int(v) !== 0n, p);
    c.atMostHeader(v, p, MAX_SEQNUM, "seqnum");
  }
}

export function validateSignupRequest(
  m: T.SignupRequest,
  _caller?: string,
  where = "",
): void {
  if (m.userId !== undefined) {
    const v = m.userId;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true);
  }
  {
    const v = m.password ?? "";
    const p = c.at(where, "password");
    c.required(Boolean(v), p);
    c.length(v, p, 8, 128);
  }
  {
    const v = m.nickname ?? "";
    const p = c.at(where, "nickname");
    const t = c.text(v, p, false);
    c.nonBlank(t, p);
    c.length(t, p, 0, 64);
  }
}

export function validateTagList(
  m: T.TagList,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.tags ?? [];
    const p = c.at(where, "tags");
    const t = v.map((x) => c.text(x, p, false));
    c.items(t, p, 32);
    t.forEach((x, i) => {
      c.nonBlank(x, p, `${p}[${i}]`);
      c.length(x, p, 0, 32, `${p}[${i}]`);
    });
    c.unique(t, p);
  }
}

export function validateUnblockUserRequest(
  m: T.UnblockUserRequest,
  caller?: string,
  where = "",
): void {
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true, caller, "give another user's id");
  }
}

export function validateUpdateFriendRequest(
  m: T.UpdateFriendRequest,
  caller?: string,
  where = "",
): void {
  {
    const v = m.userId ?? 0;
    const p = c.at(where, "user_id");
    c.idOf(v, p, "USER", true, caller, "give another user's id");
  }
  if (m.remark !== undefined) {
    const v = m.remark;
    const p = c.at(where, "remark");
    const t = c.text(v, p, false);
    c.length(t, p, 0, 64);
  }
  if (m.status !== undefined) {
    const v = m.status;
    const p = c.at(where, "status");
    c.oneOf(v, p, ["FRIEND_STATUS_NORMAL", "FRIEND_STATUS_SPECIAL", "FRIEND_STATUS_MUTED"]);
  }
  if (m.classification !== undefined) {
    const v = m.classification;
    const p = c.at(where, "classification");
    const t = c.text(v, p, false);
    c.length(t, p, 0, 64);
  }
  {
    const v = m.tags;
    const p = c.at(where, "tags");
    if (v !== undefined) validateTagList(v, caller, p);
  }
}

export function validateUpdateGroupRequest(
  m: T.UpdateGroupRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.groupId ?? 0;
    const p = c.at(where, "group_id");
    c.idOf(v, p, "GROUP", true);
  }
  if (m.name !== undefined) {
    const v = m.name;
    const p = c.at(where, "name");
    const t = c.text(v, p, false);
    c.nonBlank(t, p);
    c.length(t, p, 0, 64);
  }
  if (m.avatar !== undefined) {
    const v = m.avatar;
    const p = c.at(where, "avatar");
    const t = c.text(v, p, false);
    c.length(t, p, 0, 1024);
  }
  if (m.announcement !== undefined) {
    const v = m.announcement;
    const p = c.at(where, "announcement");
    const t = c.text(v, p, true);
    c.length(t, p, 0, 2000);
  }
  if (m.joinPassword !== undefined) {
    const v = m.joinPassword;
    const p = c.at(where, "join_password");
    c.length(v, p, 0, 128);
  }
}

export function validateUpdateMyProfileRequest(
  m: T.UpdateMyProfileRequest,
  _caller?: string,
  where = "",
): void {
  if (m.nickname !== undefined) {
    const v = m.nickname;
    const p = c.at(where, "nickname");
    const t = c.text(v, p, false);
    c.nonBlank(t, p);
    c.length(t, p, 0, 64);
  }
  if (m.avatar !== undefined) {
    const v = m.avatar;
    const p = c.at(where, "avatar");
    c.text(v, p, false);
  }
  if (m.signature !== undefined) {
    const v = m.signature;
    const p = c.at(where, "signature");
    const t = c.text(v, p, true);
    c.length(t, p, 0, 256);
  }
}

export function validateUploadFileRequest(
  m: T.UploadFileRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.kind ?? "MSG_TYPE_NA";
    const p = c.at(where, "kind");
    c.oneOf(v, p, ["MSG_TYPE_FILE", "MSG_TYPE_IMAGE", "MSG_TYPE_VIDEO", "MSG_TYPE_AUDIO"]);
  }
  {
    const v = m.name ?? "";
    const p = c.at(where, "name");
    const t = c.text(v, p, false);
    c.length(t, p, 0, 255);
  }
}

export function validateWithdrawMessageRequest(
  m: T.WithdrawMessageRequest,
  _caller?: string,
  where = "",
): void {
  {
    const v = m.peerId ?? 0;
    const p = c.at(where, "peer_id");
    c.idOf(v, p, "PEER", true);
  }
  {
    const v = m.seqnum ?? 0;
    const p = c.at(where, "seqnum");
    c.required(c.int(v) !== 0n, p);
    c.atMostHeader(v, p, MAX_SEQNUM, "seqnum");
  }
}

/** The validator of each request message, by full name. */
// biome-ignore lint/suspicious/noExplicitAny: each takes its own message type
export const VALIDATORS: Record<string, (m: any, caller?: string) => void> = {
  "prim.v1.AcceptFriendRequestRequest": validateAcceptFriendRequestRequest,
  "prim.v1.ApproveJoinRequestRequest": validateApproveJoinRequestRequest,
  "prim.v1.BlockUserRequest": validateBlockUserRequest,
  "prim.v1.ChangePasswordRequest": validateChangePasswordRequest,
  "prim.v1.CreateGroupRequest": validateCreateGroupRequest,
  "prim.v1.DeleteAccountRequest": validateDeleteAccountRequest,
  "prim.v1.DeleteFileRequest": validateDeleteFileRequest,
  "prim.v1.DeleteFriendRequest": validateDeleteFriendRequest,
  "prim.v1.DestroyGroupRequest": validateDestroyGroupRequest,
  "prim.v1.DownloadFileRequest": validateDownloadFileRequest,
  "prim.v1.EditMessageRequest": validateEditMessageRequest,
  "prim.v1.GetFileInfoRequest": validateGetFileInfoRequest,
  "prim.v1.GetGroupRequest": validateGetGroupRequest,
  "prim.v1.GetInboxRequest": validateGetInboxRequest,
  "prim.v1.GetReadMarkerRequest": validateGetReadMarkerRequest,
  "prim.v1.GetRelationshipRequest": validateGetRelationshipRequest,
  "prim.v1.GetUserRequest": validateGetUserRequest,
  "prim.v1.GrantAdminRequest": validateGrantAdminRequest,
  "prim.v1.KickMemberRequest": validateKickMemberRequest,
  "prim.v1.LeaveGroupRequest": validateLeaveGroupRequest,
  "prim.v1.ListFilesRequest": validateListFilesRequest,
  "prim.v1.ListFriendRequestsRequest": validateListFriendRequestsRequest,
  "prim.v1.ListFriendsRequest": validateListFriendsRequest,
  "prim.v1.ListHistoryRequest": validateListHistoryRequest,
  "prim.v1.ListJoinRequestsRequest": validateListJoinRequestsRequest,
  "prim.v1.ListMembersRequest": validateListMembersRequest,
  "prim.v1.ListMyGroupsRequest": validateListMyGroupsRequest,
  "prim.v1.LoginRequest": validateLoginRequest,
  "prim.v1.RejectFriendRequestRequest": validateRejectFriendRequestRequest,
  "prim.v1.RejectJoinRequestRequest": validateRejectJoinRequestRequest,
  "prim.v1.RequestToJoinRequest": validateRequestToJoinRequest,
  "prim.v1.RevokeAdminRequest": validateRevokeAdminRequest,
  "prim.v1.RevokeSessionRequest": validateRevokeSessionRequest,
  "prim.v1.SendFriendRequestRequest": validateSendFriendRequestRequest,
  "prim.v1.SetReadMarkerRequest": validateSetReadMarkerRequest,
  "prim.v1.SignupRequest": validateSignupRequest,
  "prim.v1.TagList": validateTagList,
  "prim.v1.UnblockUserRequest": validateUnblockUserRequest,
  "prim.v1.UpdateFriendRequest": validateUpdateFriendRequest,
  "prim.v1.UpdateGroupRequest": validateUpdateGroupRequest,
  "prim.v1.UpdateMyProfileRequest": validateUpdateMyProfileRequest,
  "prim.v1.UploadFileRequest": validateUploadFileRequest,
  "prim.v1.WithdrawMessageRequest": validateWithdrawMessageRequest,
};
