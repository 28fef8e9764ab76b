"""MessageStore on SQLite: messages by (channel, seqnum) with an idempotency key."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from typing import Any

from ..errors import AlreadyExists
from ..idempotency import IdempotencyKey, conflicts, content_digest, inserted_flags
from ..models import InsertResult, KeyMatch, Message
from .db import SqliteDatabase

_COLS = (
    "channel, seqnum, sender, receiver, type, server_ts, client_ts, payload, extension,"
    " edited_at, withdrawn, device"
)


def _message(r: Any) -> Message:
    return Message(
        channel=r[0],
        seqnum=r[1],
        sender=r[2],
        receiver=r[3],
        type=r[4],
        server_ts=r[5],
        client_ts=r[6],
        payload=bytes(r[7]),
        extension=bytes(r[8]),
        edited_at=r[9],
        withdrawn=bool(r[10]),
        device=r[11],
    )


def _by_key(
    conn: sqlite3.Connection, sender: int, receiver: int, client_ts: int, device: str
) -> KeyMatch | None:
    row = conn.execute(
        "SELECT seqnum, digest FROM messages"
        " WHERE sender = ? AND receiver = ? AND device = ? AND client_ts = ?",
        (sender, receiver, device, client_ts),
    ).fetchone()
    return None if row is None else KeyMatch(int(row[0]), None if row[1] is None else bytes(row[1]))


_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_PARAMS_PER_ROW = 13
_RETURNING = " RETURNING channel, seqnum, sender, receiver, device, client_ts"


def _params(m: Message) -> tuple[object, ...]:
    return (
        m.channel, m.seqnum, m.sender, m.receiver, m.type, m.server_ts,
        m.client_ts, m.payload, m.extension, m.edited_at, int(m.withdrawn), m.device,
        content_digest(m.type, m.payload),
    )  # fmt: skip


def _not_inserted(conn: sqlite3.Connection, m: Message) -> InsertResult:
    original = _by_key(conn, m.sender, m.receiver, m.client_ts, m.device)
    if original is None:
        raise AlreadyExists(f"{m.channel}#{m.seqnum} holds a different message")
    return InsertResult(original.seqnum, False,
                        conflict=conflicts(original.digest, m.type, m.payload))


def _insert_batch(conn: sqlite3.Connection, messages: Sequence[Message]) -> list[InsertResult]:
    """One multi-row INSERT per batch (split only at SQLite's limit on parameters).
    DO NOTHING covers both the primary key (a replayed log record) and the idempotency
    key (a client's resend stamped with a fresh seqnum); a message whose row RETURNING
    does not list is looked up by its key, after the batch's rows are all in."""
    per_statement = max(1, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                        // _PARAMS_PER_ROW)
    flags: list[bool] = []
    for start in range(0, len(messages), per_statement):
        chunk = messages[start:start + per_statement]
        returned = conn.execute(
            f"INSERT INTO messages ({_COLS}, digest) VALUES "
            + ", ".join([_ROW] * len(chunk)) + " ON CONFLICT DO NOTHING" + _RETURNING,
            [value for m in chunk for value in _params(m)],
        ).fetchall()
        flags += inserted_flags(chunk, returned)
    return [InsertResult(m.seqnum, True) if inserted else _not_inserted(conn, m)
            for m, inserted in zip(messages, flags, strict=True)]


class SqliteMessageStore:
    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def insert(self, message: Message) -> InsertResult:
        return (await self.insert_many([message]))[0]

    async def insert_many(self, messages: Sequence[Message]) -> list[InsertResult]:
        if not messages:
            return []
        return await self._db.write_now(lambda conn: _insert_batch(conn, messages))

    async def find_by_idempotency_key(
        self, sender: int, receiver: int, client_ts: int, device: str = ""
    ) -> KeyMatch | None:
        return await self._db.run(lambda c: _by_key(c, sender, receiver, client_ts, device))

    async def find_by_idempotency_keys(
        self, keys: Sequence[IdempotencyKey]
    ) -> list[KeyMatch | None]:
        return await self._db.run(
            lambda c: [_by_key(c, sender, receiver, client_ts, device)
                       for sender, receiver, device, client_ts in keys])

    async def get(self, channel: str, seqnum: int) -> Message | None:
        row = await self._db.run(
            lambda c: c.execute(
                f"SELECT {_COLS} FROM messages WHERE channel = ? AND seqnum = ?",
                (channel, seqnum),
            ).fetchone()
        )
        return None if row is None else _message(row)

    async def read_forward(self, channel: str, from_seqnum: int, limit: int) -> list[Message]:
        if limit <= 0:
            return []
        rows = await self._db.run(
            lambda c: c.execute(
                f"SELECT {_COLS} FROM messages WHERE channel = ? AND seqnum >= ?"
                " ORDER BY seqnum LIMIT ?",
                (channel, from_seqnum, limit),
            ).fetchall()
        )
        return [_message(r) for r in rows]

    async def read_backward(self, channel: str, before_seqnum: int, limit: int) -> list[Message]:
        if limit <= 0:
            return []
        rows = await self._db.run(
            lambda c: c.execute(
                f"SELECT {_COLS} FROM messages WHERE channel = ? AND seqnum < ?"
                " ORDER BY seqnum DESC LIMIT ?",
                (channel, before_seqnum, limit),
            ).fetchall()
        )
        return [_message(r) for r in rows]

    async def last_seqnum(self, channel: str) -> int:
        row = await self._db.run(
            lambda c: c.execute(
                "SELECT MAX(seqnum) FROM messages WHERE channel = ?", (channel,)
            ).fetchone()
        )
        return 0 if row is None or row[0] is None else int(row[0])

    async def count_after(
        self, channel: str, after_seqnum: int, cap: int, *, types: Collection[int],
        not_from: int = 0,
    ) -> int:
        kinds = sorted(types)
        if cap <= 0 or not kinds:
            return 0
        marks = ", ".join("?" * len(kinds))
        # The LIMIT inside bounds the work by the cap, not by the backlog.
        row = await self._db.run(
            lambda c: c.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE channel = ? AND seqnum > ?"
                f" AND type IN ({marks}) AND sender != ? AND withdrawn = 0 LIMIT ?)",
                (channel, after_seqnum, *kinds, not_from, cap),
            ).fetchone()
        )
        return int(row[0])

    async def edit(
        self, channel: str, seqnum: int, payload: bytes, edited_at: int
    ) -> Message | None:
        def tx(conn: sqlite3.Connection) -> Message | None:
            row = conn.execute(
                "UPDATE messages SET payload = ?, edited_at = ? WHERE channel = ? AND seqnum = ?"
                f" AND withdrawn = 0 RETURNING {_COLS}",
                (payload, edited_at, channel, seqnum),
            ).fetchone()
            return None if row is None else _message(row)

        return await self._db.write(tx)

    async def withdraw(self, channel: str, seqnum: int) -> Message | None:
        def tx(conn: sqlite3.Connection) -> Message | None:
            # The payload goes too: a withdrawn message must not be readable any more.
            row = conn.execute(
                "UPDATE messages SET withdrawn = 1, payload = x'', extension = x''"
                f" WHERE channel = ? AND seqnum = ? RETURNING {_COLS}",
                (channel, seqnum),
            ).fetchone()
            return None if row is None else _message(row)

        return await self._db.write(tx)
