"""Abstract async server interfaces, one per service of the spec. Generated from the
spec by `make gen` (codegen/emitters/interfaces_py.py): do not edit."""

from __future__ import annotations

import abc

from prim.generated.google.api import (
    HttpBody,
)
from prim.generated.prim.v1 import (
    AcceptFriendRequestRequest,
    AllocateManyRequest,
    AllocateManyResponse,
    AllocateRequest,
    AllocateResponse,
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
    DeliverRequest,
    DeliverResponse,
    DestroyGroupRequest,
    DestroyGroupResponse,
    DisconnectUserRequest,
    DisconnectUserResponse,
    DownloadFileRequest,
    EditMessageRequest,
    FileInfo,
    Friend,
    FriendRequest,
    GetFileInfoRequest,
    GetGroupNodesRequest,
    GetGroupNodesResponse,
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
    HeartbeatRequest,
    HeartbeatResponse,
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
    ListNodesRequest,
    ListNodesResponse,
    ListSessionsRequest,
    ListSessionsResponse,
    LoginRequest,
    LoginResponse,
    LogoutRequest,
    LogoutResponse,
    Member,
    NewUserIdRequest,
    NewUserIdResponse,
    NewestRequest,
    NewestResponse,
    NodeAssignment,
    NotifyRequest,
    NotifyResponse,
    PlaceUserRequest,
    PlaceUserResponse,
    Profile,
    PublicProfile,
    ReadMarker,
    RegisterNodeRequest,
    RegisterNodeResponse,
    RejectFriendRequestRequest,
    RejectJoinRequestRequest,
    Relationship,
    RelayRequest,
    RelayResponse,
    RequestToJoinRequest,
    RevokeAdminRequest,
    RevokeOtherSessionsRequest,
    RevokeOtherSessionsResponse,
    RevokeSessionRequest,
    RevokeSessionResponse,
    SelectSeqnumNodeRequest,
    SelectSeqnumNodeResponse,
    SendFriendRequestRequest,
    SetReadMarkerRequest,
    SignupRequest,
    SignupResponse,
    SubmitRequest,
    SubmitResponse,
    UnblockUserRequest,
    UnregisterNodeRequest,
    UnregisterNodeResponse,
    UpdateFriendRequest,
    UpdateGroupRequest,
    UpdateMyProfileRequest,
    UploadFileRequest,
    WithdrawMessageRequest,
)
from prim.runtime.context import CallContext


class AccountServiceInterface(abc.ABC):
    """The AccountService of prim.v1."""

    @abc.abstractmethod
    async def new_user_id(self, request: NewUserIdRequest, ctx: CallContext) -> NewUserIdResponse:
        """Reserves a fresh user id that a following Signup may claim."""
        raise NotImplementedError

    @abc.abstractmethod
    async def signup(self, request: SignupRequest, ctx: CallContext) -> SignupResponse:
        """Creates an account. Without `user_id` the server assigns one."""
        raise NotImplementedError

    @abc.abstractmethod
    async def login(self, request: LoginRequest, ctx: CallContext) -> LoginResponse:
        """Exchanges a user id and password for an access token."""
        raise NotImplementedError

    @abc.abstractmethod
    async def logout(self, request: LogoutRequest, ctx: CallContext) -> LogoutResponse:
        """Revokes the token the request was made with."""
        raise NotImplementedError

    @abc.abstractmethod
    async def delete_account(
        self, request: DeleteAccountRequest, ctx: CallContext
    ) -> DeleteAccountResponse:
        """Deletes the caller's account after checking the password; every token is revoked."""
        raise NotImplementedError

    @abc.abstractmethod
    async def change_password(
        self, request: ChangePasswordRequest, ctx: CallContext
    ) -> ChangePasswordResponse:
        """
        Replaces the password after checking the current one; every other session is revoked
        and its live connections closed (the calling session stays signed in).
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def list_sessions(
        self, request: ListSessionsRequest, ctx: CallContext
    ) -> ListSessionsResponse:
        """The caller's active sessions (one per login), oldest first."""
        raise NotImplementedError

    @abc.abstractmethod
    async def revoke_session(
        self, request: RevokeSessionRequest, ctx: CallContext
    ) -> RevokeSessionResponse:
        """Revokes one of the caller's sessions by its device id and closes its connections."""
        raise NotImplementedError

    @abc.abstractmethod
    async def revoke_other_sessions(
        self, request: RevokeOtherSessionsRequest, ctx: CallContext
    ) -> RevokeOtherSessionsResponse:
        """Revokes every session of the caller but the calling one and closes their connections."""
        raise NotImplementedError


