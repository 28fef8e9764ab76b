"""Where delivered frames go: the connections of each user's devices.

`LocalRouter` knows the connections of this process; on a cluster node, `ClusterRouter`
(cluster_router.py) wraps it and forwards to the nodes that hold the other connections.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from prim.runtime.wire.frame import Frame
from prim.runtime.wire.handler import Connection


class Router(Protocol):
    def deliver(self, user_ids: Iterable[int], frame: Frame, *, skip_connection: int = 0) -> int:
        """Queue `frame` to every device of `user_ids` (but the connection `skip_connection`);
        returns how many connections took it. Never waits: slow readers are dropped by their
        bounded send queues, so one of them cannot stall a fan-out."""
        ...

    def is_online(self, user_id: int) -> bool: ...


class ConnectionRouter(Router, Protocol):
    """A router the gateway registers its connections with."""

    def add(self, user_id: int, conn: Connection) -> None: ...

    def remove(self, user_id: int, conn: Connection) -> bool: ...

    def connections(self, user_id: int) -> list[Connection]: ...

    @property
    def connection_count(self) -> int: ...


class LocalRouter:
    def __init__(self) -> None:
        self._by_user: dict[int, dict[int, Connection]] = {}

    def add(self, user_id: int, conn: Connection) -> None:
        self._by_user.setdefault(user_id, {})[conn.id] = conn

    def remove(self, user_id: int, conn: Connection) -> bool:
        """True when `conn` was the user's last connection here."""
        conns = self._by_user.get(user_id)
        if conns is None:
            return True
        conns.pop(conn.id, None)
        if not conns:
            del self._by_user[user_id]
            return True
        return False

    def connections(self, user_id: int) -> list[Connection]:
        return list(self._by_user.get(user_id, {}).values())

    def is_online(self, user_id: int) -> bool:
        return user_id in self._by_user

    @property
    def connection_count(self) -> int:
        return sum(len(c) for c in self._by_user.values())

    def deliver(self, user_ids: Iterable[int], frame: Frame, *, skip_connection: int = 0) -> int:
        delivered = 0
        for user_id in user_ids:
            for conn in list(self._by_user.get(user_id, {}).values()):
                if conn.id != skip_connection and conn.send(frame):
                    delivered += 1
        return delivered
