"""NodeService over real HTTP on both backends: the assignment points at a gateway that
accepts the caller's token."""

from __future__ import annotations

import pytest
from websockets.asyncio.client import connect as websocket_connect

from prim.generated.prim.v1 import MsgType, UnregisterNodeRequest
from prim.generated.wire import decode_header
from prim.runtime.context import CallContext
from prim.runtime.wire.frame import Frame, encode_frame
from tests.api.accounts_helpers import assert_error, dial, new_account
from tests.api.conftest import RunningNode

pytestmark = pytest.mark.anyio


# Names the one node's gateway; on a cluster placement picks among the live nodes
# (covered by tests/cluster and the SDK tests).
@pytest.mark.single_node
async def test_get_my_node_points_at_this_nodes_gateway(running_node: RunningNode) -> None:
    account = await new_account(running_node.http)
    response = await running_node.http.get("/v1/node", headers=account.auth)
    assert response.status_code == 200, response.text
    assignment = response.json()
    assert assignment["nodeId"] == running_node.node.config.node.id
    assert assignment["quicAddress"] == running_node.endpoints.quic
    assert assignment["tcpAddress"] == running_node.endpoints.tcp
    # Asking again gives the same node, and the addresses take the caller's token.
    again = await running_node.http.get("/v1/node", headers=account.auth)
    assert again.json() == assignment
    for transport in ("quic", "tcp"):
        client = await dial(running_node.endpoints, account, transport)
        await client.close()
    # The browsers' endpoints are the ready line's; the development certificate is pinned
    # by its hash.
    browsers = running_node.endpoints.browsers
    assert assignment["webtransportUrl"] == browsers["webtransport"]
    assert assignment["webtransportCertificateHashes"] == [
        running_node.endpoints.fingerprint] == browsers["webtransport_certificate_hashes"]
    # The WebSocket URL takes the token too.
    assert assignment["websocketUrl"] == running_node.endpoints.browsers["websocket"]
    async with websocket_connect(assignment["websocketUrl"]) as ws:
        await ws.send(encode_frame(Frame(type=MsgType.AUTH, sender=account.user_id,
                                         payload=account.token.encode())))
        answer = await ws.recv()
        assert isinstance(answer, bytes)
        assert decode_header(answer).type == MsgType.AUTH


async def test_get_my_node_names_the_browser_endpoints(running_node: RunningNode) -> None:
    """On every wiring: a cluster's message node registers them with the schedulers (the
    Redis registry keeps them) and the api process reads them back."""
    account = await new_account(running_node.http)
    assignment = (await running_node.http.get("/v1/node", headers=account.auth)).json()
    assert assignment["webtransportUrl"].startswith("https://")
    assert assignment["webtransportUrl"].endswith("/wire")
    assert len(assignment["webtransportCertificateHashes"]) == 1
    async with websocket_connect(assignment["websocketUrl"]) as ws:
        await ws.send(encode_frame(Frame(type=MsgType.AUTH, sender=account.user_id,
                                         payload=account.token.encode())))
        answer = await ws.recv()
        assert isinstance(answer, bytes) and decode_header(answer).type == MsgType.AUTH


# Unregisters the only node; the shared cluster's nodes must stay up.
@pytest.mark.single_node
async def test_get_my_node_without_a_live_node_is_unavailable(running_node: RunningNode
                                                              ) -> None:
    account = await new_account(running_node.http)
    await running_node.node.scheduler.unregister_node(
        UnregisterNodeRequest(node_id=running_node.node.config.node.id), CallContext())
    response = await running_node.http.get("/v1/node", headers=account.auth)
    assert_error(response, 503, "UNAVAILABLE")


async def test_get_my_node_needs_a_token(running_node: RunningNode) -> None:
    assert_error(await running_node.http.get("/v1/node"), 401, "UNAUTHENTICATED")