class FileServiceInterface(abc.ABC):
    """The FileService of prim.v1."""

    @abc.abstractmethod
    async def upload_file(self, request: UploadFileRequest, ctx: CallContext) -> FileInfo:
        """
        The request body is the file's bytes; its Content-Type header is the file's type.
        Each file may have up to the server's per-file limit, and each user's files together
        up to their quota (PAYLOAD_TOO_LARGE, 413, says which; ListFiles shows the quota);
        a user with too many uploads in flight at once gets RATE_LIMITED (429).
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def get_file_info(self, request: GetFileInfoRequest, ctx: CallContext) -> FileInfo:
        """
        A file's name, type, size, hash, uploader and upload time; readable by the uploader,
        their friends and the members of their groups.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def download_file(self, request: DownloadFileRequest, ctx: CallContext) -> HttpBody:
        """
        The file's bytes with their Content-Type, sent as they are read. One `Range: bytes=...`
        is honoured (206 with Content-Range; 416 past the end); `If-Range` takes the ETag.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def list_files(self, request: ListFilesRequest, ctx: CallContext) -> ListFilesResponse:
        """The caller's own uploads, oldest first, with the bytes they count against the quota."""
        raise NotImplementedError

    @abc.abstractmethod
    async def delete_file(self, request: DeleteFileRequest, ctx: CallContext) -> DeleteFileResponse:
        """
        Deletes one of the caller's uploads: nobody can read it afterwards (messages that
        reference it stay), its bytes no longer count against the quota, and a profile avatar
        that was this file is cleared.
        """
        raise NotImplementedError


class FriendServiceInterface(abc.ABC):
    """The FriendService of prim.v1."""

    @abc.abstractmethod
    async def send_friend_request(
        self, request: SendFriendRequestRequest, ctx: CallContext
    ) -> FriendRequest:
        """Asks `user_id` to be friends; they get an AddFriend message in real time."""
        raise NotImplementedError

    @abc.abstractmethod
    async def list_friend_requests(
        self, request: ListFriendRequestsRequest, ctx: CallContext
    ) -> ListFriendRequestsResponse:
        """
        Pending friend requests: the ones sent to you (INCOMING, the default) or by you (OUTGOING).
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def accept_friend_request(
        self, request: AcceptFriendRequestRequest, ctx: CallContext
    ) -> FriendRequest:
        """
        Makes you and the requester friends; the requester is told with an AddFriend message.
        Answers the request, now ACCEPTED (the friendship: GetRelationship or ListFriends).
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def reject_friend_request(
        self, request: RejectFriendRequestRequest, ctx: CallContext
    ) -> FriendRequest:
        """Declines; no friendship is created. Answers the request, now REJECTED."""
        raise NotImplementedError

    @abc.abstractmethod
    async def list_friends(
        self, request: ListFriendsRequest, ctx: CallContext
    ) -> ListFriendsResponse:
        """
        Your friends with your own settings for each (remark, classification, tags, status), a page
        at a time.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def get_relationship(
        self, request: GetRelationshipRequest, ctx: CallContext
    ) -> Relationship:
        """How the caller relates to `user_id` (friend or not, blocked either way)."""
        raise NotImplementedError

    @abc.abstractmethod
    async def update_friend(self, request: UpdateFriendRequest, ctx: CallContext) -> Friend:
        """
        Changes your own settings for a friend (remark, classification, tags, status); the friend
        is not told.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def delete_friend(
        self, request: DeleteFriendRequest, ctx: CallContext
    ) -> DeleteFriendResponse:
        """Ends the friendship on both sides."""
        raise NotImplementedError

    @abc.abstractmethod
    async def block_user(self, request: BlockUserRequest, ctx: CallContext) -> Relationship:
        """A blocked user can no longer message the caller or send friend requests."""
        raise NotImplementedError

    @abc.abstractmethod
    async def unblock_user(self, request: UnblockUserRequest, ctx: CallContext) -> Relationship:
        """Lifts your block: the user may send you messages and friend requests again."""
        raise NotImplementedError


