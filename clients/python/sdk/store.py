"""`Store`: what a client keeps between runs, one SQLite file per account.

- **conversations**: per conversation, `synced` (everything up to this seqnum is here or
  accounted for: the gap tracker's state), this user's read marker, and the newest seqnum.
- **messages**: every sequenced event the client handed to the application, as the server
  sent it (type, payload, times), edits and withdrawals applied to their targets.
- **read_markers**: how far each other member has read a conversation (ReadReceipts).
- **outbox**: sequenced frames sent but not Acked, byte for byte. A client that restarts
  sends them again with their original timestamp: with the device session, the idempotency
  key, so the server stores each once however often it is resent. Only the session that
  sent a frame may resend it (a new login is another device: its resend could duplicate).
- **session**: the last device session (token, device id), so a restart resumes it.
- **meta**: the newest server time seen, where catching up starts after a restart.

Synchronous stdlib sqlite3: every statement touches a few rows of a local file, far below
what would be worth a thread hop. The store never talks to the network.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prim.generated.prim.v1 import MsgType
from prim.runtime.wire.frame import Frame

from .events import Edited, Message, SequencedEvent, Withdrawn, decode
from .session import Session

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    peer_id INTEGER PRIMARY KEY,
    synced INTEGER NOT NULL DEFAULT 0,
    newest INTEGER NOT NULL DEFAULT 0,
    read_seqnum INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS messages (
    conversation INTEGER NOT NULL,
    seqnum INTEGER NOT NULL,
    type INTEGER NOT NULL,
    sender INTEGER NOT NULL,
    receiver INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    payload BLOB NOT NULL,
    edited_at INTEGER NOT NULL DEFAULT 0,
    withdrawn INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation, seqnum)
);
CREATE TABLE IF NOT EXISTS read_markers (
    conversation INTEGER NOT NULL,
    reader INTEGER NOT NULL,
    seqnum INTEGER NOT NULL,
    PRIMARY KEY (conversation, reader)
);
CREATE TABLE IF NOT EXISTS outbox (
    timestamp INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    type INTEGER NOT NULL,
    receiver INTEGER NOT NULL,
    payload BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS session (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    base_url TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    access_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    device_id TEXT NOT NULL
);
"""


_CONTENT = (MsgType.TEXT, MsgType.AUDIO)  # the types that count as unread (text, media)


@dataclass(frozen=True, slots=True)
class StoredConversation:
    peer_id: int
    synced: int  # everything up to this seqnum is in the store or accounted for
    newest: int  # the highest seqnum stored
    read_seqnum: int  # this user's read marker
    unread: int  # stored texts and media from others above the read marker


