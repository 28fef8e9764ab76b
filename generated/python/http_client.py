"""The typed async HTTP client: one sub-client per service. Generated from the spec
by `make gen` (codegen/emitters/http_client_py.py): do not edit.

    async with PrimHttpClient("https://host:port") as client:
        session = await client.accounts.login(LoginRequest(...))
        client.set_token(session.access_token)
"""

from __future__ import annotations

from types import TracebackType

import httpx

from prim.generated.google.api import (
    HttpBody,
)
from prim.generated.prim.v1 import (
    AcceptFriendRequestRequest,
    ApproveJoinRequestRequest,
    BlockUserRequest,
    ChangePasswordRequest,
    ChangePasswordResponse,
    ChatMessage,
    CreateGroupRequest,
    DeleteAccountRequest,
    DeleteAccountResponse,
    DeleteFileRequest,
    DeleteFileResponse,
    DeleteFriendRequest,
    DeleteFriendResponse,
    DestroyGroupRequest,
    DestroyGroupResponse,
    DownloadFileRequest,
    EditMessageRequest,
    FileInfo,
    Friend,
    FriendRequest,
    GetFileInfoRequest,
    GetGroupRequest,
    GetInboxRequest,
    GetInboxResponse,
    GetMyNodeRequest,
    GetMyProfileRequest,
    GetReadMarkerRequest,
    GetRelationshipRequest,
    GetUserRequest,
    GrantAdminRequest,
    Group,
    JoinRequest,
    KickMemberRequest,
    KickMemberResponse,
    LeaveGroupRequest,
    LeaveGroupResponse,
    ListFilesRequest,
    ListFilesResponse,
    ListFriendRequestsRequest,
    ListFriendRequestsResponse,
    ListFriendsRequest,
    ListFriendsResponse,
    ListHistoryRequest,
    ListHistoryResponse,
    ListJoinRequestsRequest,
    ListJoinRequestsResponse,
    ListMembersRequest,
    ListMembersResponse,
    ListMyGroupsRequest,
    ListMyGroupsResponse,
    ListSessionsRequest,
    ListSessionsResponse,
    LoginRequest,
    LoginResponse,
    LogoutRequest,
    LogoutResponse,
    Member,
    NewUserIdRequest,
    NewUserIdResponse,
    NodeAssignment,
    Profile,
    PublicProfile,
    ReadMarker,
    RejectFriendRequestRequest,
    RejectJoinRequestRequest,
    Relationship,
    RequestToJoinRequest,
    RevokeAdminRequest,
    RevokeOtherSessionsRequest,
    RevokeOtherSessionsResponse,
    RevokeSessionRequest,
    RevokeSessionResponse,
    SendFriendRequestRequest,
    SetReadMarkerRequest,
    SignupRequest,
    SignupResponse,
    UnblockUserRequest,
    UpdateFriendRequest,
    UpdateGroupRequest,
    UpdateMyProfileRequest,
    UploadFileRequest,
    WithdrawMessageRequest,
)
from prim.generated.routes import BY_OPERATION_ID
from prim.runtime.http.client import HttpTransport, PrimApiError

__all__ = ["PrimApiError", "PrimHttpClient"]


