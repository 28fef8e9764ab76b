"""Request validators: one per request message, checking what the spec's
(prim.v1.rules) and (google.api.field_behavior) = REQUIRED say, text fields trimmed in
place; `validate(message, caller)` runs the one of the message's type (caller: the
calling user's id, 0 when none). A broken rule raises checks.RuleViolation. Generated
from the spec by `make gen` (codegen/emitters/validate_py.py): do not edit."""

# ruff: noqa: E501
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import betterproto2

from prim.generated import checks as c
from prim.generated.prim.v1 import (
    AcceptFriendRequestRequest,
    ApproveJoinRequestRequest,
    BlockUserRequest,
    ChangePasswordRequest,
    CreateGroupRequest,
    DeleteAccountRequest,
    DeleteFileRequest,
    DeleteFriendRequest,
    DestroyGroupRequest,
    DownloadFileRequest,
    EditMessageRequest,
    GetFileInfoRequest,
    GetGroupRequest,
    GetInboxRequest,
    GetReadMarkerRequest,
    GetRelationshipRequest,
    GetUserRequest,
    GrantAdminRequest,
    KickMemberRequest,
    LeaveGroupRequest,
    ListFilesRequest,
    ListFriendRequestsRequest,
    ListFriendsRequest,
    ListHistoryRequest,
    ListJoinRequestsRequest,
    ListMembersRequest,
    ListMyGroupsRequest,
    LoginRequest,
    RejectFriendRequestRequest,
    RejectJoinRequestRequest,
    RequestToJoinRequest,
    RevokeAdminRequest,
    RevokeSessionRequest,
    SendFriendRequestRequest,
    SetReadMarkerRequest,
    SignupRequest,
    TagList,
    UnblockUserRequest,
    UpdateFriendRequest,
    UpdateGroupRequest,
    UpdateMyProfileRequest,
    UploadFileRequest,
    WithdrawMessageRequest,
)
from prim.generated.wire import MAX_SEQNUM


def validate_accept_friend_request_request(m: AcceptFriendRequestRequest, caller: int = 0, where: str = "") -> None:
    v = m.requester_id
    p = c.at(where, "requester_id")
    c.id_of(v, p, "USER", required=True, caller=caller, not_caller="give another user's id")
    v = m.remark
    p = c.at(where, "remark")
    m.remark = v = c.text(v, p, lines=False)
    c.length(v, p, 0, 64)


def validate_approve_join_request_request(m: ApproveJoinRequestRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)
    v = m.user_id
    p = c.at(where, "user_id")
    c.id_of(v, p, "USER", required=True)


def validate_block_user_request(m: BlockUserRequest, caller: int = 0, where: str = "") -> None:
    v = m.user_id
    p = c.at(where, "user_id")
    c.id_of(v, p, "USER", required=True, caller=caller, not_caller="give another user's id")


def validate_change_password_request(m: ChangePasswordRequest, caller: int = 0, where: str = "") -> None:
    v = m.current_password
    p = c.at(where, "current_password")
    c.required(bool(v), p)
    c.length(v, p, 0, 128)
    v = m.new_password
    p = c.at(where, "new_password")
    c.required(bool(v), p)
    c.length(v, p, 8, 128)


def validate_create_group_request(m: CreateGroupRequest, caller: int = 0, where: str = "") -> None:
    v = m.name
    p = c.at(where, "name")
    m.name = v = c.text(v, p, lines=False)
    c.non_blank(v, p)
    c.length(v, p, 0, 64)
    v = m.join_password
    p = c.at(where, "join_password")
    c.length(v, p, 0, 128)
    v = m.avatar
    p = c.at(where, "avatar")
    m.avatar = v = c.text(v, p, lines=False)
    c.length(v, p, 0, 1024)
    v = m.announcement
    p = c.at(where, "announcement")
    m.announcement = v = c.text(v, p, lines=True)
    c.length(v, p, 0, 2000)


def validate_delete_account_request(m: DeleteAccountRequest, caller: int = 0, where: str = "") -> None:
    v = m.password
    p = c.at(where, "password")
    c.required(bool(v), p)
    c.length(v, p, 0, 128)


