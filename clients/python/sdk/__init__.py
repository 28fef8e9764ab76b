"""The PRIM Python SDK: `PrimClient` (accounts, a resending and reconnecting wire
connection, gap-filled events, history, inbox, friends, groups) and its local `Store`.
See client.py."""

from .client import PrimClient, Sent
from .connection import Acked, Backoff, Connection
from .errors import ConnectionLost, NotConnected, PrimClientError, SendRefused, SendTimeout
from .events import (
    ChatEvent,
    ConnectionNotice,
    Edited,
    ErrorNotice,
    FriendNotice,
    GroupNotice,
    Message,
    Other,
    ReadReceipt,
    RelationshipNotice,
    RemoteInvoke,
    Sequenced,
    SequencedEvent,
    SystemNotice,
    Typing,
    Withdrawn,
)
from .gaps import Gap, GapTracker
from .session import Session
from .store import Store, StoredConversation

__all__ = [
    "Acked", "Backoff", "ChatEvent", "Connection", "ConnectionLost", "ConnectionNotice",
    "Edited", "ErrorNotice", "FriendNotice", "Gap", "GapTracker", "GroupNotice", "Message",
    "NotConnected", "Other", "PrimClient", "PrimClientError", "ReadReceipt",
    "RelationshipNotice", "RemoteInvoke", "SendRefused", "SendTimeout", "Sent", "Sequenced",
    "SequencedEvent", "Session", "Store", "StoredConversation",
    "SystemNotice", "Typing", "Withdrawn",
]