class Store:
    def __init__(self, path: str | Path, user_id: int) -> None:
        self.path = Path(path)
        self.user_id = user_id
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.executescript(_SCHEMA)

    @classmethod
    def for_account(cls, directory: str | Path, base_url: str, user_id: int) -> Store:
        """The store of `user_id` on the server at `base_url`, in `directory`."""
        host = base_url.split("://", 1)[-1].rstrip("/").replace(":", "_").replace("/", "_")
        return cls(Path(directory) / f"{host}-{user_id}.sqlite3", user_id)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- messages ----------------------------------------------------------------------

    def add(self, event: SequencedEvent) -> None:
        """Records an event handed to the application (idempotent); an Edit or Withdraw
        also changes its target."""
        with self._transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO messages (conversation, seqnum, type, sender, receiver,"
                " timestamp, payload, edited_at, withdrawn) VALUES (?,?,?,?,?,?,?,?,?)",
                (event.conversation, event.seqnum, event.wire_type, event.sender,
                 event.receiver, event.timestamp, event.wire_payload,
                 event.edited_at_ms if isinstance(event, Message) else 0,
                 int(isinstance(event, Message) and event.withdrawn)))
            if isinstance(event, Edited):
                self._db.execute(
                    "UPDATE messages SET payload = ?, edited_at = ? WHERE conversation = ?"
                    " AND seqnum = ?", (event.new_payload, event.timestamp, event.conversation,
                                       event.target_seqnum))
            elif isinstance(event, Withdrawn):
                self._db.execute(
                    "UPDATE messages SET withdrawn = 1 WHERE conversation = ? AND seqnum = ?",
                    (event.conversation, event.target_seqnum))
            self._db.execute(
                "INSERT INTO conversations (peer_id, newest) VALUES (?, ?) ON CONFLICT (peer_id)"
                " DO UPDATE SET newest = max(newest, excluded.newest)",
                (event.conversation, event.seqnum))
        self.server_time = max(self.server_time, event.timestamp)

    def history(self, conversation: int, *, limit: int = 50,
                before: int = 0) -> list[SequencedEvent]:
        """Up to `limit` stored events of a conversation below seqnum `before` (0: the
        newest), oldest first, as `from_history` events."""
        rows = self._db.execute(
            "SELECT type, sender, receiver, seqnum, timestamp, payload, edited_at, withdrawn"
            " FROM messages WHERE conversation = ? AND (? = 0 OR seqnum < ?)"
            " ORDER BY seqnum DESC LIMIT ?", (conversation, before, before, limit)).fetchall()
        return [decode(t, s, r, n, ts, p, self.user_id, from_history=True, edited_at_ms=e,
                       withdrawn=bool(w)) for t, s, r, n, ts, p, e, w in reversed(rows)]

    # -- conversations -----------------------------------------------------------------

    def conversations(self) -> list[StoredConversation]:
        """Every conversation stored, the most recently active first."""
        rows = self._db.execute(
            "SELECT c.peer_id, c.synced, c.newest, c.read_seqnum,"
            " (SELECT count(*) FROM messages m WHERE m.conversation = c.peer_id"
            "  AND m.seqnum > c.read_seqnum AND m.sender != ? AND m.type BETWEEN ? AND ?)"
            " FROM conversations c ORDER BY"
            " (SELECT max(timestamp) FROM messages m WHERE m.conversation = c.peer_id) DESC",
            (self.user_id, *_CONTENT)).fetchall()
        return [StoredConversation(*row) for row in rows]

    def synced(self) -> dict[int, int]:
        """conversation -> the seqnum up to which it is accounted for."""
        rows = self._db.execute("SELECT peer_id, synced FROM conversations WHERE synced > 0")
        return dict(rows.fetchall())

    def set_synced(self, marks: dict[int, int]) -> None:
        with self._transaction():
            self._db.executemany(
                "INSERT INTO conversations (peer_id, synced) VALUES (?, ?) ON CONFLICT (peer_id)"
                " DO UPDATE SET synced = max(synced, excluded.synced)", marks.items())

    def set_read(self, conversation: int, seqnum: int) -> None:
        self._db.execute(
            "INSERT INTO conversations (peer_id, read_seqnum) VALUES (?, ?) ON CONFLICT"
            " (peer_id) DO UPDATE SET read_seqnum = max(read_seqnum, excluded.read_seqnum)",
            (conversation, seqnum))

    # -- others' read markers ----------------------------------------------------------

    def set_read_by(self, conversation: int, reader: int, seqnum: int) -> None:
        self._db.execute(
            "INSERT INTO read_markers VALUES (?, ?, ?) ON CONFLICT (conversation, reader)"
            " DO UPDATE SET seqnum = max(seqnum, excluded.seqnum)", (conversation, reader, seqnum))

    def read_by(self, conversation: int) -> dict[int, int]:
        """reader -> the seqnum they have read up to."""
        rows = self._db.execute(
            "SELECT reader, seqnum FROM read_markers WHERE conversation = ?", (conversation,))
        return dict(rows.fetchall())

    # -- the outbox --------------------------------------------------------------------

    def queue(self, frame: Frame, device_id: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO outbox VALUES (?, ?, ?, ?, ?)",
                         (frame.timestamp, device_id, int(frame.type), frame.receiver,
                          frame.payload))

    def dequeue(self, timestamp: int) -> None:
        self._db.execute("DELETE FROM outbox WHERE timestamp = ?", (timestamp,))

    def outbox(self, device_id: str) -> list[Frame]:
        """The frames `device_id` sent that are not Acked yet, oldest first, exactly as they
        were first sent."""
        rows = self._db.execute(
            "SELECT timestamp, type, receiver, payload FROM outbox WHERE device_id = ?"
            " ORDER BY timestamp", (device_id,))
        return [Frame(type=MsgType(t), sender=self.user_id, receiver=r, timestamp=ts,
                      payload=p) for ts, t, r, p in rows.fetchall()]

    # -- the device session ----------------------------------------------------------

    def save_session(self, session: Session) -> None:
        self._db.execute("INSERT OR REPLACE INTO session VALUES (1, ?, ?, ?, ?, ?)",
                         (session.base_url, session.user_id, session.access_token,
                          session.expires_at_ms, session.device_id))

    def session(self) -> Session | None:
        row = self._db.execute("SELECT base_url, user_id, access_token, expires_at, device_id"
                               " FROM session").fetchone()
        return Session(*row) if row else None

    # -- the newest server time --------------------------------------------------------

    @property
    def server_time(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'server_time'").fetchone()
        return int(row[0]) if row else 0

    @server_time.setter
    def server_time(self, value: int) -> None:
        self._db.execute(
            "INSERT INTO meta VALUES ('server_time', ?) ON CONFLICT (key)"
            " DO UPDATE SET value = max(value, excluded.value)", (value,))


__all__ = ["Store", "StoredConversation"]