def validate_delete_file_request(m: DeleteFileRequest, caller: int = 0, where: str = "") -> None:
    v = m.file_id
    p = c.at(where, "file_id")
    c.required(bool(v), p)


def validate_delete_friend_request(m: DeleteFriendRequest, caller: int = 0, where: str = "") -> None:
    v = m.user_id
    p = c.at(where, "user_id")
    c.id_of(v, p, "USER", required=True, caller=caller, not_caller="give another user's id")


def validate_destroy_group_request(m: DestroyGroupRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)


def validate_download_file_request(m: DownloadFileRequest, caller: int = 0, where: str = "") -> None:
    v = m.file_id
    p = c.at(where, "file_id")
    c.required(bool(v), p)


def validate_edit_message_request(m: EditMessageRequest, caller: int = 0, where: str = "") -> None:
    v = m.peer_id
    p = c.at(where, "peer_id")
    c.id_of(v, p, "PEER", required=True)
    v = m.seqnum
    p = c.at(where, "seqnum")
    c.required(bool(v), p)
    c.at_most_header(v, p, MAX_SEQNUM, "seqnum")
    v = m.new_payload
    p = c.at(where, "new_payload")
    c.required(bool(v), p)


def validate_get_file_info_request(m: GetFileInfoRequest, caller: int = 0, where: str = "") -> None:
    v = m.file_id
    p = c.at(where, "file_id")
    c.required(bool(v), p)


def validate_get_group_request(m: GetGroupRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)


def validate_get_inbox_request(m: GetInboxRequest, caller: int = 0, where: str = "") -> None:
    v = m.page_size
    p = c.at(where, "page_size")
    c.in_range(v, p, None, 200)


def validate_get_read_marker_request(m: GetReadMarkerRequest, caller: int = 0, where: str = "") -> None:
    v = m.peer_id
    p = c.at(where, "peer_id")
    c.id_of(v, p, "PEER", required=True)


def validate_get_relationship_request(m: GetRelationshipRequest, caller: int = 0, where: str = "") -> None:
    v = m.user_id
    p = c.at(where, "user_id")
    c.id_of(v, p, "USER", required=True, caller=caller, not_caller="give another user's id")


def validate_get_user_request(m: GetUserRequest, caller: int = 0, where: str = "") -> None:
    v = m.user_id
    p = c.at(where, "user_id")
    c.required(bool(v), p)


def validate_grant_admin_request(m: GrantAdminRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)
    v = m.user_id
    p = c.at(where, "user_id")
    c.id_of(v, p, "USER", required=True, caller=caller, not_caller="the owner's role does not change")


def validate_kick_member_request(m: KickMemberRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)
    v = m.user_id
    p = c.at(where, "user_id")
    c.id_of(v, p, "USER", required=True, caller=caller, not_caller="use LeaveGroup to leave")
    v = m.reason
    p = c.at(where, "reason")
    m.reason = v = c.text(v, p, lines=True)
    c.length(v, p, 0, 500)


def validate_leave_group_request(m: LeaveGroupRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)


def validate_list_files_request(m: ListFilesRequest, caller: int = 0, where: str = "") -> None:
    v = m.page_size
    p = c.at(where, "page_size")
    c.in_range(v, p, None, 200)


def validate_list_friend_requests_request(m: ListFriendRequestsRequest, caller: int = 0, where: str = "") -> None:
    v = m.page_size
    p = c.at(where, "page_size")
    c.in_range(v, p, None, 200)


def validate_list_friends_request(m: ListFriendsRequest, caller: int = 0, where: str = "") -> None:
    v = m.page_size
    p = c.at(where, "page_size")
    c.in_range(v, p, None, 200)
    v = m.classification
    p = c.at(where, "classification")
    c.length(v, p, 0, 64)


