"""Events and records as the lines a person reads: `[12:03] alice(10001): hi` for
messages, `* ...` for notices, with nicknames looked up once and remembered."""

from __future__ import annotations

import datetime as dt

from prim.clients.sdk import (
    ChatEvent,
    ConnectionNotice,
    Edited,
    ErrorNotice,
    FriendNotice,
    GroupNotice,
    Message,
    Other,
    PrimClient,
    RelationshipNotice,
    SystemNotice,
    Withdrawn,
)
from prim.generated.constants import is_group_id
from prim.generated.http_client import PrimApiError
from prim.generated.prim.v1 import FriendEventKind, GetGroupRequest, GroupEventKind

_GROUP_NOTICES = {
    GroupEventKind.JOIN_APPROVED: "you are now a member of {group}; /to {gid} to talk there",
    GroupEventKind.JOIN_REJECTED: "your request to join {group} was declined",
    GroupEventKind.MEMBER_JOINED: "{user} joined {group}",
    GroupEventKind.MEMBER_LEFT: "{user} left {group}",
    GroupEventKind.MEMBER_KICKED: "{user} was removed from {group} by {actor}",
    GroupEventKind.DESTROYED: "{group} was closed by {actor}",
    GroupEventKind.ADMIN_GRANTED: "{user} is now an admin of {group}",
    GroupEventKind.ADMIN_REVOKED: "{user} is no longer an admin of {group}",
}


def clock(timestamp_ms: int) -> str:
    """Local HH:MM of a server timestamp."""
    return dt.datetime.fromtimestamp(timestamp_ms / 1000).strftime("%H:%M")


class Renderer:
    def __init__(self, client: PrimClient) -> None:
        self._client = client
        self._names: dict[int, str] = {}

    def remember(self, entity_id: int, name: str) -> None:
        self._names[entity_id] = name

    def known_groups(self) -> list[tuple[int, str]]:
        """(id, name) of the groups shown so far."""
        return [(i, name) for i, name in self._names.items() if is_group_id(i)]

    def cached(self, entity_id: int) -> str:
        """`nick(id)` if known already, else the bare id (no lookup)."""
        name = self._names.get(entity_id)
        return f"{name}({entity_id})" if name is not None else str(entity_id)

    async def name(self, entity_id: int) -> str:
        """`nick(id)` for a user, `name(id)` for a group."""
        if entity_id not in self._names:
            try:
                if is_group_id(entity_id):
                    group = await self._client.http.groups.get_group(
                        GetGroupRequest(group_id=entity_id))
                    self._names[entity_id] = group.name
                else:
                    self._names[entity_id] = (await self._client.user(entity_id)).nickname
            except PrimApiError:
                return f"group({entity_id})" if is_group_id(entity_id) else f"user({entity_id})"
        return f"{self._names[entity_id]}({entity_id})"

    async def message(self, event: Message) -> str:
        where = f"[{await self.name(event.receiver)}] " if event.in_group else ""
        if event.withdrawn:
            body = "(withdrawn)"
        elif event.media is not None:
            media = event.media
            body = f"[{event.type.name.lower()}] {media.name or media.file_id} {media.caption}"
        else:
            body = event.text + (" (edited)" if event.edited_at_ms else "")
        return f"[{clock(event.timestamp)}] {where}{await self.name(event.sender)}: {body}"

    async def event(self, event: ChatEvent) -> str | None:
        """The line to print for a live event; None for what is not worth a line."""
        me = self._client.user_id
        if isinstance(event, Message):
            return await self.message(event)
        if isinstance(event, Edited):
            return (f"* {await self.name(event.sender)} edited #{event.target_seqnum}: "
                    f"{event.new_text}")
        if isinstance(event, Withdrawn):
            return f"* {await self.name(event.sender)} withdrew #{event.target_seqnum}"
        if isinstance(event, FriendNotice):
            return None if event.sender == me else await self._friend(event)
        if isinstance(event, GroupNotice):
            return None if event.sender == me and event.actor_id == me else (
                await self._group(event))
        if isinstance(event, RelationshipNotice):
            return None  # a block is not announced to the blocked
        if isinstance(event, SystemNotice):
            return f"* system: {event.text}"
        if isinstance(event, ErrorNotice):
            return f"! server: {event.code.name}: {event.message}"
        if isinstance(event, ConnectionNotice):
            return {
                "disconnected": "* connection lost; reconnecting...",
                "reconnected": f"* reconnected ({event.detail})",
                "failed": f"! connection failed: {event.detail}; log in again with /login ID",
            }.get(event.state)
        if isinstance(event, Other):
            return f"* {await self.name(event.sender)} sent a message of type {event.type}"
        return None  # typing, read receipts

    async def _friend(self, event: FriendNotice) -> str:
        who = await self.name(event.sender)
        if event.removed or event.kind == FriendEventKind.REMOVED:
            return f"* {who} removed you from their friends"
        if event.kind == FriendEventKind.REQUESTED:
            said = f': "{event.message}"' if event.message else ""
            return f"* {who} wants to be your friend{said}; /accept {event.sender} to agree"
        if event.kind == FriendEventKind.ACCEPTED:
            return f"* {who} accepted your friend request; /to {event.sender} to talk"
        return f"* {who} declined your friend request"

    async def _group(self, event: GroupNotice) -> str:
        group = await self.name(event.group_id)
        user = await self.name(event.user_id)
        if event.kind == GroupEventKind.JOIN_REQUESTED and event.user_id == self._client.user_id:
            return f"* your request to join {group} was sent; an admin will answer"
        if event.kind == GroupEventKind.JOIN_REQUESTED:
            said = f': "{event.message}"' if event.message else ""
            return (f"* {user} asks to join {group}{said}; "
                    f"/approve {event.group_id} {event.user_id} to let them in")
        template = _GROUP_NOTICES.get(event.kind, "{group}: {kind}")
        actor = await self.name(event.actor_id) if event.actor_id else "an admin"
        return "* " + template.format(group=group, gid=event.group_id, user=user, actor=actor,
                                      kind=event.kind.name.lower())
