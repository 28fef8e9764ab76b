"""Checks on request fields that the HTTP binding cannot know from the spec's types: which
ids are users and which are groups, required ids, the friend and group services' text
fields (trimmed, no control characters, bounded lengths; validate.py's rules). Each failure
is an INVALID_ARGUMENT naming the proto field and saying what a valid value looks like."""

from __future__ import annotations

from prim.generated import constants as rules
from prim.generated.prim.v1 import ErrorCode
from prim.generated.wire import MAX_RECEIVER, MAX_SEQNUM
from prim.runtime.errors import ApiError
from prim.runtime.storage.models import GROUP_ID_BASE, is_group_id
from prim.services.api.validate import clean_text

#: Length limits (in characters) of the free-text fields of friends and groups.
NAME_MAX = rules.CREATE_GROUP_REQUEST_NAME_MAX_LENGTH
REMARK_MAX = rules.SEND_FRIEND_REQUEST_REQUEST_REMARK_MAX_LENGTH
CLASSIFICATION_MAX = rules.UPDATE_FRIEND_REQUEST_CLASSIFICATION_MAX_LENGTH
TAG_MAX = rules.TAG_LIST_TAGS_MAX_LENGTH
TAGS_MAX = rules.TAG_LIST_TAGS_MAX_ITEMS
# A friend/join request's message, a rejection's or kick's reason.
GREETING_MAX = rules.SEND_FRIEND_REQUEST_REQUEST_MESSAGE_MAX_LENGTH
AVATAR_MAX = rules.CREATE_GROUP_REQUEST_AVATAR_MAX_LENGTH
ANNOUNCEMENT_MAX = rules.CREATE_GROUP_REQUEST_ANNOUNCEMENT_MAX_LENGTH
PASSWORD_MAX = rules.CREATE_GROUP_REQUEST_JOIN_PASSWORD_MAX_LENGTH


def invalid(field: str, message: str) -> ApiError:
    return ApiError(ErrorCode.INVALID_ARGUMENT, message, field)


def user_id(value: int, field: str = "user_id") -> int:
    """A required user id: 1 .. 2^36-1."""
    if value == 0:
        raise invalid(field, f"{field} is required: the id of a user")
    if is_group_id(value):
        raise invalid(field, f"{field} must be a user id (below {GROUP_ID_BASE}); "
                             f"{value} is a group id")
    return value


def other_user_id(value: int, caller: int, field: str = "user_id") -> int:
    """A required user id that is not the caller's own."""
    user_id(value, field)
    if value == caller:
        raise invalid(field, f"{field} is your own id; give another user's id")
    return value


def group_id(value: int, field: str = "group_id") -> int:
    """A required group id: 2^36 and above, and within the header's receiver field."""
    if not is_group_id(value) or value > MAX_RECEIVER:
        raise invalid(field, f"{field} must be a group id ({GROUP_ID_BASE} to {MAX_RECEIVER})")
    return value


def peer_id(value: int, caller: int, field: str = "peer_id") -> int:
    """A conversation from the caller's side: another user's id, a group id, or the
    caller's own id for their notification stream (PROTOCOL.md section 7)."""
    if value == 0:
        raise invalid(field, f"{field} is required: another user's id, a group id, or your "
                             "own id for your notifications")
    if value > MAX_RECEIVER:
        raise invalid(field, f"{field} is no user or group id (ids end at {MAX_RECEIVER})")
    return value


def seqnum(value: int, field: str) -> int:
    """A seqnum or 0; seqnums fit the header's 50-bit field."""
    if value > MAX_SEQNUM:
        raise invalid(field, f"{field} is past the largest seqnum ({MAX_SEQNUM})")
    return value


def text(value: str, field: str, limit: int, *, required: bool = False,
         multiline: bool = False) -> str:
    """``value`` trimmed; line breaks only where ``multiline``."""
    return clean_text(value, field, min_len=1 if required else 0, max_len=limit,
                      allow_newlines=multiline)


def password(value: str, field: str) -> str:
    """Taken as given (never trimmed); only its length is bounded."""
    if len(value) > PASSWORD_MAX:
        raise invalid(field, f"{field} has {len(value)} characters; at most {PASSWORD_MAX} "
                             "are allowed")
    return value


def tags(values: list[str], field: str = "tags") -> list[str]:
    if len(values) > TAGS_MAX:
        raise invalid(field, f"at most {TAGS_MAX} tags are allowed, got {len(values)}")
    cleaned = [text(tag, field, TAG_MAX, required=True) for tag in values]
    if len(set(cleaned)) != len(cleaned):
        raise invalid(field, "tags must not repeat; give each tag once")
    return cleaned
