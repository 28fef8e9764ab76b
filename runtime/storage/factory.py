"""Builds every storage adapter from URLs (configuration) and wires them into a Storage.

URL forms:
  database  sqlite:///relative.db, sqlite:////absolute.db, sqlite:///:memory:,
            postgresql://user:pass@host:port/db (or postgres://)
  online    memory://, redis://host:port/db[?prefix=prim:&max_connections=256] (or rediss://)
  log       memory://, kafka://host:port[,host:port][?topic=prim.messages&partitions=8
            &session_timeout_ms=10000&heartbeat_interval_ms=3000]
  seqnum    file:///abs/seqnum.json, file:relative/seqnum.json (or a folder),
            postgresql://... (a database URL)
  blobs     file:///abs/folder, file:relative/folder
Redis also fronts the message store as a hot window when ``hot_window`` > 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from redis.asyncio import BlockingConnectionPool, Redis

from .account_ids import AccountIdReservations
from .clock import wall_clock_ms
from .files.blobs import FileBlobStore
from .files.seqnum import FileSeqnumStore
from .kafka.log import DEFAULT_TOPIC, KafkaMessageLog
from .memory.attempts import MemoryAttemptCounters
from .memory.inbox import MemoryInboxStore
from .memory.log import MemoryMessageLog
from .memory.online import MemoryOnlineState
from .models import Clock
from .ports import (
    AccountStore,
    AttemptCounters,
    BlobStore,
    InboxStore,
    MessageLog,
    MessageStore,
    OnlineState,
    SeqnumStore,
    SocialStore,
)
from .postgres.account_ids import PostgresAccountIdReservations
from .postgres.accounts import PostgresAccountStore
from .postgres.db import PostgresDatabase
from .postgres.messages import PostgresMessageStore
from .postgres.seqnum import PostgresSeqnumStore
from .postgres.social import PostgresSocialStore
from .postgres.uploads import PostgresUploadStore
from .redis.attempts import RedisAttemptCounters
from .redis.hot_window import RedisHotWindowMessageStore
from .redis.inbox import RedisInboxStore
from .redis.online import RedisOnlineState
from .social_changes import (
    CachedSocialReads,
    RedisSocialChanges,
    SocialChanges,
    SocialReads,
    reporting,
)
from .sqlite.account_ids import SqliteAccountIdReservations
from .sqlite.accounts import SqliteAccountStore
from .sqlite.db import SqliteDatabase
from .sqlite.inbox import SqliteInboxStore
from .sqlite.messages import SqliteMessageStore
from .sqlite.social import SqliteSocialStore
from .sqlite.uploads import SqliteUploadStore
from .uploads import UploadStore

Database = SqliteDatabase | PostgresDatabase


class UnsupportedUrl(ValueError):
    """The URL's scheme is not one this port supports."""


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower()


def sqlite_path(url: str) -> str:
    """SQLAlchemy's convention: three slashes then a relative path, four for absolute."""
    if not url.startswith("sqlite://"):
        raise UnsupportedUrl(url)
    rest = url[len("sqlite://") :]
    if rest in ("", "/", "/:memory:", ":memory:"):
        return ":memory:"
    if not rest.startswith("/"):
        raise UnsupportedUrl(f"expected sqlite:///path, got {url}")
    return rest[1:]