class GroupServiceInterface(abc.ABC):
    """The GroupService of prim.v1."""

    @abc.abstractmethod
    async def create_group(self, request: CreateGroupRequest, ctx: CallContext) -> Group:
        """The caller becomes the owner."""
        raise NotImplementedError

    @abc.abstractmethod
    async def list_my_groups(
        self, request: ListMyGroupsRequest, ctx: CallContext
    ) -> ListMyGroupsResponse:
        """The groups the caller is a member of."""
        raise NotImplementedError

    @abc.abstractmethod
    async def get_group(self, request: GetGroupRequest, ctx: CallContext) -> Group:
        """
        A group's public card (name, avatar, announcement, owner, member count); any signed-in user
        may read it.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def update_group(self, request: UpdateGroupRequest, ctx: CallContext) -> Group:
        """Owner or admin; absent fields stay as they are."""
        raise NotImplementedError

    @abc.abstractmethod
    async def destroy_group(
        self, request: DestroyGroupRequest, ctx: CallContext
    ) -> DestroyGroupResponse:
        """Owner only; every member gets a LeaveGroup message."""
        raise NotImplementedError

    @abc.abstractmethod
    async def list_members(
        self, request: ListMembersRequest, ctx: CallContext
    ) -> ListMembersResponse:
        """Members only."""
        raise NotImplementedError

    @abc.abstractmethod
    async def request_to_join(self, request: RequestToJoinRequest, ctx: CallContext) -> JoinRequest:
        """
        Asks to join a group (with its join password, if it has one); every admin who has not
        blocked you is told in their notification stream.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def list_join_requests(
        self, request: ListJoinRequestsRequest, ctx: CallContext
    ) -> ListJoinRequestsResponse:
        """Admins only."""
        raise NotImplementedError

    @abc.abstractmethod
    async def approve_join_request(
        self, request: ApproveJoinRequestRequest, ctx: CallContext
    ) -> JoinRequest:
        """
        Admins: lets the applicant in; they are told in their notification stream, the members in
        the group. Answers the request, now APPROVED (the member: ListMembers).
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def reject_join_request(
        self, request: RejectJoinRequestRequest, ctx: CallContext
    ) -> JoinRequest:
        """
        Admins: declines a pending request, with an optional reason the applicant is told.
        Answers the request, now REJECTED.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def leave_group(self, request: LeaveGroupRequest, ctx: CallContext) -> LeaveGroupResponse:
        """The owner cannot leave; they destroy the group or hand it over first."""
        raise NotImplementedError

    @abc.abstractmethod
    async def kick_member(self, request: KickMemberRequest, ctx: CallContext) -> KickMemberResponse:
        """An admin removes a member (not another admin, unless the owner does it)."""
        raise NotImplementedError

    @abc.abstractmethod
    async def grant_admin(self, request: GrantAdminRequest, ctx: CallContext) -> Member:
        """Owner only."""
        raise NotImplementedError

    @abc.abstractmethod
    async def revoke_admin(self, request: RevokeAdminRequest, ctx: CallContext) -> Member:
        """The owner: makes an admin an ordinary member again; the group is told."""
        raise NotImplementedError


class SchedulerServiceInterface(abc.ABC):
    """The SchedulerService of prim.v1."""

    @abc.abstractmethod
    async def register_node(
        self, request: RegisterNodeRequest, ctx: CallContext
    ) -> RegisterNodeResponse:
        """RegisterNode."""
        raise NotImplementedError

    @abc.abstractmethod
    async def unregister_node(
        self, request: UnregisterNodeRequest, ctx: CallContext
    ) -> UnregisterNodeResponse:
        """UnregisterNode."""
        raise NotImplementedError

    @abc.abstractmethod
    async def heartbeat(self, request: HeartbeatRequest, ctx: CallContext) -> HeartbeatResponse:
        """Nodes that miss heartbeats for the configured lease are dropped from placement."""
        raise NotImplementedError

    @abc.abstractmethod
    async def list_nodes(self, request: ListNodesRequest, ctx: CallContext) -> ListNodesResponse:
        """ListNodes."""
        raise NotImplementedError

    @abc.abstractmethod
    async def place_user(self, request: PlaceUserRequest, ctx: CallContext) -> PlaceUserResponse:
        """The node a user should connect to (stable while that node is healthy)."""
        raise NotImplementedError

    @abc.abstractmethod
    async def get_group_nodes(
        self, request: GetGroupNodesRequest, ctx: CallContext
    ) -> GetGroupNodesResponse:
        """The nodes that hold at least one online member of a group, with those members."""
        raise NotImplementedError

    @abc.abstractmethod
    async def relay(self, request: RelayRequest, ctx: CallContext) -> RelayResponse:
        """Sequences, stores and delivers a server-originated message (friend and group events)."""
        raise NotImplementedError

    @abc.abstractmethod
    async def select_seqnum_node(
        self, request: SelectSeqnumNodeRequest, ctx: CallContext
    ) -> SelectSeqnumNodeResponse:
        """The seqnum service instance responsible for a channel."""
        raise NotImplementedError

    @abc.abstractmethod
    async def disconnect_user(
        self, request: DisconnectUserRequest, ctx: CallContext
    ) -> DisconnectUserResponse:
        """
        Closes a user's open connections (one device's, or all): a session was signed out or
        the account deleted, so its token must stop working on live connections too.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def notify(self, request: NotifyRequest, ctx: CallContext) -> NotifyResponse:
        """
        Delivers an unsequenced frame (a read receipt made over HTTP) to the online devices of
        `user_ids` at once; nothing is stored and offline devices never see it.
        """
        raise NotImplementedError


class MessageNodeServiceInterface(abc.ABC):
    """The MessageNodeService of prim.v1."""

    @abc.abstractmethod
    async def submit(self, request: SubmitRequest, ctx: CallContext) -> SubmitResponse:
        """
        Sequences, makes durable and fans out a frame that did not arrive over this node's
        wire (a business message relayed by the scheduler). Idempotent on (sender, receiver,
        header.timestamp) like a client send.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def deliver(self, request: DeliverRequest, ctx: CallContext) -> DeliverResponse:
        """
        Queues frames to this node's own connections of the given users; nothing is stored
        and nothing is forwarded further. Deliveries of one call keep their order.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def disconnect(
        self, request: DisconnectUserRequest, ctx: CallContext
    ) -> DisconnectUserResponse:
        """Closes the user's connections on this node (one device's, or all)."""
        raise NotImplementedError


class MessageServiceInterface(abc.ABC):
    """The MessageService of prim.v1."""

    @abc.abstractmethod
    async def get_inbox(self, request: GetInboxRequest, ctx: CallContext) -> GetInboxResponse:
        """Conversations with messages the caller has not read, newest first."""
        raise NotImplementedError

    @abc.abstractmethod
    async def list_history(
        self, request: ListHistoryRequest, ctx: CallContext
    ) -> ListHistoryResponse:
        """One page of a conversation's history."""
        raise NotImplementedError

    @abc.abstractmethod
    async def get_read_marker(self, request: GetReadMarkerRequest, ctx: CallContext) -> ReadMarker:
        """
        How far you have read a conversation (another user, a group, or your own id for your
        notifications).
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def set_read_marker(self, request: SetReadMarkerRequest, ctx: CallContext) -> ReadMarker:
        """Markers only move forward; an older seqnum leaves the marker where it is."""
        raise NotImplementedError

    @abc.abstractmethod
    async def edit_message(self, request: EditMessageRequest, ctx: CallContext) -> ChatMessage:
        """The author replaces a message's payload; every participant gets an Edit message."""
        raise NotImplementedError

    @abc.abstractmethod
    async def withdraw_message(
        self, request: WithdrawMessageRequest, ctx: CallContext
    ) -> ChatMessage:
        """The author (or a group admin) retracts a message; participants get a Withdraw message."""
        raise NotImplementedError