class AccountServiceClient:
    """The HTTP operations of AccountService."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    async def new_user_id(self, request: NewUserIdRequest) -> NewUserIdResponse:
        """
        POST /v1/user-ids

        Reserves a fresh user id that a following Signup may claim.
        """
        return await self._transport.call(
            BY_OPERATION_ID["AccountService_NewUserId"], request, NewUserIdResponse
        )

    async def signup(self, request: SignupRequest) -> SignupResponse:
        """
        POST /v1/users

        Creates an account. Without `user_id` the server assigns one.
        """
        return await self._transport.call(
            BY_OPERATION_ID["AccountService_Signup"], request, SignupResponse
        )

    async def login(self, request: LoginRequest) -> LoginResponse:
        """
        POST /v1/sessions

        Exchanges a user id and password for an access token.
        """
        return await self._transport.call(
            BY_OPERATION_ID["AccountService_Login"], request, LoginResponse
        )

    async def logout(self, request: LogoutRequest) -> LogoutResponse:
        """
        DELETE /v1/sessions/current

        Revokes the token the request was made with.
        """
        return await self._transport.call(
            BY_OPERATION_ID["AccountService_Logout"], request, LogoutResponse
        )

    async def delete_account(self, request: DeleteAccountRequest) -> DeleteAccountResponse:
        """
        POST /v1/users/me/deletion

        Deletes the caller's account after checking the password; every token is revoked.
        """
        return await self._transport.call(
            BY_OPERATION_ID["AccountService_DeleteAccount"], request, DeleteAccountResponse
        )

    async def change_password(self, request: ChangePasswordRequest) -> ChangePasswordResponse:
        """
        POST /v1/users/me/password

        Replaces the password after checking the current one; every other session is revoked
        and its live connections closed (the calling session stays signed in).
        """
        return await self._transport.call(
            BY_OPERATION_ID["AccountService_ChangePassword"], request, ChangePasswordResponse
        )

    async def list_sessions(self, request: ListSessionsRequest) -> ListSessionsResponse:
        """
        GET /v1/sessions

        The caller's active sessions (one per login), oldest first.
        """
        return await self._transport.call(
            BY_OPERATION_ID["AccountService_ListSessions"], request, ListSessionsResponse
        )

    async def revoke_session(self, request: RevokeSessionRequest) -> RevokeSessionResponse:
        """
        DELETE /v1/sessions/{device_id}

        Revokes one of the caller's sessions by its device id and closes its connections.
        """
        return await self._transport.call(
            BY_OPERATION_ID["AccountService_RevokeSession"], request, RevokeSessionResponse
        )

    async def revoke_other_sessions(
        self, request: RevokeOtherSessionsRequest
    ) -> RevokeOtherSessionsResponse:
        """
        DELETE /v1/sessions

        Revokes every session of the caller but the calling one and closes their connections.
        """
        return await self._transport.call(
            BY_OPERATION_ID["AccountService_RevokeOtherSessions"], request, RevokeOtherSessionsResponse
        )


class FileServiceClient:
    """The HTTP operations of FileService."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    async def upload_file(self, request: UploadFileRequest) -> FileInfo:
        """
        POST /v1/files

        The request body is the file's bytes; its Content-Type header is the file's type.
        Each file may have up to the server's per-file limit, and each user's files together
        up to their quota (PAYLOAD_TOO_LARGE, 413, says which; ListFiles shows the quota);
        a user with too many uploads in flight at once gets RATE_LIMITED (429).
        """
        return await self._transport.call(
            BY_OPERATION_ID["FileService_UploadFile"], request, FileInfo
        )

    async def get_file_info(self, request: GetFileInfoRequest) -> FileInfo:
        """
        GET /v1/files/{file_id}/info

        A file's name, type, size, hash, uploader and upload time; readable by the uploader,
        their friends and the members of their groups.
        """
        return await self._transport.call(
            BY_OPERATION_ID["FileService_GetFileInfo"], request, FileInfo
        )

    async def download_file(self, request: DownloadFileRequest) -> HttpBody:
        """
        GET /v1/files/{file_id}

        The file's bytes with their Content-Type, sent as they are read. One `Range: bytes=...`
        is honoured (206 with Content-Range; 416 past the end); `If-Range` takes the ETag.
        """
        return await self._transport.call(
            BY_OPERATION_ID["FileService_DownloadFile"], request, HttpBody
        )

    async def list_files(self, request: ListFilesRequest) -> ListFilesResponse:
        """
        GET /v1/files

        The caller's own uploads, oldest first, with the bytes they count against the quota.
        """
        return await self._transport.call(
            BY_OPERATION_ID["FileService_ListFiles"], request, ListFilesResponse
        )

    async def delete_file(self, request: DeleteFileRequest) -> DeleteFileResponse:
        """
        DELETE /v1/files/{file_id}

        Deletes one of the caller's uploads: nobody can read it afterwards (messages that
        reference it stay), its bytes no longer count against the quota, and a profile avatar
        that was this file is cleared.
        """
        return await self._transport.call(
            BY_OPERATION_ID["FileService_DeleteFile"], request, DeleteFileResponse
        )


