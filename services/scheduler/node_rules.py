"""Rules about nodes that both schedulers apply: which node takes new work, and the answers
when a node is unknown or no node of a role runs (callers act on their codes: a node that
hears NOT_FOUND on a heartbeat registers again; UNAVAILABLE is worth a retry)."""

from __future__ import annotations

from collections.abc import Iterable

from prim.generated.prim.v1 import ErrorCode, NodeInfo, NodeRole
from prim.runtime.errors import ApiError

#: Seconds a node stays live without a heartbeat, unless configured otherwise.
DEFAULT_LEASE_SECONDS = 30


def least_loaded(nodes: Iterable[NodeInfo]) -> NodeInfo:
    """Fewest connections, then the lowest node id; ``nodes`` must not be empty."""
    return min(nodes, key=lambda n: (n.connections, n.node_id))


def not_registered(node_id: int) -> ApiError:
    return ApiError(ErrorCode.NOT_FOUND, f"node {node_id} is not registered; register it again",
                    "node_id")


def none_running(role: NodeRole) -> ApiError:
    return ApiError(ErrorCode.UNAVAILABLE,
                    f"no {NodeRole(role).name.lower()} node is running; try again")
