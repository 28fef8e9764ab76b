"""NodeService: which message node the caller should connect to, as the scheduler places
them (the node they are already on, else the least loaded live one)."""

from __future__ import annotations

from prim.generated.interfaces import NodeServiceInterface
from prim.generated.prim.v1 import (
    ErrorCode,
    GetMyNodeRequest,
    NodeAssignment,
    PlaceUserRequest,
)
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.services.api.server import ApiServer


class NodeServiceImpl(NodeServiceInterface):
    def __init__(self, api: ApiServer) -> None:
        self._api = api

    async def get_my_node(self, request: GetMyNodeRequest, ctx: CallContext) -> NodeAssignment:
        placed = await self._api.scheduler.place_user(PlaceUserRequest(user_id=ctx.user_id),
                                                      CallContext())
        node = placed.node
        if node is None:
            raise ApiError(ErrorCode.UNAVAILABLE, "no message node is available; try again")
        # QUIC and TLS-over-TCP share one port number, so a node without a separate TCP
        # address is reached over TCP at its QUIC address.
        return NodeAssignment(node_id=node.node_id, quic_address=node.address,
                              tcp_address=node.tcp_address or node.address,
                              webtransport_url=node.webtransport_url,
                              websocket_url=node.websocket_url,
                              webtransport_certificate_hashes=list(
                                  node.webtransport_certificate_hashes))
