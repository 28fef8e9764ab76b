"""MessageStore on PostgreSQL: messages by (channel, seqnum) with an idempotency key.

Two writers racing one idempotency key: the unique index makes the second INSERT wait for
the first to commit and then do nothing; its follow-up SELECT (a new statement, so a new
READ COMMITTED snapshot) sees the winner's seqnum.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from ..errors import AlreadyExists
from ..idempotency import IdempotencyKey, conflicts, content_digest, inserted_flags
from ..models import InsertResult, KeyMatch, Message
from .db import PostgresDatabase

_COLS = (
    "channel, seqnum, sender, receiver, type, server_ts, client_ts, payload, extension,"
    " edited_at, withdrawn, device"
)
_INSERT = (
    f"INSERT INTO messages ({_COLS}, digest)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    " ON CONFLICT DO NOTHING RETURNING seqnum"
)
# A batch in one statement: one array per column, rows inserted in the batch's order.
_INSERT_MANY = (
    f"INSERT INTO messages ({_COLS}, digest) SELECT {_COLS}, digest"
    " FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::integer[],"
    " $6::bigint[], $7::bigint[], $8::bytea[], $9::bytea[], $10::bigint[], $11::boolean[],"
    " $12::text[], $13::bytea[])"
    f" WITH ORDINALITY AS batch ({_COLS}, digest, position) ORDER BY position"
    " ON CONFLICT DO NOTHING RETURNING channel, seqnum, sender, receiver, device, client_ts"
)
_BY_KEY = (
    "SELECT seqnum, digest FROM messages"
    " WHERE sender = $1 AND receiver = $2 AND device = $3 AND client_ts = $4"
)


# The keys as parallel arrays, numbered so that each answer finds its key's place.
_BY_KEYS = (
    "SELECT k.i, m.seqnum, m.digest"
    " FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[])"
    " WITH ORDINALITY AS k(sender, receiver, device, client_ts, i)"
    " JOIN messages m ON m.sender = k.sender AND m.receiver = k.receiver"
    " AND m.device = k.device AND m.client_ts = k.client_ts"
)


def message_from_row(r: Any) -> Message:
    return Message(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bytes(r[7]), bytes(r[8]), r[9], r[10],
                   r[11])


def _args(m: Message) -> tuple[object, ...]:
    return (
        m.channel, m.seqnum, m.sender, m.receiver, m.type, m.server_ts, m.client_ts,
        m.payload, m.extension, m.edited_at, m.withdrawn, m.device,
        content_digest(m.type, m.payload),
    )  # fmt: skip


async def _original(conn: Any, m: Message) -> InsertResult:
    """The outcome for `m` when its INSERT did nothing: the stored message with its key."""
    row = await conn.fetchrow(_BY_KEY, m.sender, m.receiver, m.device, m.client_ts)
    if row is None:
        raise AlreadyExists(f"{m.channel}#{m.seqnum} holds a different message")
    digest = None if row[1] is None else bytes(row[1])
    return InsertResult(int(row[0]), False, conflict=conflicts(digest, m.type, m.payload))


class PostgresMessageStore:
    def __init__(self, db: PostgresDatabase) -> None:
        self._pool = db.pool

    async def insert(self, message: Message) -> InsertResult:
        async with self._pool.acquire() as conn:
            if await conn.fetchval(_INSERT, *_args(message)) is not None:
                return InsertResult(message.seqnum, True)
            return await _original(conn, message)

    async def insert_many(self, messages: Sequence[Message]) -> list[InsertResult]:
        """One INSERT for the batch, in the batch's order (as row-by-row inserts would
        meet a conflict); a message it did not write is looked up by its key in the same
        transaction, after the batch's rows are all in."""
        if not messages:
            return []
        columns = list(zip(*(_args(m) for m in messages), strict=True))
        async with self._pool.acquire() as conn, conn.transaction():
            flags = inserted_flags(messages, await conn.fetch(_INSERT_MANY, *columns))
            return [InsertResult(m.seqnum, True) if inserted else await _original(conn, m)
                    for m, inserted in zip(messages, flags, strict=True)]

    async def find_by_idempotency_key(
        self, sender: int, receiver: int, client_ts: int, device: str = ""
    ) -> KeyMatch | None:
        row = await self._pool.fetchrow(_BY_KEY, sender, receiver, device, client_ts)
        if row is None:
            return None
        return KeyMatch(int(row[0]), None if row[1] is None else bytes(row[1]))

    async def find_by_idempotency_keys(
        self, keys: Sequence[IdempotencyKey]
    ) -> list[KeyMatch | None]:
        found: list[KeyMatch | None] = [None] * len(keys)
        if not keys:
            return found
        senders, receivers, devices, stamps = zip(*keys, strict=True)
        for row in await self._pool.fetch(_BY_KEYS, list(senders), list(receivers),
                                          list(devices), list(stamps)):
            found[row[0] - 1] = KeyMatch(int(row[1]),
                                         None if row[2] is None else bytes(row[2]))
        return found

    async def get(self, channel: str, seqnum: int) -> Message | None:
        row = await self._pool.fetchrow(
            f"SELECT {_COLS} FROM messages WHERE channel = $1 AND seqnum = $2", channel, seqnum
        )
        return None if row is None else message_from_row(row)

    async def read_forward(self, channel: str, from_seqnum: int, limit: int) -> list[Message]:
        if limit <= 0:
            return []
        rows = await self._pool.fetch(
            f"SELECT {_COLS} FROM messages WHERE channel = $1 AND seqnum >= $2"
            " ORDER BY seqnum LIMIT $3",
            channel, from_seqnum, limit,
        )  # fmt: skip
        return [message_from_row(r) for r in rows]

    async def read_backward(self, channel: str, before_seqnum: int, limit: int) -> list[Message]:
        if limit <= 0:
            return []
        rows = await self._pool.fetch(
            f"SELECT {_COLS} FROM messages WHERE channel = $1 AND seqnum < $2"
            " ORDER BY seqnum DESC LIMIT $3",
            channel, before_seqnum, limit,
        )  # fmt: skip
        return [message_from_row(r) for r in rows]

    async def last_seqnum(self, channel: str) -> int:
        value = await self._pool.fetchval(
            "SELECT MAX(seqnum) FROM messages WHERE channel = $1", channel
        )
        return 0 if value is None else int(value)

    async def count_after(
        self, channel: str, after_seqnum: int, cap: int, *, types: Collection[int],
        not_from: int = 0,
    ) -> int:
        kinds = sorted(types)
        if cap <= 0 or not kinds:
            return 0
        # The LIMIT inside bounds the work by the cap, not by the backlog.
        value = await self._pool.fetchval(
            "SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE channel = $1 AND seqnum > $2"
            " AND type = ANY($3::int[]) AND sender <> $4 AND NOT withdrawn LIMIT $5) AS unread",
            channel, after_seqnum, kinds, not_from, cap,
        )
        return int(value)

    async def edit(
        self, channel: str, seqnum: int, payload: bytes, edited_at: int
    ) -> Message | None:
        row = await self._pool.fetchrow(
            "UPDATE messages SET payload = $1, edited_at = $2 WHERE channel = $3 AND seqnum = $4"
            f" AND NOT withdrawn RETURNING {_COLS}",
            payload, edited_at, channel, seqnum,
        )  # fmt: skip
        return None if row is None else message_from_row(row)

    async def withdraw(self, channel: str, seqnum: int) -> Message | None:
        # The payload goes too: a withdrawn message must not be readable any more.
        row = await self._pool.fetchrow(
            "UPDATE messages SET withdrawn = TRUE, payload = '', extension = ''"
            f" WHERE channel = $1 AND seqnum = $2 RETURNING {_COLS}",
            channel, seqnum,
        )  # fmt: skip
        return None if row is None else message_from_row(row)
