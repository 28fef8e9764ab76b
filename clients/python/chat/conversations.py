"""The conversation list of the terminal UI, without I/O: which conversations there are, the
newest seqnum of each, how many messages from others are unread, and in which order they are
shown (the most recently active first). The server's inbox seeds it; live messages, the
conversation the user has open and the read markers move it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Row:
    peer_id: int
    unread: int = 0
    newest: int = 0  # the highest seqnum known
    read: int = 0  # this user's read marker
    active_at: int = 0  # server ms of the newest message, for the order


class Conversations:
    def __init__(self, me: int) -> None:
        self.me = me
        self._rows: dict[int, Row] = {}
        self.open: int | None = None  # the conversation on screen

    def seed(self, peer_id: int, *, unread: int, newest: int, read: int,
             active_at: int) -> None:
        """What the inbox (or the local store) says about a conversation."""
        row = self.row(peer_id)
        row.unread, row.newest, row.read = unread, max(row.newest, newest), max(row.read, read)
        row.active_at = max(row.active_at, active_at)

    def row(self, peer_id: int) -> Row:
        return self._rows.setdefault(peer_id, Row(peer_id))

    def message(self, peer_id: int, seqnum: int, sender: int, timestamp: int) -> bool:
        """A message arrived or was sent; True when it counts as unread (from someone else,
        in a conversation not on screen)."""
        row = self.row(peer_id)
        row.newest = max(row.newest, seqnum)
        row.active_at = max(row.active_at, timestamp)
        if sender == self.me or peer_id == self.open or seqnum <= row.read:
            return False
        row.unread += 1
        return True

    def opened(self, peer_id: int) -> int:
        """The user opened a conversation: all of it counts as read. Returns the seqnum the
        read marker should move to (0: nothing to mark)."""
        self.open = peer_id
        row = self.row(peer_id)
        row.unread = 0
        if row.newest <= row.read:
            return 0
        row.read = row.newest
        return row.newest

    def rows(self) -> list[Row]:
        """Every conversation but one's own notification stream, the most active first."""
        return sorted((r for r in self._rows.values() if r.peer_id != self.me),
                      key=lambda r: (-r.active_at, r.peer_id))