class NodeServiceInterface(abc.ABC):
    """The NodeService of prim.v1."""

    @abc.abstractmethod
    async def get_my_node(self, request: GetMyNodeRequest, ctx: CallContext) -> NodeAssignment:
        """The message node assigned to the caller and the addresses to reach it."""
        raise NotImplementedError


class SeqnumServiceInterface(abc.ABC):
    """
    A channel's numbers come from one instance at a time: each instance holds a lease per
    section of channels (in the shared segment store) and answers UNAVAILABLE, naming the
    holder, for a section another live instance holds; callers then try the next instance.
    """

    @abc.abstractmethod
    async def allocate(self, request: AllocateRequest, ctx: CallContext) -> AllocateResponse:
        """Allocate."""
        raise NotImplementedError

    @abc.abstractmethod
    async def allocate_many(
        self, request: AllocateManyRequest, ctx: CallContext
    ) -> AllocateManyResponse:
        """
        Several channels in one call: message nodes batch the allocations of one moment.
        Each item succeeds or fails on its own.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def newest(self, request: NewestRequest, ctx: CallContext) -> NewestResponse:
        """
        The newest number handed out for a channel, taking none: on a cluster a message is
        Acked before it reaches the database, so Edit and read receipts ask this to tell a
        message on its way from one never sent. It may be above the newest message (numbers
        skipped at a restart or a fail-over), never below. From the instance that holds the
        channel's section, like Allocate (UNAVAILABLE from the others).
        """
        raise NotImplementedError


class UserServiceInterface(abc.ABC):
    """The UserService of prim.v1."""

    @abc.abstractmethod
    async def get_my_profile(self, request: GetMyProfileRequest, ctx: CallContext) -> Profile:
        """
        Your own profile: id, nickname, avatar, signature, when you signed up and were last online.
        """
        raise NotImplementedError

    @abc.abstractmethod
    async def update_my_profile(self, request: UpdateMyProfileRequest, ctx: CallContext) -> Profile:
        """Changes the fields that are present; absent fields stay as they are."""
        raise NotImplementedError

    @abc.abstractmethod
    async def get_user(self, request: GetUserRequest, ctx: CallContext) -> PublicProfile:
        """Another user's public profile, with the remark the caller gave them."""
        raise NotImplementedError


__all__ = [
    "AccountServiceInterface",
    "FileServiceInterface",
    "FriendServiceInterface",
    "GroupServiceInterface",
    "SchedulerServiceInterface",
    "MessageNodeServiceInterface",
    "MessageServiceInterface",
    "NodeServiceInterface",
    "SeqnumServiceInterface",
    "UserServiceInterface",
]
