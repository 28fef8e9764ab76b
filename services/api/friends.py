"""FriendService: friend requests (7-day expiry), answers, the friend list with each side's
own settings, relationships and blocks. Every change the other user should know about is
relayed to them as a business message (notify.py).

Expired versus missing requests: the social store only returns pending, unexpired requests,
so when accepting or rejecting finds none, the service looks at the AddFriend events stored
in the channel between the two users (every request was announced there with its
`expires_at_ms`). The newest event about a request from the requester to the caller decides:
REQUESTED with `expires_at_ms` in the past -> EXPIRED; REJECTED -> FAILED_PRECONDITION (already
answered); anything else or nothing -> NOT_FOUND. Strangers cannot write to each other, so
the newest messages of that channel are these events and a short scan finds them.
"""

from __future__ import annotations

from prim.generated import constants as rules
from prim.generated.interfaces import FriendServiceInterface
from prim.generated.prim.v1 import (
    AcceptFriendRequestRequest,
    BlockUserRequest,
    DeleteFriendRequest,
    DeleteFriendResponse,
    ErrorCode,
    Friend,
    FriendEvent,
    FriendEventKind,
    FriendRequest,
    FriendRequestState,
    FriendStatus,
    GetRelationshipRequest,
    ListFriendRequestsRequest,
    ListFriendRequestsResponse,
    ListFriendsRequest,
    ListFriendsResponse,
    MsgType,
    RejectFriendRequestRequest,
    Relationship,
    RequestDirection,
    SendFriendRequestRequest,
    UnblockUserRequest,
    UpdateFriendRequest,
)
from prim.generated.wire import PayloadError, parse_payload
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.storage import models
from prim.runtime.storage.errors import AlreadyExists, NotFound
from prim.runtime.storage.models import channel_key
from prim.services.api import paging
from prim.services.api.notify import Notifier
from prim.services.api.server import ApiServer

# How many of the newest messages between two users are searched for a request's events.
_EVENT_SCAN = 50

# Listing parts of ListFriendRequests with no direction: incoming first, then outgoing.
_INCOMING, _OUTGOING = 0, 1


def friend_message(friend: models.Friend) -> Friend:
    return Friend(user_id=friend.peer_id, remark=friend.remark,
                  status=FriendStatus(int(friend.status)),
                  classification=friend.classification, tags=list(friend.tags),
                  since_ms=friend.since)


def request_message(request: models.FriendRequest) -> FriendRequest:
    return FriendRequest(requester_id=request.requester_id, target_id=request.target_id,
                         message=request.message, created_at_ms=request.created_at,
                         expires_at_ms=request.expires_at,
                         state=FriendRequestState(int(request.state)))


def answered(request: FriendRequest, state: FriendRequestState) -> FriendRequest:
    """What Accept and Reject answer: the request they decided, in its new state."""
    request.state = state
    return request


