/**
 * A fetch-based client of the PRIM HTTP API: `new PrimClient({ baseUrl })`, then
 * one object per service (`client.account.login(...)`). Every failed call throws a
 * PrimApiError carrying the HTTP status and the parsed `Error` body.
 *
 * Generated from spec/prim/v1 by `make gen` (codegen/emitters/_ts_client.py); do not edit.
 */

import type * as T from "./types.js";
import {
  type CallOptions,
  FetchTransport,
  type PrimClientOptions,
  type RawBody,
  type Transport,
  omitPaths,
  pathSegment,
} from "./http.js";
import {
  validateAcceptFriendRequestRequest,
  validateApproveJoinRequestRequest,
  validateBlockUserRequest,
  validateChangePasswordRequest,
  validateCreateGroupRequest,
  validateDeleteAccountRequest,
  validateDeleteFileRequest,
  validateDeleteFriendRequest,
  validateDestroyGroupRequest,
  validateDownloadFileRequest,
  validateEditMessageRequest,
  validateGetFileInfoRequest,
  validateGetGroupRequest,
  validateGetInboxRequest,
  validateGetReadMarkerRequest,
  validateGetRelationshipRequest,
  validateGetUserRequest,
  validateGrantAdminRequest,
  validateKickMemberRequest,
  validateLeaveGroupRequest,
  validateListFilesRequest,
  validateListFriendRequestsRequest,
  validateListFriendsRequest,
  validateListHistoryRequest,
  validateListJoinRequestsRequest,
  validateListMembersRequest,
  validateListMyGroupsRequest,
  validateLoginRequest,
  validateRejectFriendRequestRequest,
  validateRejectJoinRequestRequest,
  validateRequestToJoinRequest,
  validateRevokeAdminRequest,
  validateRevokeSessionRequest,
  validateSendFriendRequestRequest,
  validateSetReadMarkerRequest,
  validateSignupRequest,
  validateUnblockUserRequest,
  validateUpdateFriendRequest,
  validateUpdateGroupRequest,
  validateUpdateMyProfileRequest,
  validateUploadFileRequest,
  validateWithdrawMessageRequest,
} from "./validate.js";

export {
  type CallOptions,
  FetchTransport,
  type HttpCall,
  PrimApiError,
  type PrimClientOptions,
  type RawBody,
  type Transport,
} from "./http.js";

/** The methods of prim.v1.AccountService over HTTP. */
export class AccountServiceClient {
  constructor(
    private readonly transport: Transport,
    /** The signed-in user's id, for the rules that refuse the caller's own id. */
    private readonly caller: () => string | undefined = () => undefined,
  ) {}

  /**
   * Reserves a fresh user id that a following Signup may claim.
   *
   * `POST /v1/user-ids` (no access token needed)
   */
  async newUserId(request: T.NewUserIdRequest = {}, options?: CallOptions): Promise<T.NewUserIdResponse> {
    return this.transport.call(
      {
        method: "POST",
        path: "/v1/user-ids",
        json: request,
        auth: false,
        response: "json",
      },
      options,
    );
  }

