"""GroupService: groups with an owner, admins and members; joining by a request checked
against an optional password and decided by an admin. Members learn of changes through
business messages in the group's channel; the user an event is about (an applicant, a
kicked member, the members of a destroyed group) gets it directly, because they are not
(or no longer) reached through the group.

Who may see what: GetGroup answers any signed-in user with the group's public card (name,
owner, avatar, announcement, whether a password is needed, member count), since that is
what someone deciding to join needs; the member list, join requests and history are for
members (join requests: admins) only.
"""

from __future__ import annotations

from prim.generated import constants as rules
from prim.generated.interfaces import GroupServiceInterface
from prim.generated.prim.v1 import (
    ApproveJoinRequestRequest,
    CreateGroupRequest,
    DestroyGroupRequest,
    DestroyGroupResponse,
    ErrorCode,
    GetGroupRequest,
    GrantAdminRequest,
    Group,
    GroupEvent,
    GroupEventKind,
    GroupRole,
    JoinRequest,
    JoinRequestState,
    KickMemberRequest,
    KickMemberResponse,
    LeaveGroupRequest,
    LeaveGroupResponse,
    ListJoinRequestsRequest,
    ListJoinRequestsResponse,
    ListMembersRequest,
    ListMembersResponse,
    ListMyGroupsRequest,
    ListMyGroupsResponse,
    Member,
    RejectJoinRequestRequest,
    RequestToJoinRequest,
    RevokeAdminRequest,
    UpdateGroupRequest,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage import models
from prim.runtime.storage.errors import AlreadyExists, FailedPrecondition, NotFound
from prim.services.api import paging
from prim.services.api.attempt_limiter import WindowLimit
from prim.services.api.notify import Notifier
from prim.services.api.server import ApiServer

_ADMINS = (models.GroupRole.ADMIN, models.GroupRole.OWNER)
#: Join-password guesses one user may make per group and minute.
JOIN_PASSWORD_ATTEMPTS = 10


def group_message(group: models.Group) -> Group:
    return Group(group_id=group.group_id, name=group.name, owner_id=group.owner_id,
                 avatar=group.avatar, announcement=group.announcement,
                 has_password=group.password_hash is not None,
                 member_count=group.member_count, created_at_ms=group.created_at)


def member_message(member: models.Member) -> Member:
    return Member(user_id=member.user_id, role=GroupRole(int(member.role)),
                  joined_at_ms=member.joined_at)


def join_request_message(request: models.JoinRequest) -> JoinRequest:
    return JoinRequest(group_id=request.group_id, user_id=request.user_id,
                       message=request.message, state=JoinRequestState(int(request.state)),
                       created_at_ms=request.created_at)


class GroupServiceImpl(GroupServiceInterface):
    def __init__(self, api: ApiServer) -> None:
        self._api = api
        self._social = api.storage.social
        self._notify = Notifier(api.scheduler)
        self._join_attempts = WindowLimit(api.storage.attempts, "group-join",
                                          limit=JOIN_PASSWORD_ATTEMPTS, window_ms=60_000,
                                          clock=api.clock)

    # -- the group ---------------------------------------------------------------------

    async def create_group(self, request: CreateGroupRequest, ctx: CallContext) -> Group:
        # The fields were checked (and trimmed) by the spec's generated validator.
        password = request.join_password
        password_hash = await self._hash(password) if password else None
        group = await self._social.create_group(
            ctx.user_id, request.name, password_hash=password_hash, avatar=request.avatar,
            announcement=request.announcement)
        return group_message(group)

    async def list_my_groups(self, request: ListMyGroupsRequest,
                             ctx: CallContext) -> ListMyGroupsResponse:
        size = paging.page_size(
            request.page_size, rules.LIST_MY_GROUPS_REQUEST_PAGE_SIZE_DEFAULT_VALUE,
            rules.LIST_MY_GROUPS_REQUEST_PAGE_SIZE_MAXIMUM)
        start = paging.decode_token(request.page_token)
        page = await self._social.list_user_groups(ctx.user_id, after=start.after, limit=size)
        return ListMyGroupsResponse(
            groups=[group_message(g) for g in page.items],
            next_page_token=paging.encode_token(paging.next_position(page.next_after)))

    async def get_group(self, request: GetGroupRequest, ctx: CallContext) -> Group:
        return group_message(await self._group(request.group_id))

    async def update_group(self, request: UpdateGroupRequest, ctx: CallContext) -> Group:
        group = await self._group(request.group_id)
        await self._require_admin(group, ctx.user_id, "change the group")
        name, avatar, announcement = request.name, request.avatar, request.announcement
        if request.join_password is not None:
            password = request.join_password
            password_hash = await self._hash(password) if password else None
            await self._social.set_group_password(group.group_id, password_hash)
        try:
            updated = await self._social.update_group(
                group.group_id, name=name, avatar=avatar, announcement=announcement)
        except NotFound:
            raise self._no_group(group.group_id) from None
        return group_message(updated)

    async def destroy_group(self, request: DestroyGroupRequest,
                            ctx: CallContext) -> DestroyGroupResponse:
        group = await self._group(request.group_id)
        if group.owner_id != ctx.user_id:
            raise ApiError(ErrorCode.PERMISSION_DENIED, "only the group's owner may destroy "
                           "it", "group_id")
        members = await self._social.list_member_ids(group.group_id)
        if not await self._social.delete_group(group.group_id):
            raise self._no_group(group.group_id)
        await tell_destroyed(self._api, ctx.user_id, {group.group_id: members})
        return DestroyGroupResponse()

    # -- members -----------------------------------------------------------------------

    async def list_members(self, request: ListMembersRequest,
                           ctx: CallContext) -> ListMembersResponse:
        group = await self._group(request.group_id)
        await self._require_member(group, ctx.user_id, "see its members")
        size = paging.page_size(
            request.page_size, rules.LIST_MEMBERS_REQUEST_PAGE_SIZE_DEFAULT_VALUE,
            rules.LIST_MEMBERS_REQUEST_PAGE_SIZE_MAXIMUM)
        start = paging.decode_token(request.page_token)
        role = None
        if request.role != GroupRole.UNSPECIFIED:  # the validator allowed only real roles
            role = models.GroupRole(int(request.role))
        page = await self._social.list_members(group.group_id, role=role, after=start.after,
                                               limit=size)
        return ListMembersResponse(
            members=[member_message(m) for m in page.items],
            next_page_token=paging.encode_token(paging.next_position(page.next_after)))

    async def leave_group(self, request: LeaveGroupRequest,
                          ctx: CallContext) -> LeaveGroupResponse:
        group = await self._group(request.group_id)
        if group.owner_id == ctx.user_id:
            raise ApiError(ErrorCode.FAILED_PRECONDITION, "the owner cannot leave the group; "
                           "destroy it, or make another member the owner first", "group_id")
        try:
            removed = await self._social.remove_member(group.group_id, ctx.user_id)
        except FailedPrecondition:  # became the owner meanwhile
            raise ApiError(ErrorCode.FAILED_PRECONDITION, "the owner cannot leave the group; "
                           "destroy it, or make another member the owner first",
                           "group_id") from None
        if not removed:
            raise ApiError(ErrorCode.NOT_FOUND, f"you are not a member of group "
                           f"{group.group_id}", "group_id")
        await self._notify.group(ctx.user_id, group.group_id, GroupEvent(
            kind=GroupEventKind.MEMBER_LEFT, group_id=group.group_id, user_id=ctx.user_id))
        return LeaveGroupResponse()

    async def kick_member(self, request: KickMemberRequest,
                          ctx: CallContext) -> KickMemberResponse:
        group = await self._group(request.group_id)
        me = await self._require_admin(group, ctx.user_id, "remove members")
        target = await self._target_member(group, request.user_id)
        reason = request.reason
        if target.role == models.GroupRole.OWNER:
            raise ApiError(ErrorCode.PERMISSION_DENIED, "nobody can remove the group's owner",
                           "user_id")
        if target.role == models.GroupRole.ADMIN and me.role != models.GroupRole.OWNER:
            raise ApiError(ErrorCode.PERMISSION_DENIED, "only the owner may remove an admin; "
                           "ask the owner to revoke their admin role first", "user_id")
        if not await self._social.remove_member(group.group_id, target.user_id):
            raise self._not_member(target.user_id, group.group_id)
        event = GroupEvent(kind=GroupEventKind.MEMBER_KICKED, group_id=group.group_id,
                           user_id=target.user_id, actor_id=ctx.user_id, message=reason)
        await self._notify.group(ctx.user_id, target.user_id, event)
        await self._notify.group(ctx.user_id, group.group_id, event)
        return KickMemberResponse()

    async def grant_admin(self, request: GrantAdminRequest, ctx: CallContext) -> Member:
        return await self._set_role(request.group_id, request.user_id, ctx.user_id,
                                    grant=True)

    async def revoke_admin(self, request: RevokeAdminRequest, ctx: CallContext) -> Member:
        return await self._set_role(request.group_id, request.user_id, ctx.user_id,
                                    grant=False)

    async def _set_role(self, group_id: int, user_id: int, caller: int, *,
                        grant: bool) -> Member:
        group = await self._group(group_id)
        if group.owner_id != caller:
            raise ApiError(ErrorCode.PERMISSION_DENIED, "only the group's owner may grant or "
                           "revoke the admin role", "group_id")
        target = await self._target_member(group, user_id)
        if grant and target.role == models.GroupRole.ADMIN:
            raise ApiError(ErrorCode.ALREADY_EXISTS, f"user {user_id} is already an admin",
                           "user_id")
        if not grant and target.role != models.GroupRole.ADMIN:
            raise ApiError(ErrorCode.FAILED_PRECONDITION, f"user {user_id} is not an admin",
                           "user_id")
        role = models.GroupRole.ADMIN if grant else models.GroupRole.MEMBER
        try:
            member = await self._social.set_member_role(group.group_id, user_id, role)
        except NotFound:
            raise self._not_member(user_id, group.group_id) from None
        kind = GroupEventKind.ADMIN_GRANTED if grant else GroupEventKind.ADMIN_REVOKED
        await self._notify.group(caller, group.group_id, GroupEvent(
            kind=kind, group_id=group.group_id, user_id=user_id, actor_id=caller))
        return member_message(member)

    # -- joining -----------------------------------------------------------------------

    async def request_to_join(self, request: RequestToJoinRequest,
                              ctx: CallContext) -> JoinRequest:
        group = await self._group(request.group_id)
        greeting = request.message
        if await self._social.get_member(group.group_id, ctx.user_id) is not None:
            raise ApiError(ErrorCode.ALREADY_EXISTS, f"you are already a member of group "
                           f"{group.group_id}", "group_id")
        if group.password_hash is not None:
            await self._check_password(group.group_id, group.password_hash, request.password,
                                       ctx.user_id)
        try:
            created = await self._social.create_join_request(group.group_id, ctx.user_id,
                                                             message=greeting)
        except AlreadyExists:
            raise ApiError(ErrorCode.ALREADY_EXISTS, "your request to join is already pending; "
                           "wait for an admin's answer", "group_id") from None
        except NotFound:
            raise self._no_group(group.group_id) from None
        event = GroupEvent(kind=GroupEventKind.JOIN_REQUESTED, group_id=group.group_id,
                           user_id=ctx.user_id, message=greeting)
        # Each admin learns of it in their notification stream, unless they blocked the
        # applicant; the applicant's confirmation is this call's answer.
        for admin in await self._admin_ids(group):
            if not await self._social.is_blocked(admin, ctx.user_id):
                await self._notify.group(ctx.user_id, admin, event)
        return join_request_message(created)

    async def _check_password(self, group_id: int, password_hash: str, password: str,
                              user_id: int) -> None:
        # Counted before scrypt, per group and user, across api processes.
        wait_ms = await self._join_attempts.hit(f"{group_id}:{user_id}")
        if wait_ms:
            raise ApiError(ErrorCode.RATE_LIMITED, f"too many wrong join passwords; try again "
                           f"in {(wait_ms + 999) // 1000} s", "password", retry_after_ms=wait_ms)
        if not await self._api.scrypt.verify(password, password_hash):
            raise ApiError(ErrorCode.PERMISSION_DENIED, "the group's join password is wrong; "
                           "ask a member for it", "password")

    async def list_join_requests(self, request: ListJoinRequestsRequest,
                                 ctx: CallContext) -> ListJoinRequestsResponse:
        group = await self._group(request.group_id)
        await self._require_admin(group, ctx.user_id, "see join requests")
        size = paging.page_size(
            request.page_size, rules.LIST_JOIN_REQUESTS_REQUEST_PAGE_SIZE_DEFAULT_VALUE,
            rules.LIST_JOIN_REQUESTS_REQUEST_PAGE_SIZE_MAXIMUM)
        start = paging.decode_token(request.page_token)
        page = await self._social.list_join_requests(group.group_id, after=start.after,
                                                     limit=size)
        return ListJoinRequestsResponse(
            requests=[join_request_message(r) for r in page.items],
            next_page_token=paging.encode_token(paging.next_position(page.next_after)))

    async def approve_join_request(self, request: ApproveJoinRequestRequest,
                                   ctx: CallContext) -> JoinRequest:
        group = await self._group(request.group_id)
        await self._require_admin(group, ctx.user_id, "answer join requests")
        applicant = request.user_id
        decided = await self._decide(group.group_id, applicant, ctx.user_id, approve=True)
        await self._notify.group(ctx.user_id, applicant, GroupEvent(
            kind=GroupEventKind.JOIN_APPROVED, group_id=group.group_id, user_id=applicant,
            actor_id=ctx.user_id))
        await self._notify.group(ctx.user_id, group.group_id, GroupEvent(
            kind=GroupEventKind.MEMBER_JOINED, group_id=group.group_id, user_id=applicant,
            actor_id=ctx.user_id))
        return join_request_message(decided)

    async def reject_join_request(self, request: RejectJoinRequestRequest,
                                  ctx: CallContext) -> JoinRequest:
        group = await self._group(request.group_id)
        await self._require_admin(group, ctx.user_id, "answer join requests")
        applicant, reason = request.user_id, request.reason
        decided = await self._decide(group.group_id, applicant, ctx.user_id, approve=False)
        await self._notify.group(ctx.user_id, applicant, GroupEvent(
            kind=GroupEventKind.JOIN_REJECTED, group_id=group.group_id, user_id=applicant,
            actor_id=ctx.user_id, message=reason))
        return join_request_message(decided)

    async def _decide(self, group_id: int, applicant: int, admin: int, *,
                      approve: bool) -> models.JoinRequest:
        try:
            return await self._social.decide_join_request(group_id, applicant,
                                                          approve=approve, decided_by=admin)
        except NotFound:
            raise ApiError(ErrorCode.NOT_FOUND, f"user {applicant} has no pending request to "
                           f"join group {group_id}", "user_id") from None

    # -- helpers -----------------------------------------------------------------------

    async def _group(self, group_id: int) -> models.Group:
        group = await self._social.get_group(group_id)
        if group is None:
            raise self._no_group(group_id)
        return group

    async def _require_member(self, group: models.Group, user_id: int,
                              to_do: str) -> models.Member:
        member = await self._social.get_member(group.group_id, user_id)
        if member is None:
            raise ApiError(ErrorCode.PERMISSION_DENIED, f"only members of group "
                           f"{group.group_id} may {to_do}; ask to join first", "group_id")
        return member

    async def _require_admin(self, group: models.Group, user_id: int,
                             to_do: str) -> models.Member:
        member = await self._require_member(group, user_id, to_do)
        if member.role not in _ADMINS:
            raise ApiError(ErrorCode.PERMISSION_DENIED, f"only the owner and admins of group "
                           f"{group.group_id} may {to_do}", "group_id")
        return member

    async def _target_member(self, group: models.Group, user_id: int) -> models.Member:
        member = await self._social.get_member(group.group_id, user_id)
        if member is None:
            raise self._not_member(user_id, group.group_id)
        return member

    async def _admin_ids(self, group: models.Group) -> list[int]:
        """The owner and every admin."""
        ids = [group.owner_id]
        after = 0
        while True:
            page = await self._social.list_members(group.group_id, role=models.GroupRole.ADMIN,
                                                   after=after, limit=paging.STORE_BATCH)
            ids.extend(m.user_id for m in page.items)
            if page.next_after is None:
                break
            after = page.next_after
        return sorted(set(ids))

    async def _hash(self, password: str) -> str:
        return await self._api.scrypt.hash(password, self._api.config.auth.scrypt_log_n)

    @staticmethod
    def _no_group(group_id: int) -> ApiError:
        return ApiError(ErrorCode.NOT_FOUND, f"there is no group {group_id}", "group_id")

    @staticmethod
    def _not_member(user_id: int, group_id: int) -> ApiError:
        return ApiError(ErrorCode.NOT_FOUND, f"user {user_id} is not a member of group "
                        f"{group_id}", "user_id")


# -- when the owner's account goes (called by AccountService.DeleteAccount) -------------

async def owned_groups(api: ApiServer, user_id: int) -> dict[int, list[int]]:
    """The groups `user_id` owns, each with its member ids: read before the account's
    deletion dissolves them, so that `tell_destroyed` knows whom to tell."""
    owned: dict[int, list[int]] = {}
    social = api.storage.social
    after = 0
    while True:
        page = await social.list_user_groups(user_id, after=after, limit=paging.STORE_BATCH)
        for group in page.items:
            if group.owner_id == user_id:
                owned[group.group_id] = await social.list_member_ids(group.group_id)
        if page.next_after is None:
            return owned
        after = page.next_after


async def tell_destroyed(api: ApiServer, owner_id: int, groups: dict[int, list[int]]) -> None:
    """Tells every former member of each group that it is gone (DestroyGroup, and the
    deletion of the owner's account): the group's channel has no members any more, so each
    one in their own notification stream."""
    notify = Notifier(api.scheduler)
    for group_id, members in groups.items():
        event = GroupEvent(kind=GroupEventKind.DESTROYED, group_id=group_id, user_id=owner_id,
                           actor_id=owner_id)
        for member in members:
            if member != owner_id:
                await notify.group(owner_id, member, event)
