/**
 * The numbers and formats of the protocol that no message field carries, and the
 * limits of request fields ((prim.v1.constants), (prim.v1.rules)).
 *
 * Generated from spec/prim/v1 by `make gen` (codegen/emitters/constants.py); do not edit.
 */

/** Ids at or above this are groups; user ids are 1 to GROUP_ID_BASE - 1. */
export const GROUP_ID_BASE = 68719476736n;
/** How long a friend request stays answerable, in milliseconds. */
export const FRIEND_REQUEST_TTL_MS = 604800000;
/** The key of a conversation between two users ({low} is the smaller id). */
export const USER_CHANNEL_KEY = "u{low}-{high}";
/** The key of a group's conversation. */
export const GROUP_CHANNEL_KEY = "g{group}";

export function isGroupId(id: bigint): boolean {
  return id >= GROUP_ID_BASE;
}

/** The conversation a message belongs to: the group, or the unordered user pair. */
export function channelKey(sender: bigint, receiver: bigint): string {
  if (receiver >= GROUP_ID_BASE) {
    return `g${receiver}`;
  }
  const [low, high] = sender <= receiver ? [sender, receiver] : [receiver, sender];
  return `u${low}-${high}`;
}

// The limits (prim.v1.rules) sets on request fields; string lengths count code points.
export const ACCEPT_FRIEND_REQUEST_REQUEST_REMARK_MAX_LENGTH = 64; // AcceptFriendRequestRequest.remark
export const CHANGE_PASSWORD_REQUEST_CURRENT_PASSWORD_MAX_LENGTH = 128; // ChangePasswordRequest.currentPassword
export const CHANGE_PASSWORD_REQUEST_NEW_PASSWORD_MIN_LENGTH = 8; // ChangePasswordRequest.newPassword
export const CHANGE_PASSWORD_REQUEST_NEW_PASSWORD_MAX_LENGTH = 128; // ChangePasswordRequest.newPassword
export const CREATE_GROUP_REQUEST_NAME_MIN_LENGTH = 1; // CreateGroupRequest.name
export const CREATE_GROUP_REQUEST_NAME_MAX_LENGTH = 64; // CreateGroupRequest.name
export const CREATE_GROUP_REQUEST_JOIN_PASSWORD_MAX_LENGTH = 128; // CreateGroupRequest.joinPassword
export const CREATE_GROUP_REQUEST_AVATAR_MAX_LENGTH = 1024; // CreateGroupRequest.avatar
export const CREATE_GROUP_REQUEST_ANNOUNCEMENT_MAX_LENGTH = 2000; // CreateGroupRequest.announcement
export const DELETE_ACCOUNT_REQUEST_PASSWORD_MAX_LENGTH = 128; // DeleteAccountRequest.password
export const FILE_INFO_CONTENT_TYPE_MAX_LENGTH = 255; // FileInfo.contentType
export const FILE_INFO_CONTENT_TYPE_PATTERN = "^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*(; [ -~]+)?$"; // FileInfo.contentType
export const GET_INBOX_REQUEST_PAGE_SIZE_MAXIMUM = 200; // GetInboxRequest.pageSize
export const GET_INBOX_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50; // GetInboxRequest.pageSize
export const KICK_MEMBER_REQUEST_REASON_MAX_LENGTH = 500; // KickMemberRequest.reason
export const LIST_FILES_REQUEST_PAGE_SIZE_MAXIMUM = 200; // ListFilesRequest.pageSize
export const LIST_FILES_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50; // ListFilesRequest.pageSize
export const LIST_FRIEND_REQUESTS_REQUEST_PAGE_SIZE_MAXIMUM = 200; // ListFriendRequestsRequest.pageSize
export const LIST_FRIEND_REQUESTS_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50; // ListFriendRequestsRequest.pageSize
export const LIST_FRIENDS_REQUEST_PAGE_SIZE_MAXIMUM = 200; // ListFriendsRequest.pageSize
export const LIST_FRIENDS_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50; // ListFriendsRequest.pageSize
export const LIST_FRIENDS_REQUEST_CLASSIFICATION_MAX_LENGTH = 64; // ListFriendsRequest.classification
export const LIST_HISTORY_REQUEST_PAGE_SIZE_MAXIMUM = 200; // ListHistoryRequest.pageSize
export const LIST_HISTORY_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50; // ListHistoryRequest.pageSize
export const LIST_JOIN_REQUESTS_REQUEST_PAGE_SIZE_MAXIMUM = 200; // ListJoinRequestsRequest.pageSize
export const LIST_JOIN_REQUESTS_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50; // ListJoinRequestsRequest.pageSize
export const LIST_MEMBERS_REQUEST_PAGE_SIZE_MAXIMUM = 200; // ListMembersRequest.pageSize
export const LIST_MEMBERS_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50; // ListMembersRequest.pageSize
export const LIST_MY_GROUPS_REQUEST_PAGE_SIZE_MAXIMUM = 200; // ListMyGroupsRequest.pageSize
export const LIST_MY_GROUPS_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50; // ListMyGroupsRequest.pageSize
export const LOGIN_REQUEST_PASSWORD_MAX_LENGTH = 128; // LoginRequest.password
export const LOGIN_REQUEST_DEVICE_NAME_MAX_LENGTH = 64; // LoginRequest.deviceName
export const REJECT_FRIEND_REQUEST_REQUEST_REASON_MAX_LENGTH = 500; // RejectFriendRequestRequest.reason
export const REJECT_JOIN_REQUEST_REQUEST_REASON_MAX_LENGTH = 500; // RejectJoinRequestRequest.reason
export const REQUEST_TO_JOIN_REQUEST_PASSWORD_MAX_LENGTH = 128; // RequestToJoinRequest.password
export const REQUEST_TO_JOIN_REQUEST_MESSAGE_MAX_LENGTH = 500; // RequestToJoinRequest.message
export const REVOKE_SESSION_REQUEST_DEVICE_ID_MIN_LENGTH = 1; // RevokeSessionRequest.deviceId
export const REVOKE_SESSION_REQUEST_DEVICE_ID_MAX_LENGTH = 64; // RevokeSessionRequest.deviceId
export const SEND_FRIEND_REQUEST_REQUEST_MESSAGE_MAX_LENGTH = 500; // SendFriendRequestRequest.message
export const SEND_FRIEND_REQUEST_REQUEST_REMARK_MAX_LENGTH = 64; // SendFriendRequestRequest.remark
export const SIGNUP_REQUEST_PASSWORD_MIN_LENGTH = 8; // SignupRequest.password
export const SIGNUP_REQUEST_PASSWORD_MAX_LENGTH = 128; // SignupRequest.password
export const SIGNUP_REQUEST_NICKNAME_MIN_LENGTH = 1; // SignupRequest.nickname
export const SIGNUP_REQUEST_NICKNAME_MAX_LENGTH = 64; // SignupRequest.nickname
export const TAG_LIST_TAGS_MIN_LENGTH = 1; // TagList.tags
export const TAG_LIST_TAGS_MAX_LENGTH = 32; // TagList.tags
export const TAG_LIST_TAGS_MAX_ITEMS = 32; // TagList.tags
export const UPDATE_FRIEND_REQUEST_REMARK_MAX_LENGTH = 64; // UpdateFriendRequest.remark
export const UPDATE_FRIEND_REQUEST_CLASSIFICATION_MAX_LENGTH = 64; // UpdateFriendRequest.classification
export const UPDATE_GROUP_REQUEST_NAME_MIN_LENGTH = 1; // UpdateGroupRequest.name
export const UPDATE_GROUP_REQUEST_NAME_MAX_LENGTH = 64; // UpdateGroupRequest.name
export const UPDATE_GROUP_REQUEST_AVATAR_MAX_LENGTH = 1024; // UpdateGroupRequest.avatar
export const UPDATE_GROUP_REQUEST_ANNOUNCEMENT_MAX_LENGTH = 2000; // UpdateGroupRequest.announcement
export const UPDATE_GROUP_REQUEST_JOIN_PASSWORD_MAX_LENGTH = 128; // UpdateGroupRequest.joinPassword
export const UPDATE_MY_PROFILE_REQUEST_NICKNAME_MIN_LENGTH = 1; // UpdateMyProfileRequest.nickname
export const UPDATE_MY_PROFILE_REQUEST_NICKNAME_MAX_LENGTH = 64; // UpdateMyProfileRequest.nickname
export const UPDATE_MY_PROFILE_REQUEST_SIGNATURE_MAX_LENGTH = 256; // UpdateMyProfileRequest.signature
export const UPLOAD_FILE_REQUEST_NAME_MAX_LENGTH = 255; // UploadFileRequest.name
