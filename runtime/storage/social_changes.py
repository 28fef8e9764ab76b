"""Who may write to whom, without a store round trip per message: a cached read view of the
social store, invalidated by every change to it, in this process and in the others.

- `SocialChanges`: the feed of changes. Each change names the users and groups it touched;
  subscribers run at once, in the process that made it. `RedisSocialChanges` also
  publishes it (Redis pub/sub, under the storage's key prefix) and hands the changes other
  processes publish to its subscribers, so an api process's block reaches every message
  node's cache.
- `ReportingSocialStore`: the social store every service is given; each mutation, once
  the store has it, is reported to the feed (with every user and group id among its
  arguments) before the caller hears back. So in one process (embedded), a block is in
  force for the very next message; across processes, as soon as the other process has read
  the Redis message, which it does before the client's next message normally arrives
  (both travel over loopback or the same LAN; the feed is not acknowledged).
- `CachedSocialReads`: the four reads the write path makes (is_blocked, get_friend,
  get_member, list_member_ids), remembered until a change names one of their ids. A read
  that was in flight when a change came is not remembered (a generation count).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol, cast

from prim.runtime.storage.models import Friend, Member, is_group_id
from prim.runtime.storage.ports import SocialStore

log = logging.getLogger("prim.storage.social_changes")

#: A change: the user ids and the group ids it touched.
Listener = Callable[[frozenset[int], frozenset[int]], None]

CACHE_LIMIT = 200_000  # entries; past this the cache starts over (it only saves reads)
_READS = ("get_", "list_", "is_")


class SocialChanges:
    """In-process feed (embedded: the api and the message service share the process)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def publish(self, users: frozenset[int], groups: frozenset[int]) -> None:
        self.deliver(users, groups)

    def deliver(self, users: frozenset[int], groups: frozenset[int]) -> None:
        for listener in self._listeners:
            listener(users, groups)

    async def close(self) -> None:
        pass


class _PubSub(Protocol):
    async def subscribe(self, *channels: str) -> Any: ...
    async def get_message(self, ignore_subscribe_messages: bool = ...,
                          timeout: float | None = ...) -> Any: ...
    async def aclose(self) -> None: ...


class RedisSocialChanges(SocialChanges):
    """The feed across processes: published to, and read from, one Redis channel."""

    def __init__(self, client: Any, prefix: str = "") -> None:
        super().__init__()
        self._client = client
        self._channel = f"{prefix}social-changes"
        self._pubsub: _PubSub | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        pubsub = cast(_PubSub, self._client.pubsub())
        await pubsub.subscribe(self._channel)
        self._pubsub = pubsub
        self._reader = asyncio.create_task(self._read(pubsub), name="prim-social-changes")

    async def publish(self, users: frozenset[int], groups: frozenset[int]) -> None:
        self.deliver(users, groups)
        await self._client.publish(self._channel, json.dumps([sorted(users), sorted(groups)]))

    async def _read(self, pubsub: _PubSub) -> None:
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                   timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The connection dropped: what changed meanwhile is unknown, forget it all.
                log.warning("social change feed interrupted; dropping cached reads",
                            exc_info=True)
                self.deliver(frozenset(), frozenset())
                await asyncio.sleep(1.0)
                continue
            if message is None or message.get("type") != "message":
                continue
            users, groups = json.loads(message["data"])
            self.deliver(frozenset(users), frozenset(groups))

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        with contextlib.suppress(Exception):
            await self._client.aclose()


class ReportingSocialStore:
    """`inner` with every mutation reported to `changes` (reads pass straight through)."""

    def __init__(self, inner: SocialStore, changes: SocialChanges) -> None:
        self._inner = inner
        self._changes = changes

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name.startswith(_READS) or not callable(attr):
            return attr

        async def mutation(*args: Any, **kwargs: Any) -> Any:
            result = await attr(*args, **kwargs)
            ids = [v for v in (*args, *kwargs.values()) if isinstance(v, int)
                   and not isinstance(v, bool)]
            ids += _ids_of(result)
            await self._changes.publish(frozenset(i for i in ids if not is_group_id(i)),
                                        frozenset(i for i in ids if is_group_id(i)))
            return result

        return mutation


def _ids_of(result: Any) -> list[int]:
    """A created group's id (create_group returns it: its owner is now a member)."""
    group_id = getattr(result, "group_id", None)
    return [group_id] if isinstance(group_id, int) else []


def reporting(inner: SocialStore, changes: SocialChanges) -> SocialStore:
    return cast(SocialStore, ReportingSocialStore(inner, changes))


class SocialReads(Protocol):
    """What the message write path reads of the social store."""

    async def is_blocked(self, user_id: int, peer_id: int) -> bool: ...
    async def get_friend(self, user_id: int, peer_id: int) -> Friend | None: ...
    async def get_member(self, group_id: int, user_id: int) -> Member | None: ...
    async def list_member_ids(self, group_id: int) -> list[int]: ...


class CachedSocialReads:
    def __init__(self, inner: SocialStore, changes: SocialChanges,
                 limit: int = CACHE_LIMIT) -> None:
        self._inner = inner
        self._limit = limit
        self._generation = 0
        # key -> value; keys are (kind, id, id) and every id of a key indexes it.
        self._values: dict[tuple[str, int, int], Any] = {}
        self._by_id: dict[int, set[tuple[str, int, int]]] = {}
        changes.subscribe(self.forget)

    async def is_blocked(self, user_id: int, peer_id: int) -> bool:
        return bool(await self._read(("blocked", user_id, peer_id),
                                     lambda: self._inner.is_blocked(user_id, peer_id)))

    async def get_friend(self, user_id: int, peer_id: int) -> Friend | None:
        return cast(Friend | None, await self._read(
            ("friend", user_id, peer_id), lambda: self._inner.get_friend(user_id, peer_id)))

    async def get_member(self, group_id: int, user_id: int) -> Member | None:
        return cast(Member | None, await self._read(
            ("member", group_id, user_id), lambda: self._inner.get_member(group_id, user_id)))

    async def list_member_ids(self, group_id: int) -> list[int]:
        return list(await self._read(("members", group_id, group_id),
                                     lambda: self._inner.list_member_ids(group_id)))

    async def _read(self, key: tuple[str, int, int], load: Callable[[], Any]) -> Any:
        if key in self._values:
            return self._values[key]
        generation = self._generation
        value = await load()
        if generation == self._generation:  # no change came while the store answered
            if len(self._values) >= self._limit or len(self._by_id) >= 2 * self._limit:
                self._values.clear()
                self._by_id.clear()
            self._values[key] = value
            for i in (key[1], key[2]):
                self._by_id.setdefault(i, set()).add(key)
        return value

    def forget(self, users: frozenset[int], groups: frozenset[int]) -> None:
        """A change touched `users` and `groups` (neither: anything may have changed)."""
        self._generation += 1
        if not users and not groups:
            self._values.clear()
            self._by_id.clear()
            return
        for i in _chain(users, groups):
            for key in self._by_id.pop(i, ()):
                self._values.pop(key, None)


def _chain(*sets: Iterable[int]) -> Iterable[int]:
    for s in sets:
        yield from s