def file_path(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "file" or not parts.path:
        raise UnsupportedUrl(f"expected file:///path, got {url}")
    return parts.path


def _pop_query(url: str, *names: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    picked = {n: query.pop(n) for n in names if n in query}
    return urlunsplit(parts._replace(query=urlencode(query))), picked


async def open_database(url: str, *, migrate: bool = True) -> Database:
    scheme = _scheme(url)
    if scheme == "sqlite":
        return await SqliteDatabase.open(sqlite_path(url), migrate=migrate)
    if scheme in ("postgresql", "postgres"):
        return await PostgresDatabase.open(url, migrate=migrate)
    raise UnsupportedUrl(f"database URL must be sqlite:// or postgresql://, got {url}")


def account_store(db: Database, *, clock: Clock = wall_clock_ms) -> AccountStore:
    if isinstance(db, SqliteDatabase):
        return SqliteAccountStore(db, clock=clock)
    return PostgresAccountStore(db, clock=clock)


def social_store(db: Database, *, clock: Clock = wall_clock_ms) -> SocialStore:
    if isinstance(db, SqliteDatabase):
        return SqliteSocialStore(db, clock=clock)
    return PostgresSocialStore(db, clock=clock)


def account_id_reservations(db: Database, *, clock: Clock = wall_clock_ms
                            ) -> AccountIdReservations:
    if isinstance(db, SqliteDatabase):
        return SqliteAccountIdReservations(db, clock=clock)
    return PostgresAccountIdReservations(db, clock=clock)


def upload_store(db: Database) -> UploadStore:
    if isinstance(db, SqliteDatabase):
        return SqliteUploadStore(db)
    return PostgresUploadStore(db)


def message_store(db: Database) -> SqliteMessageStore | PostgresMessageStore:
    if isinstance(db, SqliteDatabase):
        return SqliteMessageStore(db)
    return PostgresMessageStore(db)


def redis_client(url: str) -> tuple[Redis, str]:
    """A client for a redis:// URL and the key prefix given by its ?prefix= (or prim:)."""
    clean, picked = _pop_query(url, "prefix", "max_connections")
    # A blocking pool: past its size, callers wait for a connection instead of failing
    # (redis-py's default pool raises once it has handed out max_connections).
    pool = BlockingConnectionPool.from_url(
        clean, max_connections=int(picked.get("max_connections", "256")), timeout=10)
    return Redis.from_pool(pool), picked.get("prefix", "prim:")


def open_attempts(url: str, clock: Clock) -> AttemptCounters:
    """Abuse-limit counters live with the online state: in memory for one node, in its
    Redis where api processes are several (the limits then hold across all of them)."""
    if _scheme(url) == "memory":
        return MemoryAttemptCounters(clock)
    client, prefix = redis_client(url)
    return RedisAttemptCounters(client, prefix=prefix, owns_client=True)


def open_online(url: str) -> OnlineState:
    scheme = _scheme(url)
    if scheme == "memory":
        return MemoryOnlineState()
    if scheme in ("redis", "rediss", "unix"):
        client, prefix = redis_client(url)
        return RedisOnlineState(client, prefix=prefix, owns_client=True)
    raise UnsupportedUrl(f"online-state URL must be memory:// or redis://, got {url}")


def open_inbox(online_url: str, db: Database) -> InboxStore:
    """Redis when the online state is there (a cluster shares it), else the embedded
    database, so the inbox survives a restart; memory only for PostgreSQL without Redis."""
    if _scheme(online_url) in ("redis", "rediss", "unix"):
        client, prefix = redis_client(online_url)
        return RedisInboxStore(client, prefix=prefix, owns_client=True)
    if isinstance(db, SqliteDatabase):
        return SqliteInboxStore(db)
    return MemoryInboxStore()


_KAFKA_CONSUMER_INTS = ("session_timeout_ms", "heartbeat_interval_ms", "max_poll_interval_ms")


async def open_log(url: str) -> MessageLog:
    scheme = _scheme(url)
    if scheme == "memory":
        return MemoryMessageLog()
    if scheme == "kafka":
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        options = {k: int(query[k]) for k in _KAFKA_CONSUMER_INTS if k in query}
        return await KafkaMessageLog.open(
            parts.netloc,
            topic=query.get("topic", DEFAULT_TOPIC),
            partitions=int(query.get("partitions", "8")),
            consumer_options=options,
        )
    raise UnsupportedUrl(f"log URL must be memory:// or kafka://, got {url}")


async def open_seqnum(url: str, *, database: Database | None = None) -> SeqnumStore:
    """A PostgreSQL ``database`` given here is reused instead of opening a second pool."""
    scheme = _scheme(url)
    if scheme == "file":
        return await FileSeqnumStore.open(file_path(url))
    if scheme in ("postgresql", "postgres"):
        if isinstance(database, PostgresDatabase):
            return PostgresSeqnumStore(database)
        return PostgresSeqnumStore(await PostgresDatabase.open(url), owns_db=True)
    raise UnsupportedUrl(f"seqnum URL must be file:// or postgresql://, got {url}")


def open_blobs(url: str, *, max_bytes: int | None = None) -> BlobStore:
    if _scheme(url) == "file":
        return FileBlobStore(file_path(url), max_bytes=max_bytes)
    raise UnsupportedUrl(f"blob URL must be file://, got {url}")


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """Defaults are the embedded deployment, relative to the working directory."""

    database: str = "sqlite:///prim-data/prim.db"
    online: str = "memory://"
    log: str = "memory://"
    seqnum: str = "file:prim-data/seqnum.json"
    blobs: str = "file:prim-data/blobs"
    #: Messages per channel kept in a Redis hot window (needs a redis:// online URL).
    hot_window: int = 0


@dataclass(slots=True)
class Storage:
    """Every port a service may need, built from one StorageConfig."""

    database: Database
    accounts: AccountStore
    social: SocialStore
    messages: MessageStore
    online: OnlineState
    inbox: InboxStore
    log: MessageLog
    seqnum: SeqnumStore
    blobs: BlobStore
    account_ids: AccountIdReservations
    uploads: UploadStore
    attempts: AttemptCounters
    #: Every social change, this process's and (with a Redis online URL) the others'.
    social_changes: SocialChanges = field(default_factory=SocialChanges)
    #: The social reads of the message write path, cached until a change touches them.
    social_reads: SocialReads | None = None
    _closers: list[Any] = field(default_factory=list)

    async def close(self) -> None:
        for closer in reversed(self._closers):
            await closer()


async def open_social_changes(online_url: str) -> SocialChanges:
    """The social change feed: across processes through Redis when the online state is
    there (a cluster), else within this process."""
    if _scheme(online_url) not in ("redis", "rediss", "unix"):
        return SocialChanges()
    client, prefix = redis_client(online_url)
    changes = RedisSocialChanges(client, prefix)
    await changes.start()
    return changes


async def open_storage(config: StorageConfig, *, clock: Clock = wall_clock_ms) -> Storage:
    """Opens every adapter (embedded mode also applies migrations here)."""
    db = await open_database(config.database)
    closers: list[Any] = [db.close]
    try:
        messages: MessageStore = message_store(db)
        online = open_online(config.online)
        closers.append(online.close)
        inbox = open_inbox(config.online, db)
        closers.append(inbox.close)
        if config.hot_window > 0:
            if _scheme(config.online) not in ("redis", "rediss", "unix"):
                raise UnsupportedUrl("hot_window needs a redis:// online URL")
            client, prefix = redis_client(config.online)
            hot = RedisHotWindowMessageStore(
                messages, client, capacity=config.hot_window, prefix=prefix, owns_client=True
            )
            closers.append(hot.close)
            messages = hot
        log = await open_log(config.log)
        closers.append(log.close)
        shared = db if config.seqnum == config.database else None
        seqnum = await open_seqnum(config.seqnum, database=shared)
        closers.append(seqnum.close)
        blobs = open_blobs(config.blobs)
        attempts = open_attempts(config.online, clock)
        closers.append(attempts.close)
        changes = await open_social_changes(config.online)
        closers.append(changes.close)
    except BaseException:
        for closer in reversed(closers):
            await closer()
        raise
    social = social_store(db, clock=clock)
    return Storage(
        database=db,
        accounts=account_store(db, clock=clock),
        social=reporting(social, changes),
        social_changes=changes,
        social_reads=CachedSocialReads(social, changes),
        messages=messages,
        online=online,
        inbox=inbox,
        log=log,
        seqnum=seqnum,
        blobs=blobs,
        account_ids=account_id_reservations(db, clock=clock),
        uploads=upload_store(db),
        attempts=attempts,
        _closers=closers,
    )
