"""Read receipts, whichever transport asked: a ReadReceipt frame on the wire or HTTP
SetReadMarker. The reader must be allowed to write to the conversation (PROTOCOL.md
section 4: friends who have not blocked them, group members), so that nobody can push
receipts at a stranger or at someone who blocked them. The marker is clamped to the newest
message (sequenced, if not stored yet) and only moves forward; only a move is told, with a
payload made here (never the client's bytes or extension): to the peer and the reader's
other devices, in a group or towards a peer the reader has blocked, and in the reader's own
notification stream, only to the reader's own devices."""

from __future__ import annotations

from dataclasses import dataclass

from prim.generated.prim.v1 import ReadReceiptPayload
from prim.runtime.storage.models import channel_key, is_group_id
from prim.runtime.storage.ports import InboxStore
from prim.runtime.storage.social_changes import SocialReads
from prim.services.message.changes import MessageChanges


@dataclass(frozen=True, slots=True)
class MarkerMove:
    #: The marker now stored.
    seqnum: int
    #: Who learns it live; empty when the marker did not move.
    audience: list[int]

    @property
    def moved(self) -> bool:
        return bool(self.audience)

    def payload(self) -> bytes:
        return bytes(ReadReceiptPayload(seqnum=self.seqnum))


class ReadReceipts:
    def __init__(self, *, inbox: InboxStore, social: SocialReads,
                 changes: MessageChanges) -> None:
        self._inbox = inbox
        self._social = social
        self._changes = changes

    async def mark(self, reader: int, peer: int, seqnum: int) -> MarkerMove:
        """Raises the ApiError of a refused write (field "receiver"). `peer == reader` is
        the reader's own notification stream (PROTOCOL.md section 7), always theirs."""
        if peer != reader:
            await self._changes.authorize_write(reader, peer)
        channel = channel_key(reader, peer)
        last = await self._changes.newest_up_to(channel, seqnum)
        wanted = min(seqnum, last)
        before = (await self._inbox.get_read_markers(reader, [channel])).get(channel, 0)
        if wanted <= before:
            return MarkerMove(before, [])
        stored = await self._inbox.set_read_marker(reader, channel, wanted)
        if stored <= before:
            return MarkerMove(stored, [])
        private = (peer == reader or is_group_id(peer)
                   or await self._social.is_blocked(reader, peer))
        return MarkerMove(stored, [reader] if private else [reader, peer])