def validate_list_history_request(m: ListHistoryRequest, caller: int = 0, where: str = "") -> None:
    v = m.peer_id
    p = c.at(where, "peer_id")
    c.id_of(v, p, "PEER", required=True)
    v = m.from_seqnum
    p = c.at(where, "from_seqnum")
    c.at_most_header(v, p, MAX_SEQNUM, "seqnum")
    v = m.to_seqnum
    p = c.at(where, "to_seqnum")
    c.at_most_header(v, p, MAX_SEQNUM, "seqnum")
    v = m.direction
    p = c.at(where, "direction")
    c.one_of(v, p, (0, 1, 2,), ("DIRECTION_UNSPECIFIED", "DIRECTION_FORWARD", "DIRECTION_BACKWARD",))
    v = m.page_size
    p = c.at(where, "page_size")
    c.in_range(v, p, None, 200)


def validate_list_join_requests_request(m: ListJoinRequestsRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)
    v = m.page_size
    p = c.at(where, "page_size")
    c.in_range(v, p, None, 200)


def validate_list_members_request(m: ListMembersRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)
    v = m.role
    p = c.at(where, "role")
    c.one_of(v, p, (0, 1, 2, 3,), ("GROUP_ROLE_UNSPECIFIED", "GROUP_ROLE_MEMBER", "GROUP_ROLE_ADMIN", "GROUP_ROLE_OWNER",))
    v = m.page_size
    p = c.at(where, "page_size")
    c.in_range(v, p, None, 200)


def validate_list_my_groups_request(m: ListMyGroupsRequest, caller: int = 0, where: str = "") -> None:
    v = m.page_size
    p = c.at(where, "page_size")
    c.in_range(v, p, None, 200)


def validate_login_request(m: LoginRequest, caller: int = 0, where: str = "") -> None:
    v = m.user_id
    p = c.at(where, "user_id")
    c.required(bool(v), p)
    v = m.password
    p = c.at(where, "password")
    c.required(bool(v), p)
    c.length(v, p, 0, 128)
    v = m.device_name
    p = c.at(where, "device_name")
    m.device_name = v = c.text(v, p, lines=False)
    c.length(v, p, 0, 64)


def validate_reject_friend_request_request(m: RejectFriendRequestRequest, caller: int = 0, where: str = "") -> None:
    v = m.requester_id
    p = c.at(where, "requester_id")
    c.id_of(v, p, "USER", required=True, caller=caller, not_caller="give another user's id")
    v = m.reason
    p = c.at(where, "reason")
    m.reason = v = c.text(v, p, lines=True)
    c.length(v, p, 0, 500)


def validate_reject_join_request_request(m: RejectJoinRequestRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)
    v = m.user_id
    p = c.at(where, "user_id")
    c.id_of(v, p, "USER", required=True)
    v = m.reason
    p = c.at(where, "reason")
    m.reason = v = c.text(v, p, lines=True)
    c.length(v, p, 0, 500)


def validate_request_to_join_request(m: RequestToJoinRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)
    v = m.password
    p = c.at(where, "password")
    c.length(v, p, 0, 128)
    v = m.message
    p = c.at(where, "message")
    m.message = v = c.text(v, p, lines=True)
    c.length(v, p, 0, 500)


def validate_revoke_admin_request(m: RevokeAdminRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)
    v = m.user_id
    p = c.at(where, "user_id")
    c.id_of(v, p, "USER", required=True, caller=caller, not_caller="the owner's role does not change")


def validate_revoke_session_request(m: RevokeSessionRequest, caller: int = 0, where: str = "") -> None:
    v = m.device_id
    p = c.at(where, "device_id")
    c.required(bool(v), p)
    c.length(v, p, 1, 64)


def validate_send_friend_request_request(m: SendFriendRequestRequest, caller: int = 0, where: str = "") -> None:
    v = m.user_id
    p = c.at(where, "user_id")
    c.id_of(v, p, "USER", required=True, caller=caller, not_caller="give another user's id")
    v = m.message
    p = c.at(where, "message")
    m.message = v = c.text(v, p, lines=True)
    c.length(v, p, 0, 500)
    v = m.remark
    p = c.at(where, "remark")
    m.remark = v = c.text(v, p, lines=False)
    c.length(v, p, 0, 64)


