"""The roles `prim serve --role` runs, each in a process of its own."""

from __future__ import annotations

from typing import Protocol

from prim.runtime.config import Config


class RoleProcess(Protocol):
    async def start(self) -> dict[str, object]:
        """Starts serving; returns the ready line's fields (the role's endpoints)."""
        ...

    async def stop(self) -> None: ...


def role_process(config: Config) -> RoleProcess:
    role = config.node.role
    # Imported per role: a process loads only the code of the role it runs.
    if role == "api":
        from prim.services.cluster.api_role import ApiRole
        return ApiRole(config)
    if role == "message":
        from prim.services.cluster.message_role import MessageRole
        return MessageRole(config)
    if role == "scheduler":
        from prim.services.cluster.scheduler_role import SchedulerRole
        return SchedulerRole(config)
    if role == "seqnum":
        from prim.services.cluster.seqnum_role import SeqnumRole
        return SeqnumRole(config)
    if role == "msgprocessor":
        from prim.services.cluster.msgprocessor_role import MsgprocessorRole
        return MsgprocessorRole(config)
    raise ValueError(f"unknown role {role!r}")