  /**
   * Creates an account. Without `user_id` the server assigns one.
   *
   * `POST /v1/users` (no access token needed)
   */
  async signup(request: T.SignupRequest, options?: CallOptions): Promise<T.SignupResponse> {
    validateSignupRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: "/v1/users",
        json: request,
        auth: false,
        response: "json",
      },
      options,
    );
  }

  /**
   * Exchanges a user id and password for an access token.
   *
   * `POST /v1/sessions` (no access token needed)
   */
  async login(request: T.LoginRequest, options?: CallOptions): Promise<T.LoginResponse> {
    validateLoginRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: "/v1/sessions",
        json: request,
        auth: false,
        response: "json",
      },
      options,
    );
  }

  /**
   * Revokes the token the request was made with.
   *
   * `DELETE /v1/sessions/current`
   */
  async logout(_request: T.LogoutRequest = {}, options?: CallOptions): Promise<T.LogoutResponse> {
    return this.transport.call(
      {
        method: "DELETE",
        path: "/v1/sessions/current",
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Deletes the caller's account after checking the password; every token is revoked.
   *
   * `POST /v1/users/me/deletion`
   */
  async deleteAccount(request: T.DeleteAccountRequest, options?: CallOptions): Promise<T.DeleteAccountResponse> {
    validateDeleteAccountRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: "/v1/users/me/deletion",
        json: request,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Replaces the password after checking the current one; every other session is revoked
   * and its live connections closed (the calling session stays signed in).
   *
   * `POST /v1/users/me/password`
   */
  async changePassword(request: T.ChangePasswordRequest, options?: CallOptions): Promise<T.ChangePasswordResponse> {
    validateChangePasswordRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: "/v1/users/me/password",
        json: request,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * The caller's active sessions (one per login), oldest first.
   *
   * `GET /v1/sessions`
   */
  async listSessions(_request: T.ListSessionsRequest = {}, options?: CallOptions): Promise<T.ListSessionsResponse> {
    return this.transport.call(
      {
        method: "GET",
        path: "/v1/sessions",
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Revokes one of the caller's sessions by its device id and closes its connections.
   *
   * `DELETE /v1/sessions/{device_id}`
   */
  async revokeSession(request: T.RevokeSessionRequest, options?: CallOptions): Promise<T.RevokeSessionResponse> {
    validateRevokeSessionRequest(request, this.caller());
    return this.transport.call(
      {
        method: "DELETE",
        path: `/v1/sessions/${pathSegment("device_id", request.deviceId)}`,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Revokes every session of the caller but the calling one and closes their connections.
   *
   * `DELETE /v1/sessions`
   */
  async revokeOtherSessions(_request: T.RevokeOtherSessionsRequest = {}, options?: CallOptions): Promise<T.RevokeOtherSessionsResponse> {
    return this.transport.call(
      {
        method: "DELETE",
        path: "/v1/sessions",
        auth: true,
        response: "json",
      },
      options,
    );
  }
}

/** The methods of prim.v1.FileService over HTTP. */
export class FileServiceClient {
  constructor(
    private readonly transport: Transport,
    /** The signed-in user's id, for the rules that refuse the caller's own id. */
    private readonly caller: () => string | undefined = () => undefined,
  ) {}

  /**
   * The request body is the file's bytes; its Content-Type header is the file's type.
   * Each file may have up to the server's per-file limit, and each user's files together
   * up to their quota (PAYLOAD_TOO_LARGE, 413, says which; ListFiles shows the quota);
   * a user with too many uploads in flight at once gets RATE_LIMITED (429).
   *
   * `POST /v1/files`
   *
   * `content` is sent as the raw request body (content).
   */
  async uploadFile(request: Omit<T.UploadFileRequest, "content">, content: RawBody, options?: CallOptions): Promise<T.FileInfo> {
    validateUploadFileRequest(request as T.UploadFileRequest, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: "/v1/files",
        query: [
          ["kind", request.kind],
          ["name", request.name],
        ],
        raw: content,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * A file's name, type, size, hash, uploader and upload time; readable by the uploader,
   * their friends and the members of their groups.
   *
   * `GET /v1/files/{file_id}/info`
   */
  async getFileInfo(request: T.GetFileInfoRequest, options?: CallOptions): Promise<T.FileInfo> {
    validateGetFileInfoRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: `/v1/files/${pathSegment("file_id", request.fileId)}/info`,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * The file's bytes with their Content-Type, sent as they are read. One `Range: bytes=...`
   * is honoured (206 with Content-Range; 416 past the end); `If-Range` takes the ETag.
   *
   * `GET /v1/files/{file_id}`
   */
  async downloadFile(request: T.DownloadFileRequest, options?: CallOptions): Promise<Blob> {
    validateDownloadFileRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: `/v1/files/${pathSegment("file_id", request.fileId)}`,
        auth: true,
        response: "blob",
      },
      options,
    );
  }

  /**
   * The caller's own uploads, oldest first, with the bytes they count against the quota.
   *
   * `GET /v1/files`
   */
  async listFiles(request: T.ListFilesRequest = {}, options?: CallOptions): Promise<T.ListFilesResponse> {
    validateListFilesRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: "/v1/files",
        query: [
          ["pageSize", request.pageSize],
          ["pageToken", request.pageToken],
        ],
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Deletes one of the caller's uploads: nobody can read it afterwards (messages that
   * reference it stay), its bytes no longer count against the quota, and a profile avatar
   * that was this file is cleared.
   *
   * `DELETE /v1/files/{file_id}`
   */
  async deleteFile(request: T.DeleteFileRequest, options?: CallOptions): Promise<T.DeleteFileResponse> {
    validateDeleteFileRequest(request, this.caller());
    return this.transport.call(
      {
        method: "DELETE",
        path: `/v1/files/${pathSegment("file_id", request.fileId)}`,
        auth: true,
        response: "json",
      },
      options,
    );
  }
}

/** The methods of prim.v1.FriendService over HTTP. */
export class FriendServiceClient {
  constructor(
    private readonly transport: Transport,
    /** The signed-in user's id, for the rules that refuse the caller's own id. */
    private readonly caller: () => string | undefined = () => undefined,
  ) {}

  /**
   * Asks `user_id` to be friends; they get an AddFriend message in real time.
   *
   * `POST /v1/friend-requests`
   */
  async sendFriendRequest(request: T.SendFriendRequestRequest, options?: CallOptions): Promise<T.FriendRequest> {
    validateSendFriendRequestRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: "/v1/friend-requests",
        json: request,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Pending friend requests: the ones sent to you (INCOMING, the default) or by you (OUTGOING).
   *
   * `GET /v1/friend-requests`
   */
  async listFriendRequests(request: T.ListFriendRequestsRequest = {}, options?: CallOptions): Promise<T.ListFriendRequestsResponse> {
    validateListFriendRequestsRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: "/v1/friend-requests",
        query: [
          ["direction", request.direction],
          ["pageSize", request.pageSize],
          ["pageToken", request.pageToken],
        ],
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Makes you and the requester friends; the requester is told with an AddFriend message.
   * Answers the request, now ACCEPTED (the friendship: GetRelationship or ListFriends).
   *
   * `POST /v1/friend-requests/{requester_id}/accept`
   */
  async acceptFriendRequest(request: T.AcceptFriendRequestRequest, options?: CallOptions): Promise<T.FriendRequest> {
    validateAcceptFriendRequestRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: `/v1/friend-requests/${pathSegment("requester_id", request.requesterId)}/accept`,
        json: omitPaths(request, [["requesterId"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Declines; no friendship is created. Answers the request, now REJECTED.
   *
   * `POST /v1/friend-requests/{requester_id}/reject`
   */
  async rejectFriendRequest(request: T.RejectFriendRequestRequest, options?: CallOptions): Promise<T.FriendRequest> {
    validateRejectFriendRequestRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: `/v1/friend-requests/${pathSegment("requester_id", request.requesterId)}/reject`,
        json: omitPaths(request, [["requesterId"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Your friends with your own settings for each (remark, classification, tags, status), a page
   * at a time.
   *
   * `GET /v1/friends`
   */
  async listFriends(request: T.ListFriendsRequest = {}, options?: CallOptions): Promise<T.ListFriendsResponse> {
    validateListFriendsRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: "/v1/friends",
        query: [
          ["pageSize", request.pageSize],
          ["pageToken", request.pageToken],
          ["classification", request.classification],
        ],
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * How the caller relates to `user_id` (friend or not, blocked either way).
   *
   * `GET /v1/friends/{user_id}`
   */
  async getRelationship(request: T.GetRelationshipRequest, options?: CallOptions): Promise<T.Relationship> {
    validateGetRelationshipRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: `/v1/friends/${pathSegment("user_id", request.userId)}`,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Changes your own settings for a friend (remark, classification, tags, status); the friend
   * is not told.
   *
   * `PATCH /v1/friends/{user_id}`
   */
  async updateFriend(request: T.UpdateFriendRequest, options?: CallOptions): Promise<T.Friend> {
    validateUpdateFriendRequest(request, this.caller());
    return this.transport.call(
      {
        method: "PATCH",
        path: `/v1/friends/${pathSegment("user_id", request.userId)}`,
        json: omitPaths(request, [["userId"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Ends the friendship on both sides.
   *
   * `DELETE /v1/friends/{user_id}`
   */
  async deleteFriend(request: T.DeleteFriendRequest, options?: CallOptions): Promise<T.DeleteFriendResponse> {
    validateDeleteFriendRequest(request, this.caller());
    return this.transport.call(
      {
        method: "DELETE",
        path: `/v1/friends/${pathSegment("user_id", request.userId)}`,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * A blocked user can no longer message the caller or send friend requests.
   *
   * `PUT /v1/blocks/{user_id}`
   */
  async blockUser(request: T.BlockUserRequest, options?: CallOptions): Promise<T.Relationship> {
    validateBlockUserRequest(request, this.caller());
    return this.transport.call(
      {
        method: "PUT",
        path: `/v1/blocks/${pathSegment("user_id", request.userId)}`,
        json: omitPaths(request, [["userId"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Lifts your block: the user may send you messages and friend requests again.
   *
   * `DELETE /v1/blocks/{user_id}`
   */
  async unblockUser(request: T.UnblockUserRequest, options?: CallOptions): Promise<T.Relationship> {
    validateUnblockUserRequest(request, this.caller());
    return this.transport.call(
      {
        method: "DELETE",
        path: `/v1/blocks/${pathSegment("user_id", request.userId)}`,
        auth: true,
        response: "json",
      },
      options,
    );
  }
}

/** The methods of prim.v1.GroupService over HTTP. */
export class GroupServiceClient {
  constructor(
    private readonly transport: Transport,
    /** The signed-in user's id, for the rules that refuse the caller's own id. */
    private readonly caller: () => string | undefined = () => undefined,
  ) {}

  /**
   * The caller becomes the owner.
   *
   * `POST /v1/groups`
   */
  async createGroup(request: T.CreateGroupRequest, options?: CallOptions): Promise<T.Group> {
    validateCreateGroupRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: "/v1/groups",
        json: request,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * The groups the caller is a member of.
   *
   * `GET /v1/groups`
   */
  async listMyGroups(request: T.ListMyGroupsRequest = {}, options?: CallOptions): Promise<T.ListMyGroupsResponse> {
    validateListMyGroupsRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: "/v1/groups",
        query: [
          ["pageSize", request.pageSize],
          ["pageToken", request.pageToken],
        ],
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * A group's public card (name, avatar, announcement, owner, member count); any signed-in user
   * may read it.
   *
   * `GET /v1/groups/{group_id}`
   */
  async getGroup(request: T.GetGroupRequest, options?: CallOptions): Promise<T.Group> {
    validateGetGroupRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}`,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Owner or admin; absent fields stay as they are.
   *
   * `PATCH /v1/groups/{group_id}`
   */
  async updateGroup(request: T.UpdateGroupRequest, options?: CallOptions): Promise<T.Group> {
    validateUpdateGroupRequest(request, this.caller());
    return this.transport.call(
      {
        method: "PATCH",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}`,
        json: omitPaths(request, [["groupId"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Owner only; every member gets a LeaveGroup message.
   *
   * `DELETE /v1/groups/{group_id}`
   */
  async destroyGroup(request: T.DestroyGroupRequest, options?: CallOptions): Promise<T.DestroyGroupResponse> {
    validateDestroyGroupRequest(request, this.caller());
    return this.transport.call(
      {
        method: "DELETE",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}`,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Members only.
   *
   * `GET /v1/groups/{group_id}/members`
   */
  async listMembers(request: T.ListMembersRequest, options?: CallOptions): Promise<T.ListMembersResponse> {
    validateListMembersRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}/members`,
        query: [
          ["role", request.role],
          ["pageSize", request.pageSize],
          ["pageToken", request.pageToken],
        ],
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Asks to join a group (with its join password, if it has one); every admin who has not
   * blocked you is told in their notification stream.
   *
   * `POST /v1/groups/{group_id}/join-requests`
   */
  async requestToJoin(request: T.RequestToJoinRequest, options?: CallOptions): Promise<T.JoinRequest> {
    validateRequestToJoinRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}/join-requests`,
        json: omitPaths(request, [["groupId"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Admins only.
   *
   * `GET /v1/groups/{group_id}/join-requests`
   */
  async listJoinRequests(request: T.ListJoinRequestsRequest, options?: CallOptions): Promise<T.ListJoinRequestsResponse> {
    validateListJoinRequestsRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}/join-requests`,
        query: [
          ["pageSize", request.pageSize],
          ["pageToken", request.pageToken],
        ],
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Admins: lets the applicant in; they are told in their notification stream, the members in
   * the group. Answers the request, now APPROVED (the member: ListMembers).
   *
   * `POST /v1/groups/{group_id}/join-requests/{user_id}/approve`
   */
  async approveJoinRequest(request: T.ApproveJoinRequestRequest, options?: CallOptions): Promise<T.JoinRequest> {
    validateApproveJoinRequestRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}/join-requests/${pathSegment("user_id", request.userId)}/approve`,
        json: omitPaths(request, [["groupId"], ["userId"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Admins: declines a pending request, with an optional reason the applicant is told.
   * Answers the request, now REJECTED.
   *
   * `POST /v1/groups/{group_id}/join-requests/{user_id}/reject`
   */
  async rejectJoinRequest(request: T.RejectJoinRequestRequest, options?: CallOptions): Promise<T.JoinRequest> {
    validateRejectJoinRequestRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}/join-requests/${pathSegment("user_id", request.userId)}/reject`,
        json: omitPaths(request, [["groupId"], ["userId"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * The owner cannot leave; they destroy the group or hand it over first.
   *
   * `DELETE /v1/groups/{group_id}/membership`
   */
  async leaveGroup(request: T.LeaveGroupRequest, options?: CallOptions): Promise<T.LeaveGroupResponse> {
    validateLeaveGroupRequest(request, this.caller());
    return this.transport.call(
      {
        method: "DELETE",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}/membership`,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * An admin removes a member (not another admin, unless the owner does it).
   *
   * `POST /v1/groups/{group_id}/members/{user_id}/kick`
   */
  async kickMember(request: T.KickMemberRequest, options?: CallOptions): Promise<T.KickMemberResponse> {
    validateKickMemberRequest(request, this.caller());
    return this.transport.call(
      {
        method: "POST",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}/members/${pathSegment("user_id", request.userId)}/kick`,
        json: omitPaths(request, [["groupId"], ["userId"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Owner only.
   *
   * `PUT /v1/groups/{group_id}/admins/{user_id}`
   */
  async grantAdmin(request: T.GrantAdminRequest, options?: CallOptions): Promise<T.Member> {
    validateGrantAdminRequest(request, this.caller());
    return this.transport.call(
      {
        method: "PUT",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}/admins/${pathSegment("user_id", request.userId)}`,
        json: omitPaths(request, [["groupId"], ["userId"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * The owner: makes an admin an ordinary member again; the group is told.
   *
   * `DELETE /v1/groups/{group_id}/admins/{user_id}`
   */
  async revokeAdmin(request: T.RevokeAdminRequest, options?: CallOptions): Promise<T.Member> {
    validateRevokeAdminRequest(request, this.caller());
    return this.transport.call(
      {
        method: "DELETE",
        path: `/v1/groups/${pathSegment("group_id", request.groupId)}/admins/${pathSegment("user_id", request.userId)}`,
        auth: true,
        response: "json",
      },
      options,
    );
  }
}

/** The methods of prim.v1.MessageService over HTTP. */
export class MessageServiceClient {
  constructor(
    private readonly transport: Transport,
    /** The signed-in user's id, for the rules that refuse the caller's own id. */
    private readonly caller: () => string | undefined = () => undefined,
  ) {}

  /**
   * Conversations with messages the caller has not read, newest first.
   *
   * `GET /v1/inbox`
   */
  async getInbox(request: T.GetInboxRequest = {}, options?: CallOptions): Promise<T.GetInboxResponse> {
    validateGetInboxRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: "/v1/inbox",
        query: [
          ["sinceMs", request.sinceMs],
          ["pageSize", request.pageSize],
          ["pageToken", request.pageToken],
        ],
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * One page of a conversation's history.
   *
   * `GET /v1/conversations/{peer_id}/messages`
   */
  async listHistory(request: T.ListHistoryRequest, options?: CallOptions): Promise<T.ListHistoryResponse> {
    validateListHistoryRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: `/v1/conversations/${pathSegment("peer_id", request.peerId)}/messages`,
        query: [
          ["fromSeqnum", request.fromSeqnum],
          ["toSeqnum", request.toSeqnum],
          ["direction", request.direction],
          ["pageSize", request.pageSize],
          ["pageToken", request.pageToken],
        ],
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * How far you have read a conversation (another user, a group, or your own id for your
   * notifications).
   *
   * `GET /v1/conversations/{peer_id}/read-marker`
   */
  async getReadMarker(request: T.GetReadMarkerRequest, options?: CallOptions): Promise<T.ReadMarker> {
    validateGetReadMarkerRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: `/v1/conversations/${pathSegment("peer_id", request.peerId)}/read-marker`,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Markers only move forward; an older seqnum leaves the marker where it is.
   *
   * `PUT /v1/conversations/{peer_id}/read-marker`
   */
  async setReadMarker(request: T.SetReadMarkerRequest, options?: CallOptions): Promise<T.ReadMarker> {
    validateSetReadMarkerRequest(request, this.caller());
    return this.transport.call(
      {
        method: "PUT",
        path: `/v1/conversations/${pathSegment("peer_id", request.peerId)}/read-marker`,
        json: omitPaths(request, [["peerId"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * The author replaces a message's payload; every participant gets an Edit message.
   *
   * `PATCH /v1/conversations/{peer_id}/messages/{seqnum}`
   */
  async editMessage(request: T.EditMessageRequest, options?: CallOptions): Promise<T.ChatMessage> {
    validateEditMessageRequest(request, this.caller());
    return this.transport.call(
      {
        method: "PATCH",
        path: `/v1/conversations/${pathSegment("peer_id", request.peerId)}/messages/${pathSegment("seqnum", request.seqnum)}`,
        json: omitPaths(request, [["peerId"], ["seqnum"]]),
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * The author (or a group admin) retracts a message; participants get a Withdraw message.
   *
   * `DELETE /v1/conversations/{peer_id}/messages/{seqnum}`
   */
  async withdrawMessage(request: T.WithdrawMessageRequest, options?: CallOptions): Promise<T.ChatMessage> {
    validateWithdrawMessageRequest(request, this.caller());
    return this.transport.call(
      {
        method: "DELETE",
        path: `/v1/conversations/${pathSegment("peer_id", request.peerId)}/messages/${pathSegment("seqnum", request.seqnum)}`,
        auth: true,
        response: "json",
      },
      options,
    );
  }
}

/** The methods of prim.v1.NodeService over HTTP. */
export class NodeServiceClient {
  constructor(
    private readonly transport: Transport,
    /** The signed-in user's id, for the rules that refuse the caller's own id. */
    _caller?: () => string | undefined,
  ) {}

  /**
   * The message node assigned to the caller and the addresses to reach it.
   *
   * `GET /v1/node`
   */
  async getMyNode(_request: T.GetMyNodeRequest = {}, options?: CallOptions): Promise<T.NodeAssignment> {
    return this.transport.call(
      {
        method: "GET",
        path: "/v1/node",
        auth: true,
        response: "json",
      },
      options,
    );
  }
}

/** The methods of prim.v1.UserService over HTTP. */
export class UserServiceClient {
  constructor(
    private readonly transport: Transport,
    /** The signed-in user's id, for the rules that refuse the caller's own id. */
    private readonly caller: () => string | undefined = () => undefined,
  ) {}

  /**
   * Your own profile: id, nickname, avatar, signature, when you signed up and were last online.
   *
   * `GET /v1/users/me`
   */
  async getMyProfile(_request: T.GetMyProfileRequest = {}, options?: CallOptions): Promise<T.Profile> {
    return this.transport.call(
      {
        method: "GET",
        path: "/v1/users/me",
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Changes the fields that are present; absent fields stay as they are.
   *
   * `PATCH /v1/users/me`
   */
  async updateMyProfile(request: T.UpdateMyProfileRequest = {}, options?: CallOptions): Promise<T.Profile> {
    validateUpdateMyProfileRequest(request, this.caller());
    return this.transport.call(
      {
        method: "PATCH",
        path: "/v1/users/me",
        json: request,
        auth: true,
        response: "json",
      },
      options,
    );
  }

  /**
   * Another user's public profile, with the remark the caller gave them.
   *
   * `GET /v1/users/{user_id}`
   */
  async getUser(request: T.GetUserRequest, options?: CallOptions): Promise<T.PublicProfile> {
    validateGetUserRequest(request, this.caller());
    return this.transport.call(
      {
        method: "GET",
        path: `/v1/users/${pathSegment("user_id", request.userId)}`,
        auth: true,
        response: "json",
      },
      options,
    );
  }
}

/** The PRIM HTTP API: one property per service. */
export class PrimClient {
  /** Sent as `Authorization: Bearer <token>` by every method that needs a session. */
  accessToken: string | undefined;
  /** The signed-in user's id (LoginResponse.userId): requests naming it where the spec
   * refuses the caller's own id fail before they are sent, as the server would. */
  userId: string | undefined;
  readonly account: AccountServiceClient;
  readonly file: FileServiceClient;
  readonly friend: FriendServiceClient;
  readonly group: GroupServiceClient;
  readonly message: MessageServiceClient;
  readonly node: NodeServiceClient;
  readonly user: UserServiceClient;

  constructor(options: PrimClientOptions) {
    this.accessToken = options.accessToken;
    this.userId = options.userId;
    const transport = new FetchTransport(options, () => this.accessToken);
    const caller = () => this.userId;
    this.account = new AccountServiceClient(transport, caller);
    this.file = new FileServiceClient(transport, caller);
    this.friend = new FriendServiceClient(transport, caller);
    this.group = new GroupServiceClient(transport, caller);
    this.message = new MessageServiceClient(transport, caller);
    this.node = new NodeServiceClient(transport, caller);
    this.user = new UserServiceClient(transport, caller);
  }
}