class FriendServiceImpl(FriendServiceInterface):
    def __init__(self, api: ApiServer) -> None:
        self._api = api
        self._social = api.storage.social
        self._notify = Notifier(api.scheduler)

    # -- requests ----------------------------------------------------------------------

    async def send_friend_request(self, request: SendFriendRequestRequest,
                                  ctx: CallContext) -> FriendRequest:
        me = ctx.user_id
        # The fields were checked (and trimmed) by the spec's generated validator.
        target, greeting, remark = request.user_id, request.message, request.remark
        await self._require_user(target)
        if await self._social.is_blocked(target, me):
            raise ApiError(ErrorCode.BLOCKED, f"user {target} has blocked you", "user_id")
        if await self._social.is_blocked(me, target):
            raise ApiError(ErrorCode.FAILED_PRECONDITION,
                           f"you have blocked user {target}; unblock them first", "user_id")
        if await self._social.get_friend(me, target) is not None:
            raise ApiError(ErrorCode.ALREADY_EXISTS, f"you and user {target} are already "
                           "friends", "user_id")
        if await self._social.get_friend_request(target, me) is not None:
            raise ApiError(ErrorCode.ALREADY_EXISTS, f"user {target} already asked you; "
                           "accept their request instead", "user_id")
        try:
            created = await self._social.create_friend_request(
                me, target, message=greeting, remark=remark)
        except AlreadyExists:
            raise ApiError(ErrorCode.ALREADY_EXISTS, f"a request to user {target} is already "
                           "pending; wait for the answer", "user_id") from None
        await self._notify.friend(me, target, FriendEvent(
            kind=FriendEventKind.REQUESTED, requester_id=me, target_id=target,
            message=created.message, expires_at_ms=created.expires_at))
        return request_message(created)

    async def list_friend_requests(self, request: ListFriendRequestsRequest,
                                   ctx: CallContext) -> ListFriendRequestsResponse:
        size = paging.page_size(
            request.page_size, rules.LIST_FRIEND_REQUESTS_REQUEST_PAGE_SIZE_DEFAULT_VALUE,
            rules.LIST_FRIEND_REQUESTS_REQUEST_PAGE_SIZE_MAXIMUM)
        if request.direction == RequestDirection.INCOMING:
            parts = [_INCOMING]
        elif request.direction == RequestDirection.OUTGOING:
            parts = [_OUTGOING]
        else:
            parts = [_INCOMING, _OUTGOING]
        start = paging.decode_token(request.page_token, parts=len(parts))
        found: list[models.FriendRequest] = []
        next_at: paging.Position | None = None
        index, after = start.part, start.after
        while index < len(parts) and len(found) < size:
            lister = (self._social.list_incoming_requests if parts[index] == _INCOMING
                      else self._social.list_outgoing_requests)
            page = await lister(ctx.user_id, after=after, limit=size - len(found))
            found.extend(page.items)
            if page.next_after is not None:
                next_at = paging.Position(index, page.next_after)
                break
            index, after = index + 1, 0
        else:
            if index < len(parts):  # the page filled up exactly at a part's end
                next_at = paging.Position(index, 0)
        return ListFriendRequestsResponse(requests=[request_message(r) for r in found],
                                          next_page_token=paging.encode_token(next_at))

    async def accept_friend_request(self, request: AcceptFriendRequestRequest,
                                    ctx: CallContext) -> FriendRequest:
        me = ctx.user_id
        requester, remark = request.requester_id, request.remark
        if await self._social.get_friend(me, requester) is not None:
            raise ApiError(ErrorCode.ALREADY_EXISTS, f"you and user {requester} are already "
                           "friends", "requester_id")
        if await self._social.is_blocked(requester, me):
            raise ApiError(ErrorCode.BLOCKED, f"user {requester} has blocked you",
                           "requester_id")
        pending = await self._pending_request(requester, me)
        try:
            await self._social.accept_friend_request(requester, me, remark=remark)
        except NotFound:
            raise await self._no_pending_request(requester, me) from None
        await self._notify.friend(me, requester, FriendEvent(
            kind=FriendEventKind.ACCEPTED, requester_id=requester, target_id=me))
        return answered(pending, FriendRequestState.ACCEPTED)

    async def reject_friend_request(self, request: RejectFriendRequestRequest,
                                    ctx: CallContext) -> FriendRequest:
        me = ctx.user_id
        requester, reason = request.requester_id, request.reason
        pending = await self._pending_request(requester, me)
        if not await self._social.reject_friend_request(requester, me):
            raise await self._no_pending_request(requester, me)
        await self._notify.friend(me, requester, FriendEvent(
            kind=FriendEventKind.REJECTED, requester_id=requester, target_id=me,
            message=reason))
        return answered(pending, FriendRequestState.REJECTED)

    async def _pending_request(self, requester: int, target: int) -> FriendRequest:
        """The pending request an answer is about, read before the answer changes it."""
        pending = await self._social.get_friend_request(requester, target)
        if pending is None:
            raise await self._no_pending_request(requester, target)
        return request_message(pending)

    async def _no_pending_request(self, requester: int, target: int) -> ApiError:
        """Why there is no pending request from requester to target (module docstring)."""
        recent = await self._api.storage.messages.read_backward(
            channel_key(requester, target), 1 << 62, _EVENT_SCAN)
        for message in recent:
            if message.type not in (MsgType.ADD_FRIEND, MsgType.REMOVE_FRIEND):
                continue
            try:
                event = parse_payload(message.type, message.payload)
            except PayloadError:
                continue
            assert isinstance(event, FriendEvent)
            if event.requester_id != requester or event.target_id != target:
                continue
            if event.kind == FriendEventKind.REQUESTED and event.expires_at_ms <= self._api.clock():
                return ApiError(ErrorCode.EXPIRED, f"the friend request from user {requester} "
                                "expired after 7 days; ask them to send a new one",
                                "requester_id")
            if event.kind == FriendEventKind.REJECTED:
                return ApiError(ErrorCode.FAILED_PRECONDITION, f"you already rejected the "
                                f"request from user {requester}; they may send a new one",
                                "requester_id")
            break
        return ApiError(ErrorCode.NOT_FOUND, f"user {requester} has no pending friend request "
                        "to you", "requester_id")

    # -- friends -----------------------------------------------------------------------

    async def list_friends(self, request: ListFriendsRequest,
                           ctx: CallContext) -> ListFriendsResponse:
        size = paging.page_size(
            request.page_size, rules.LIST_FRIENDS_REQUEST_PAGE_SIZE_DEFAULT_VALUE,
            rules.LIST_FRIENDS_REQUEST_PAGE_SIZE_MAXIMUM)
        start = paging.decode_token(request.page_token)
        page = await self._social.list_friends(
            ctx.user_id, classification=request.classification.strip() or None, after=start.after,
            limit=size)
        return ListFriendsResponse(
            friends=[friend_message(f) for f in page.items],
            next_page_token=paging.encode_token(paging.next_position(page.next_after)))

    async def get_relationship(self, request: GetRelationshipRequest,
                               ctx: CallContext) -> Relationship:
        other = request.user_id
        await self._require_user(other)
        return await self._relationship(ctx.user_id, other)

    async def update_friend(self, request: UpdateFriendRequest, ctx: CallContext) -> Friend:
        peer = request.user_id
        tags = None if request.tags is None else list(request.tags.tags)
        status = None if request.status is None else models.FriendStatus(int(request.status))
        try:
            updated = await self._social.update_friend(
                ctx.user_id, peer, remark=request.remark, status=status,
                classification=request.classification, tags=tags)
        except NotFound:
            raise self._not_friends(peer) from None
        return friend_message(updated)

    async def delete_friend(self, request: DeleteFriendRequest,
                            ctx: CallContext) -> DeleteFriendResponse:
        me = ctx.user_id
        peer = request.user_id
        if not await self._social.remove_friend(me, peer):
            raise self._not_friends(peer)
        await self._notify.friend(me, peer, FriendEvent(
            kind=FriendEventKind.REMOVED, requester_id=me, target_id=peer))
        return DeleteFriendResponse()

    # -- blocks ------------------------------------------------------------------------

    async def block_user(self, request: BlockUserRequest, ctx: CallContext) -> Relationship:
        me = ctx.user_id
        other = request.user_id
        await self._require_user(other)
        if not await self._social.is_blocked(me, other):
            await self._social.block(me, other)
            # Their pending request to the caller is answered by the block (silently).
            await self._social.reject_friend_request(other, me)
            await self._notify.relationship(me, other, blocked=True)
        return await self._relationship(me, other)

    async def unblock_user(self, request: UnblockUserRequest, ctx: CallContext) -> Relationship:
        me = ctx.user_id
        other = request.user_id
        await self._require_user(other)
        if await self._social.unblock(me, other):
            await self._notify.relationship(me, other, blocked=False)
        return await self._relationship(me, other)

    # -- helpers -----------------------------------------------------------------------

    async def _relationship(self, me: int, other: int) -> Relationship:
        friend = await self._social.get_friend(me, other)
        pending = (await self._social.get_friend_request(me, other)
                   or await self._social.get_friend_request(other, me))
        return Relationship(
            user_id=other, is_friend=friend is not None,
            friend=None if friend is None else friend_message(friend),
            blocking=await self._social.is_blocked(me, other),
            blocked_by=await self._social.is_blocked(other, me),
            pending_request=None if pending is None else request_message(pending))

    async def _require_user(self, user_id: int, field: str = "user_id") -> None:
        if await self._api.storage.accounts.get_user(user_id) is None:
            raise ApiError(ErrorCode.NOT_FOUND, f"there is no user {user_id}", field)

    @staticmethod
    def _not_friends(peer: int) -> ApiError:
        return ApiError(ErrorCode.NOT_FOUND, f"user {peer} is not your friend", "user_id")

