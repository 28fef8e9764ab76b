"""MessageLog on Kafka via aiokafka, keyed (so partitioned) by channel.

Keying by channel keeps each conversation in one partition, in seqnum order, so one
consumer sees a channel's messages in order. The log is at-least-once (no idempotent
producer on Tansu): the consumer side deduplicates (see consumer.py).

append() returns the record's (partition, offset) and committed() reads a group's committed
offsets through the admin API, so a node's WAL shipper can tell which of its records the
msgprocessor has persisted. Tansu answers OffsetFetch only for explicitly named partitions
(asking for "all of the group's partitions" breaks the connection), so committed() names
every partition of the topic.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from ..codec import decode_message, encode_message
from ..models import LogRecord, Message
from ..ports import LogPosition

DEFAULT_TOPIC = "prim.messages"


class KafkaMessageLog:
    def __init__(
        self,
        bootstrap: str,
        *,
        topic: str = DEFAULT_TOPIC,
        partitions: int = 8,
        replication_factor: int = 1,
        consumer_options: Mapping[str, Any] | None = None,
    ) -> None:
        """``consumer_options`` go to AIOKafkaConsumer (e.g. session_timeout_ms: a group
        member that died without leaving holds its partitions that long)."""
        self.bootstrap = bootstrap
        self.topic = topic
        self._partitions = partitions
        self._replication = replication_factor
        self._consumer_options = dict(consumer_options or {})
        self._producer: Any = None
        self._admin: Any = None  # opened by the first committed() call

    @classmethod
    async def open(cls, bootstrap: str, **kwargs: Any) -> KafkaMessageLog:
        log = cls(bootstrap, **kwargs)
        await log.start()
        return log

    async def start(self) -> None:
        await self._ensure_topic()
        # acks="all": append() returns only once the replicas hold the record.
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=False
        )
        await producer.start()
        self._producer = producer

    async def _ensure_topic(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            existing = await admin.list_topics()
            if self.topic not in existing:
                # Another process may create it first.
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(
                        [NewTopic(self.topic, self._partitions, self._replication)]
                    )
        finally:
            await admin.close()

    def _started_producer(self) -> Any:
        if self._producer is None:
            raise RuntimeError("KafkaMessageLog not started")
        return self._producer

    async def append(self, message: Message) -> LogPosition:
        metadata = await self._started_producer().send_and_wait(
            self.topic, value=encode_message(message), key=message.channel.encode("utf-8")
        )
        return LogPosition(metadata.partition, metadata.offset)

    async def append_many(self, messages: Sequence[Message]) -> list[LogPosition]:
        producer = self._started_producer()
        # send() queues the record (waiting only when the producer's buffer is full) and
        # returns a future; the producer batches whatever is queued into few requests.
        pending: list[asyncio.Future[Any]] = []
        failure: BaseException | None = None
        try:
            for m in messages:
                pending.append(
                    await producer.send(
                        self.topic, value=encode_message(m), key=m.channel.encode("utf-8")
                    )
                )
        except Exception as exc:
            failure = exc
        # Wait for every queued send, even after a failure, so none is left unobserved.
        results = await asyncio.gather(*pending, return_exceptions=True)
        if failure is not None:
            raise failure
        positions: list[LogPosition] = []
        for result in results:
            if isinstance(result, BaseException):
                raise result
            positions.append(LogPosition(result.partition, result.offset))
        return positions

    async def committed(self, group: str) -> dict[int, int]:
        partitions = sorted(await self._started_producer().partitions_for(self.topic))
        if self._admin is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
            await admin.start()
            self._admin = admin
        offsets = await self._admin.list_consumer_group_offsets(
            group, partitions=[TopicPartition(self.topic, p) for p in partitions]
        )
        found = {tp.partition: meta.offset for tp, meta in offsets.items()}
        # -1: the group has committed nothing for that partition yet.
        return {p: max(found.get(p, 0), 0) for p in partitions}

    async def consumer(self, group: str) -> KafkaLogConsumer:
        consumer = AIOKafkaConsumer(
            self.topic,
            bootstrap_servers=self.bootstrap,
            group_id=group,
            enable_auto_commit=False,
            # A new group starts from the beginning: nothing logged may be skipped.
            auto_offset_reset="earliest",
            **self._consumer_options,
        )
        await consumer.start()
        return KafkaLogConsumer(consumer)

    async def close(self) -> None:
        if self._admin is not None:
            await self._admin.close()
            self._admin = None
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None


class KafkaLogConsumer:
    def __init__(self, consumer: Any) -> None:
        self._consumer = consumer

    async def fetch(self, max_records: int = 500, timeout_ms: int = 1000) -> list[LogRecord]:
        batches = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=max_records)
        records: list[LogRecord] = []
        for tp, items in batches.items():
            for item in items:
                records.append(LogRecord(decode_message(item.value), tp.partition, item.offset))
        return records

    async def commit(self) -> None:
        # Commits the position after every record returned by fetch() so far.
        await self._consumer.commit()

    async def rewind(self) -> None:
        # Back to each partition's committed offset; a partition the group never committed
        # goes back to its beginning (the consumer's auto_offset_reset is "earliest").
        for tp in self._consumer.assignment():
            committed = await self._consumer.committed(tp)
            if committed is None:
                await self._consumer.seek_to_beginning(tp)
            else:
                self._consumer.seek(tp, committed)

    async def close(self) -> None:
        await self._consumer.stop()