def validate_set_read_marker_request(m: SetReadMarkerRequest, caller: int = 0, where: str = "") -> None:
    v = m.peer_id
    p = c.at(where, "peer_id")
    c.id_of(v, p, "PEER", required=True)
    v = m.seqnum
    p = c.at(where, "seqnum")
    c.required(bool(v), p)
    c.at_most_header(v, p, MAX_SEQNUM, "seqnum")


def validate_signup_request(m: SignupRequest, caller: int = 0, where: str = "") -> None:
    if m.user_id is not None:
        v = m.user_id
        p = c.at(where, "user_id")
        c.id_of(v, p, "USER", required=True)
    v = m.password
    p = c.at(where, "password")
    c.required(bool(v), p)
    c.length(v, p, 8, 128)
    v = m.nickname
    p = c.at(where, "nickname")
    m.nickname = v = c.text(v, p, lines=False)
    c.non_blank(v, p)
    c.length(v, p, 0, 64)


def validate_tag_list(m: TagList, caller: int = 0, where: str = "") -> None:
    v = m.tags
    p = c.at(where, "tags")
    m.tags = v = [c.text(x, p, lines=False) for x in v]
    c.items(v, p, 32)
    for i, x in enumerate(v):
        c.non_blank(x, p, f"{p}[{i}]")
        c.length(x, p, 0, 32, f"{p}[{i}]")
    c.unique(v, p)


def validate_unblock_user_request(m: UnblockUserRequest, caller: int = 0, where: str = "") -> None:
    v = m.user_id
    p = c.at(where, "user_id")
    c.id_of(v, p, "USER", required=True, caller=caller, not_caller="give another user's id")


def validate_update_friend_request(m: UpdateFriendRequest, caller: int = 0, where: str = "") -> None:
    v = m.user_id
    p = c.at(where, "user_id")
    c.id_of(v, p, "USER", required=True, caller=caller, not_caller="give another user's id")
    if m.remark is not None:
        v = m.remark
        p = c.at(where, "remark")
        m.remark = v = c.text(v, p, lines=False)
        c.length(v, p, 0, 64)
    if m.status is not None:
        v = m.status
        p = c.at(where, "status")
        c.one_of(v, p, (1, 2, 3,), ("FRIEND_STATUS_NORMAL", "FRIEND_STATUS_SPECIAL", "FRIEND_STATUS_MUTED",))
    if m.classification is not None:
        v = m.classification
        p = c.at(where, "classification")
        m.classification = v = c.text(v, p, lines=False)
        c.length(v, p, 0, 64)
    v = m.tags
    p = c.at(where, "tags")
    if v is not None:
        validate_tag_list(v, caller, p)


def validate_update_group_request(m: UpdateGroupRequest, caller: int = 0, where: str = "") -> None:
    v = m.group_id
    p = c.at(where, "group_id")
    c.id_of(v, p, "GROUP", required=True)
    if m.name is not None:
        v = m.name
        p = c.at(where, "name")
        m.name = v = c.text(v, p, lines=False)
        c.non_blank(v, p)
        c.length(v, p, 0, 64)
    if m.avatar is not None:
        v = m.avatar
        p = c.at(where, "avatar")
        m.avatar = v = c.text(v, p, lines=False)
        c.length(v, p, 0, 1024)
    if m.announcement is not None:
        v = m.announcement
        p = c.at(where, "announcement")
        m.announcement = v = c.text(v, p, lines=True)
        c.length(v, p, 0, 2000)
    if m.join_password is not None:
        v = m.join_password
        p = c.at(where, "join_password")
        c.length(v, p, 0, 128)


def validate_update_my_profile_request(m: UpdateMyProfileRequest, caller: int = 0, where: str = "") -> None:
    if m.nickname is not None:
        v = m.nickname
        p = c.at(where, "nickname")
        m.nickname = v = c.text(v, p, lines=False)
        c.non_blank(v, p)
        c.length(v, p, 0, 64)
    if m.avatar is not None:
        v = m.avatar
        p = c.at(where, "avatar")
        m.avatar = v = c.text(v, p, lines=False)
    if m.signature is not None:
        v = m.signature
        p = c.at(where, "signature")
        m.signature = v = c.text(v, p, lines=True)
        c.length(v, p, 0, 256)