class FriendServiceClient:
    """The HTTP operations of FriendService."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    async def send_friend_request(self, request: SendFriendRequestRequest) -> FriendRequest:
        """
        POST /v1/friend-requests

        Asks `user_id` to be friends; they get an AddFriend message in real time.
        """
        return await self._transport.call(
            BY_OPERATION_ID["FriendService_SendFriendRequest"], request, FriendRequest
        )

    async def list_friend_requests(
        self, request: ListFriendRequestsRequest
    ) -> ListFriendRequestsResponse:
        """
        GET /v1/friend-requests

        Pending friend requests: the ones sent to you (INCOMING, the default) or by you (OUTGOING).
        """
        return await self._transport.call(
            BY_OPERATION_ID["FriendService_ListFriendRequests"], request, ListFriendRequestsResponse
        )

    async def accept_friend_request(self, request: AcceptFriendRequestRequest) -> FriendRequest:
        """
        POST /v1/friend-requests/{requester_id}/accept

        Makes you and the requester friends; the requester is told with an AddFriend message.
        Answers the request, now ACCEPTED (the friendship: GetRelationship or ListFriends).
        """
        return await self._transport.call(
            BY_OPERATION_ID["FriendService_AcceptFriendRequest"], request, FriendRequest
        )

    async def reject_friend_request(self, request: RejectFriendRequestRequest) -> FriendRequest:
        """
        POST /v1/friend-requests/{requester_id}/reject

        Declines; no friendship is created. Answers the request, now REJECTED.
        """
        return await self._transport.call(
            BY_OPERATION_ID["FriendService_RejectFriendRequest"], request, FriendRequest
        )

    async def list_friends(self, request: ListFriendsRequest) -> ListFriendsResponse:
        """
        GET /v1/friends

        Your friends with your own settings for each (remark, classification, tags, status), a page
        at a time.
        """
        return await self._transport.call(
            BY_OPERATION_ID["FriendService_ListFriends"], request, ListFriendsResponse
        )

    async def get_relationship(self, request: GetRelationshipRequest) -> Relationship:
        """
        GET /v1/friends/{user_id}

        How the caller relates to `user_id` (friend or not, blocked either way).
        """
        return await self._transport.call(
            BY_OPERATION_ID["FriendService_GetRelationship"], request, Relationship
        )

    async def update_friend(self, request: UpdateFriendRequest) -> Friend:
        """
        PATCH /v1/friends/{user_id}

        Changes your own settings for a friend (remark, classification, tags, status); the friend
        is not told.
        """
        return await self._transport.call(
            BY_OPERATION_ID["FriendService_UpdateFriend"], request, Friend
        )

    async def delete_friend(self, request: DeleteFriendRequest) -> DeleteFriendResponse:
        """
        DELETE /v1/friends/{user_id}

        Ends the friendship on both sides.
        """
        return await self._transport.call(
            BY_OPERATION_ID["FriendService_DeleteFriend"], request, DeleteFriendResponse
        )

    async def block_user(self, request: BlockUserRequest) -> Relationship:
        """
        PUT /v1/blocks/{user_id}

        A blocked user can no longer message the caller or send friend requests.
        """
        return await self._transport.call(
            BY_OPERATION_ID["FriendService_BlockUser"], request, Relationship
        )

    async def unblock_user(self, request: UnblockUserRequest) -> Relationship:
        """
        DELETE /v1/blocks/{user_id}

        Lifts your block: the user may send you messages and friend requests again.
        """
        return await self._transport.call(
            BY_OPERATION_ID["FriendService_UnblockUser"], request, Relationship
        )


class GroupServiceClient:
    """The HTTP operations of GroupService."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    async def create_group(self, request: CreateGroupRequest) -> Group:
        """
        POST /v1/groups

        The caller becomes the owner.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_CreateGroup"], request, Group
        )

    async def list_my_groups(self, request: ListMyGroupsRequest) -> ListMyGroupsResponse:
        """
        GET /v1/groups

        The groups the caller is a member of.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_ListMyGroups"], request, ListMyGroupsResponse
        )

    async def get_group(self, request: GetGroupRequest) -> Group:
        """
        GET /v1/groups/{group_id}

        A group's public card (name, avatar, announcement, owner, member count); any signed-in user
        may read it.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_GetGroup"], request, Group
        )

    async def update_group(self, request: UpdateGroupRequest) -> Group:
        """
        PATCH /v1/groups/{group_id}

        Owner or admin; absent fields stay as they are.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_UpdateGroup"], request, Group
        )

    async def destroy_group(self, request: DestroyGroupRequest) -> DestroyGroupResponse:
        """
        DELETE /v1/groups/{group_id}

        Owner only; every member gets a LeaveGroup message.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_DestroyGroup"], request, DestroyGroupResponse
        )

    async def list_members(self, request: ListMembersRequest) -> ListMembersResponse:
        """
        GET /v1/groups/{group_id}/members

        Members only.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_ListMembers"], request, ListMembersResponse
        )

    async def request_to_join(self, request: RequestToJoinRequest) -> JoinRequest:
        """
        POST /v1/groups/{group_id}/join-requests

        Asks to join a group (with its join password, if it has one); every admin who has not
        blocked you is told in their notification stream.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_RequestToJoin"], request, JoinRequest
        )

    async def list_join_requests(
        self, request: ListJoinRequestsRequest
    ) -> ListJoinRequestsResponse:
        """
        GET /v1/groups/{group_id}/join-requests

        Admins only.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_ListJoinRequests"], request, ListJoinRequestsResponse
        )

    async def approve_join_request(self, request: ApproveJoinRequestRequest) -> JoinRequest:
        """
        POST /v1/groups/{group_id}/join-requests/{user_id}/approve

        Admins: lets the applicant in; they are told in their notification stream, the members in
        the group. Answers the request, now APPROVED (the member: ListMembers).
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_ApproveJoinRequest"], request, JoinRequest
        )

    async def reject_join_request(self, request: RejectJoinRequestRequest) -> JoinRequest:
        """
        POST /v1/groups/{group_id}/join-requests/{user_id}/reject

        Admins: declines a pending request, with an optional reason the applicant is told.
        Answers the request, now REJECTED.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_RejectJoinRequest"], request, JoinRequest
        )

    async def leave_group(self, request: LeaveGroupRequest) -> LeaveGroupResponse:
        """
        DELETE /v1/groups/{group_id}/membership

        The owner cannot leave; they destroy the group or hand it over first.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_LeaveGroup"], request, LeaveGroupResponse
        )

    async def kick_member(self, request: KickMemberRequest) -> KickMemberResponse:
        """
        POST /v1/groups/{group_id}/members/{user_id}/kick

        An admin removes a member (not another admin, unless the owner does it).
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_KickMember"], request, KickMemberResponse
        )

    async def grant_admin(self, request: GrantAdminRequest) -> Member:
        """
        PUT /v1/groups/{group_id}/admins/{user_id}

        Owner only.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_GrantAdmin"], request, Member
        )

    async def revoke_admin(self, request: RevokeAdminRequest) -> Member:
        """
        DELETE /v1/groups/{group_id}/admins/{user_id}

        The owner: makes an admin an ordinary member again; the group is told.
        """
        return await self._transport.call(
            BY_OPERATION_ID["GroupService_RevokeAdmin"], request, Member
        )


class MessageServiceClient:
    """The HTTP operations of MessageService."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    async def get_inbox(self, request: GetInboxRequest) -> GetInboxResponse:
        """
        GET /v1/inbox

        Conversations with messages the caller has not read, newest first.
        """
        return await self._transport.call(
            BY_OPERATION_ID["MessageService_GetInbox"], request, GetInboxResponse
        )

    async def list_history(self, request: ListHistoryRequest) -> ListHistoryResponse:
        """
        GET /v1/conversations/{peer_id}/messages

        One page of a conversation's history.
        """
        return await self._transport.call(
            BY_OPERATION_ID["MessageService_ListHistory"], request, ListHistoryResponse
        )

    async def get_read_marker(self, request: GetReadMarkerRequest) -> ReadMarker:
        """
        GET /v1/conversations/{peer_id}/read-marker

        How far you have read a conversation (another user, a group, or your own id for your
        notifications).
        """
        return await self._transport.call(
            BY_OPERATION_ID["MessageService_GetReadMarker"], request, ReadMarker
        )

    async def set_read_marker(self, request: SetReadMarkerRequest) -> ReadMarker:
        """
        PUT /v1/conversations/{peer_id}/read-marker

        Markers only move forward; an older seqnum leaves the marker where it is.
        """
        return await self._transport.call(
            BY_OPERATION_ID["MessageService_SetReadMarker"], request, ReadMarker
        )

    async def edit_message(self, request: EditMessageRequest) -> ChatMessage:
        """
        PATCH /v1/conversations/{peer_id}/messages/{seqnum}

        The author replaces a message's payload; every participant gets an Edit message.
        """
        return await self._transport.call(
            BY_OPERATION_ID["MessageService_EditMessage"], request, ChatMessage
        )

    async def withdraw_message(self, request: WithdrawMessageRequest) -> ChatMessage:
        """
        DELETE /v1/conversations/{peer_id}/messages/{seqnum}

        The author (or a group admin) retracts a message; participants get a Withdraw message.
        """
        return await self._transport.call(
            BY_OPERATION_ID["MessageService_WithdrawMessage"], request, ChatMessage
        )


