"""OnlineState in process memory, for embedded mode (one process holds every connection)."""

from __future__ import annotations

from collections.abc import Sequence


class MemoryOnlineState:
    def __init__(self) -> None:
        self._connections: dict[int, dict[str, int]] = {}
        self._user_node: dict[int, int] = {}
        self._last_online: dict[int, int] = {}

    # No awaits inside these methods, so each runs atomically on the event loop.
    async def add_connection(self, user_id: int, device_id: str, node_id: int) -> None:
        self._connections.setdefault(user_id, {})[device_id] = node_id

    async def remove_connection(
        self, user_id: int, device_id: str, node_id: int | None = None
    ) -> bool:
        devices = self._connections.get(user_id)
        if devices is None or device_id not in devices:
            return False
        if node_id is not None and devices[device_id] != node_id:
            return False
        del devices[device_id]
        if not devices:
            del self._connections[user_id]
        return True

    async def get_connections(self, user_id: int) -> dict[str, int]:
        return dict(self._connections.get(user_id, {}))

    async def get_connections_many(self, user_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        return {u: dict(self._connections[u]) for u in user_ids if self._connections.get(u)}

    async def set_user_node(self, user_id: int, node_id: int) -> None:
        self._user_node[user_id] = node_id

    async def get_user_node(self, user_id: int) -> int | None:
        return self._user_node.get(user_id)

    async def clear_user_node(self, user_id: int, node_id: int | None = None) -> bool:
        current = self._user_node.get(user_id)
        if current is None or (node_id is not None and current != node_id):
            return False
        del self._user_node[user_id]
        return True

    async def set_last_online(self, user_id: int, ts: int) -> None:
        self._last_online[user_id] = max(ts, self._last_online.get(user_id, ts))

    async def get_last_online(self, user_id: int) -> int | None:
        return self._last_online.get(user_id)

    async def forget_user(self, user_id: int) -> None:
        self._connections.pop(user_id, None)
        self._user_node.pop(user_id, None)
        self._last_online.pop(user_id, None)

    async def close(self) -> None:
        return None
