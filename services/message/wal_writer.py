"""The cluster node's durable writer: a message is durable once the node's write-ahead log
holds it (fsyncs shared by concurrent senders); the shipper then carries it to Kafka, from
which the msgprocessor persists it to the database."""

from __future__ import annotations

import asyncio

from prim.runtime.storage.models import InsertResult, Message
from prim.services.msglogger.shipper import WalShipper
from prim.services.msglogger.wal import WriteAheadLog


class WalWriter:
    detects_duplicates = False  # an append-only log takes every record

    def __init__(self, wal: WriteAheadLog, shipper: WalShipper) -> None:
        self._wal = wal
        self._shipper = shipper
        self._pending: set[asyncio.Task[InsertResult]] = set()

    def enqueue(self, message: Message) -> asyncio.Task[InsertResult]:
        # Tasks start in creation order and the log takes its sequence number before its
        # first await, so the log's order is the callers' order.
        task = asyncio.ensure_future(self._append(message))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task

    async def _append(self, message: Message) -> InsertResult:
        lsn = await self._wal.append(message)
        self._shipper.notify(lsn, message)
        return InsertResult(seqnum=message.seqnum, inserted=True)

    async def drain(self) -> None:
        if self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