def validate_upload_file_request(m: UploadFileRequest, caller: int = 0, where: str = "") -> None:
    v = m.kind
    p = c.at(where, "kind")
    c.one_of(v, p, (34, 35, 36, 37,), ("MSG_TYPE_FILE", "MSG_TYPE_IMAGE", "MSG_TYPE_VIDEO", "MSG_TYPE_AUDIO",))
    v = m.name
    p = c.at(where, "name")
    m.name = v = c.text(v, p, lines=False)
    c.length(v, p, 0, 255)


def validate_withdraw_message_request(m: WithdrawMessageRequest, caller: int = 0, where: str = "") -> None:
    v = m.peer_id
    p = c.at(where, "peer_id")
    c.id_of(v, p, "PEER", required=True)
    v = m.seqnum
    p = c.at(where, "seqnum")
    c.required(bool(v), p)
    c.at_most_header(v, p, MAX_SEQNUM, "seqnum")


VALIDATORS: dict[type[betterproto2.Message], Callable[[Any, int], None]] = {
    AcceptFriendRequestRequest: validate_accept_friend_request_request,
    ApproveJoinRequestRequest: validate_approve_join_request_request,
    BlockUserRequest: validate_block_user_request,
    ChangePasswordRequest: validate_change_password_request,
    CreateGroupRequest: validate_create_group_request,
    DeleteAccountRequest: validate_delete_account_request,
    DeleteFileRequest: validate_delete_file_request,
    DeleteFriendRequest: validate_delete_friend_request,
    DestroyGroupRequest: validate_destroy_group_request,
    DownloadFileRequest: validate_download_file_request,
    EditMessageRequest: validate_edit_message_request,
    GetFileInfoRequest: validate_get_file_info_request,
    GetGroupRequest: validate_get_group_request,
    GetInboxRequest: validate_get_inbox_request,
    GetReadMarkerRequest: validate_get_read_marker_request,
    GetRelationshipRequest: validate_get_relationship_request,
    GetUserRequest: validate_get_user_request,
    GrantAdminRequest: validate_grant_admin_request,
    KickMemberRequest: validate_kick_member_request,
    LeaveGroupRequest: validate_leave_group_request,
    ListFilesRequest: validate_list_files_request,
    ListFriendRequestsRequest: validate_list_friend_requests_request,
    ListFriendsRequest: validate_list_friends_request,
    ListHistoryRequest: validate_list_history_request,
    ListJoinRequestsRequest: validate_list_join_requests_request,
    ListMembersRequest: validate_list_members_request,
    ListMyGroupsRequest: validate_list_my_groups_request,
    LoginRequest: validate_login_request,
    RejectFriendRequestRequest: validate_reject_friend_request_request,
    RejectJoinRequestRequest: validate_reject_join_request_request,
    RequestToJoinRequest: validate_request_to_join_request,
    RevokeAdminRequest: validate_revoke_admin_request,
    RevokeSessionRequest: validate_revoke_session_request,
    SendFriendRequestRequest: validate_send_friend_request_request,
    SetReadMarkerRequest: validate_set_read_marker_request,
    SignupRequest: validate_signup_request,
    TagList: validate_tag_list,
    UnblockUserRequest: validate_unblock_user_request,
    UpdateFriendRequest: validate_update_friend_request,
    UpdateGroupRequest: validate_update_group_request,
    UpdateMyProfileRequest: validate_update_my_profile_request,
    UploadFileRequest: validate_upload_file_request,
    WithdrawMessageRequest: validate_withdraw_message_request,
}


def validate(message: betterproto2.Message, caller: int = 0) -> None:
    """Checks (and trims) `message` if it is a request with rules; RuleViolation
    names the first field that breaks one."""
    check = VALIDATORS.get(type(message))
    if check is not None:
        check(message, caller)
