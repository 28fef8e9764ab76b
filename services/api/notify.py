"""Business messages from the HTTP side (spec/PROTOCOL.md section 7): friend, group and
relationship events become AddFriend / RemoveFriend / JoinGroup / LeaveGroup /
SetRelationship frames handed to `SchedulerService.Relay`, which sequences and stores them
and delivers them live. Friend and relationship events go to the channel between the actor
and the target; a group event for everyone to the group's channel, and a group event for one
user (a join request for an admin, a decision for the applicant, a kick, a destroyed group)
to that user's own notification stream, the channel of the user with themself (header
sender = receiver = the user; the actor is in the payload). Stored in a 1:1 channel, it would
show to the actor as the target's notice and count among the two users' talk in history.

A notification follows a state change that is already committed, so a relay failure does
not undo or fail the change: it is logged and the call still succeeds (the state is what
clients re-read; the event is the live hint). `relay` is the exception: edits and withdraws
over HTTP must be sequenced before they are applied, so its failure propagates.
"""

from __future__ import annotations

import logging

from prim.generated.interfaces import SchedulerServiceInterface
from prim.generated.prim.v1 import (
    FriendEvent,
    FriendEventKind,
    GroupEvent,
    GroupEventKind,
    Header,
    MsgType,
    RelationshipEvent,
    RelayRequest,
    RelayResponse,
    WireFrame,
)
from prim.generated.wire import PROTOCOL_VERSION
from prim.runtime.context import CallContext
from prim.runtime.storage.models import is_group_id
from prim.runtime.wire.frame import Frame

log = logging.getLogger("prim.api.notify")

_FRIEND_TYPES = {
    FriendEventKind.REQUESTED: MsgType.ADD_FRIEND,
    FriendEventKind.ACCEPTED: MsgType.ADD_FRIEND,
    FriendEventKind.REJECTED: MsgType.ADD_FRIEND,
    FriendEventKind.REMOVED: MsgType.REMOVE_FRIEND,
}

# wire.proto: JoinGroup carries requested / approved / rejected / joined; LeaveGroup the
# departures (left / kicked / destroyed) and the admin changes.
_JOIN_KINDS = frozenset({GroupEventKind.JOIN_REQUESTED, GroupEventKind.JOIN_APPROVED,
                         GroupEventKind.JOIN_REJECTED, GroupEventKind.MEMBER_JOINED})


def group_event_type(kind: GroupEventKind) -> MsgType:
    return MsgType.JOIN_GROUP if kind in _JOIN_KINDS else MsgType.LEAVE_GROUP


class Notifier:
    def __init__(self, scheduler: SchedulerServiceInterface) -> None:
        self._scheduler = scheduler

    async def relay(self, frame: Frame) -> RelayResponse:
        """Sequences ``frame`` into its channel and delivers it; errors propagate. A zero
        timestamp lets the scheduler pick one no earlier event between the two ids used."""
        header = Header(version=PROTOCOL_VERSION, sender=frame.sender, receiver=frame.receiver,
                        type=MsgType(frame.type), timestamp=frame.timestamp)
        request = RelayRequest(frame=WireFrame(header=header, payload=frame.payload,
                                               extension=frame.extension))
        return await self._scheduler.relay(request, CallContext())

    async def friend(self, actor: int, receiver: int, event: FriendEvent) -> None:
        await self._notify(actor, receiver, _FRIEND_TYPES[event.kind], bytes(event))

    async def group(self, actor: int, receiver: int, event: GroupEvent) -> None:
        """``receiver`` is the group id for every current member, or one user: then the
        event goes to that user's own notification stream."""
        sender = actor if is_group_id(receiver) else receiver
        await self._notify(sender, receiver, group_event_type(event.kind), bytes(event))

    async def relationship(self, actor: int, receiver: int, blocked: bool) -> None:
        event = RelationshipEvent(user_id=actor, blocked=blocked)
        await self._notify(actor, receiver, MsgType.SET_RELATIONSHIP, bytes(event))

    async def _notify(self, actor: int, receiver: int, kind: MsgType, payload: bytes) -> None:
        try:
            await self.relay(Frame(type=kind, sender=actor, receiver=receiver, payload=payload))
        except Exception:
            log.exception("could not relay %s from %s to %s; the change itself is stored",
                          kind.name, actor, receiver)
