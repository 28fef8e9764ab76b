"""The numbers and formats of the protocol that no message field carries, and the
limits of request fields. Generated from the spec ((prim.v1.constants), (prim.v1.rules))
by `make gen` (codegen/emitters/constants.py): do not edit."""

from __future__ import annotations

#: Ids at or above this are groups; user ids are 1 to GROUP_ID_BASE - 1.
GROUP_ID_BASE = 1 << 36
#: How long a friend request stays answerable, in milliseconds.
FRIEND_REQUEST_TTL_MS = 604800000
#: The key of a conversation between two users ({low} is the smaller id) and of a
#: group's ({group}): the message log's partition key and the cache keys.
USER_CHANNEL_KEY = "u{low}-{high}"
GROUP_CHANNEL_KEY = "g{group}"


def is_group_id(entity_id: int) -> bool:
    return entity_id >= GROUP_ID_BASE


def channel_key(sender: int, receiver: int) -> str:
    """The conversation a message belongs to: the group, or the unordered user pair."""
    if receiver >= GROUP_ID_BASE:
        return f"g{receiver}"
    low, high = (sender, receiver) if sender <= receiver else (receiver, sender)
    return f"u{low}-{high}"


# The limits (prim.v1.rules) sets on request fields; string lengths count code points.
ACCEPT_FRIEND_REQUEST_REQUEST_REMARK_MAX_LENGTH = 64  # AcceptFriendRequestRequest.remark
CHANGE_PASSWORD_REQUEST_CURRENT_PASSWORD_MAX_LENGTH = 128  # ChangePasswordRequest.currentPassword
CHANGE_PASSWORD_REQUEST_NEW_PASSWORD_MIN_LENGTH = 8  # ChangePasswordRequest.newPassword
CHANGE_PASSWORD_REQUEST_NEW_PASSWORD_MAX_LENGTH = 128  # ChangePasswordRequest.newPassword
CREATE_GROUP_REQUEST_NAME_MIN_LENGTH = 1  # CreateGroupRequest.name
CREATE_GROUP_REQUEST_NAME_MAX_LENGTH = 64  # CreateGroupRequest.name
CREATE_GROUP_REQUEST_JOIN_PASSWORD_MAX_LENGTH = 128  # CreateGroupRequest.joinPassword
CREATE_GROUP_REQUEST_AVATAR_MAX_LENGTH = 1024  # CreateGroupRequest.avatar
CREATE_GROUP_REQUEST_ANNOUNCEMENT_MAX_LENGTH = 2000  # CreateGroupRequest.announcement
DELETE_ACCOUNT_REQUEST_PASSWORD_MAX_LENGTH = 128  # DeleteAccountRequest.password
FILE_INFO_CONTENT_TYPE_MAX_LENGTH = 255  # FileInfo.contentType
FILE_INFO_CONTENT_TYPE_PATTERN = "^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*(; [ -~]+)?$"  # FileInfo.contentType
GET_INBOX_REQUEST_PAGE_SIZE_MAXIMUM = 200  # GetInboxRequest.pageSize
GET_INBOX_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50  # GetInboxRequest.pageSize
KICK_MEMBER_REQUEST_REASON_MAX_LENGTH = 500  # KickMemberRequest.reason
LIST_FILES_REQUEST_PAGE_SIZE_MAXIMUM = 200  # ListFilesRequest.pageSize
LIST_FILES_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50  # ListFilesRequest.pageSize
LIST_FRIEND_REQUESTS_REQUEST_PAGE_SIZE_MAXIMUM = 200  # ListFriendRequestsRequest.pageSize
LIST_FRIEND_REQUESTS_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50  # ListFriendRequestsRequest.pageSize
LIST_FRIENDS_REQUEST_PAGE_SIZE_MAXIMUM = 200  # ListFriendsRequest.pageSize
LIST_FRIENDS_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50  # ListFriendsRequest.pageSize
LIST_FRIENDS_REQUEST_CLASSIFICATION_MAX_LENGTH = 64  # ListFriendsRequest.classification
LIST_HISTORY_REQUEST_PAGE_SIZE_MAXIMUM = 200  # ListHistoryRequest.pageSize
LIST_HISTORY_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50  # ListHistoryRequest.pageSize
LIST_JOIN_REQUESTS_REQUEST_PAGE_SIZE_MAXIMUM = 200  # ListJoinRequestsRequest.pageSize
LIST_JOIN_REQUESTS_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50  # ListJoinRequestsRequest.pageSize
LIST_MEMBERS_REQUEST_PAGE_SIZE_MAXIMUM = 200  # ListMembersRequest.pageSize
LIST_MEMBERS_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50  # ListMembersRequest.pageSize
LIST_MY_GROUPS_REQUEST_PAGE_SIZE_MAXIMUM = 200  # ListMyGroupsRequest.pageSize
LIST_MY_GROUPS_REQUEST_PAGE_SIZE_DEFAULT_VALUE = 50  # ListMyGroupsRequest.pageSize
LOGIN_REQUEST_PASSWORD_MAX_LENGTH = 128  # LoginRequest.password
LOGIN_REQUEST_DEVICE_NAME_MAX_LENGTH = 64  # LoginRequest.deviceName
REJECT_FRIEND_REQUEST_REQUEST_REASON_MAX_LENGTH = 500  # RejectFriendRequestRequest.reason
REJECT_JOIN_REQUEST_REQUEST_REASON_MAX_LENGTH = 500  # RejectJoinRequestRequest.reason
REQUEST_TO_JOIN_REQUEST_PASSWORD_MAX_LENGTH = 128  # RequestToJoinRequest.password
REQUEST_TO_JOIN_REQUEST_MESSAGE_MAX_LENGTH = 500  # RequestToJoinRequest.message
REVOKE_SESSION_REQUEST_DEVICE_ID_MIN_LENGTH = 1  # RevokeSessionRequest.deviceId
REVOKE_SESSION_REQUEST_DEVICE_ID_MAX_LENGTH = 64  # RevokeSessionRequest.deviceId
SEND_FRIEND_REQUEST_REQUEST_MESSAGE_MAX_LENGTH = 500  # SendFriendRequestRequest.message
SEND_FRIEND_REQUEST_REQUEST_REMARK_MAX_LENGTH = 64  # SendFriendRequestRequest.remark
SIGNUP_REQUEST_PASSWORD_MIN_LENGTH = 8  # SignupRequest.password
SIGNUP_REQUEST_PASSWORD_MAX_LENGTH = 128  # SignupRequest.password
SIGNUP_REQUEST_NICKNAME_MIN_LENGTH = 1  # SignupRequest.nickname
SIGNUP_REQUEST_NICKNAME_MAX_LENGTH = 64  # SignupRequest.nickname
TAG_LIST_TAGS_MIN_LENGTH = 1  # TagList.tags
TAG_LIST_TAGS_MAX_LENGTH = 32  # TagList.tags
TAG_LIST_TAGS_MAX_ITEMS = 32  # TagList.tags
UPDATE_FRIEND_REQUEST_REMARK_MAX_LENGTH = 64  # UpdateFriendRequest.remark
UPDATE_FRIEND_REQUEST_CLASSIFICATION_MAX_LENGTH = 64  # UpdateFriendRequest.classification
UPDATE_GROUP_REQUEST_NAME_MIN_LENGTH = 1  # UpdateGroupRequest.name
UPDATE_GROUP_REQUEST_NAME_MAX_LENGTH = 64  # UpdateGroupRequest.name
UPDATE_GROUP_REQUEST_AVATAR_MAX_LENGTH = 1024  # UpdateGroupRequest.avatar
UPDATE_GROUP_REQUEST_ANNOUNCEMENT_MAX_LENGTH = 2000  # UpdateGroupRequest.announcement
UPDATE_GROUP_REQUEST_JOIN_PASSWORD_MAX_LENGTH = 128  # UpdateGroupRequest.joinPassword
UPDATE_MY_PROFILE_REQUEST_NICKNAME_MIN_LENGTH = 1  # UpdateMyProfileRequest.nickname
UPDATE_MY_PROFILE_REQUEST_NICKNAME_MAX_LENGTH = 64  # UpdateMyProfileRequest.nickname
UPDATE_MY_PROFILE_REQUEST_SIGNATURE_MAX_LENGTH = 256  # UpdateMyProfileRequest.signature
UPLOAD_FILE_REQUEST_NAME_MAX_LENGTH = 255  # UploadFileRequest.name