class NodeServiceClient:
    """The HTTP operations of NodeService."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    async def get_my_node(self, request: GetMyNodeRequest) -> NodeAssignment:
        """
        GET /v1/node

        The message node assigned to the caller and the addresses to reach it.
        """
        return await self._transport.call(
            BY_OPERATION_ID["NodeService_GetMyNode"], request, NodeAssignment
        )


class UserServiceClient:
    """The HTTP operations of UserService."""

    def __init__(self, transport: HttpTransport) -> None:
        self._transport = transport

    async def get_my_profile(self, request: GetMyProfileRequest) -> Profile:
        """
        GET /v1/users/me

        Your own profile: id, nickname, avatar, signature, when you signed up and were last online.
        """
        return await self._transport.call(
            BY_OPERATION_ID["UserService_GetMyProfile"], request, Profile
        )

    async def update_my_profile(self, request: UpdateMyProfileRequest) -> Profile:
        """
        PATCH /v1/users/me

        Changes the fields that are present; absent fields stay as they are.
        """
        return await self._transport.call(
            BY_OPERATION_ID["UserService_UpdateMyProfile"], request, Profile
        )

    async def get_user(self, request: GetUserRequest) -> PublicProfile:
        """
        GET /v1/users/{user_id}

        Another user's public profile, with the remark the caller gave them.
        """
        return await self._transport.call(
            BY_OPERATION_ID["UserService_GetUser"], request, PublicProfile
        )


class PrimHttpClient:
    """An async client of every HTTP operation; errors raise PrimApiError."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        client: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._transport = HttpTransport(base_url, token=token, client=client, timeout=timeout)
        self.accounts = AccountServiceClient(self._transport)
        self.files = FileServiceClient(self._transport)
        self.friends = FriendServiceClient(self._transport)
        self.groups = GroupServiceClient(self._transport)
        self.messages = MessageServiceClient(self._transport)
        self.nodes = NodeServiceClient(self._transport)
        self.users = UserServiceClient(self._transport)

    def set_token(self, token: str | None) -> None:
        """The bearer token sent with every operation that needs one."""
        self._transport.token = token

    def set_user_id(self, user_id: int) -> None:
        """The signed-in user: requests naming them where the spec refuses the
        caller's own id fail before they are sent, as the server would refuse them."""
        self._transport.user_id = user_id

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> PrimHttpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
