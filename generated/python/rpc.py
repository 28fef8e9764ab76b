"""gRPC adapters of the internal services: `<Service>Grpc` serves an implementation,
`<Service>Remote` calls one across the network. Generated from the spec by `make gen`
(codegen/emitters/rpc_py.py): do not edit."""

from __future__ import annotations

from prim.generated.interfaces import (
    MessageNodeServiceInterface,
    SchedulerServiceInterface,
    SeqnumServiceInterface,
)
from prim.generated.prim.v1 import (
    AllocateManyRequest,
    AllocateManyResponse,
    AllocateRequest,
    AllocateResponse,
    DeliverRequest,
    DeliverResponse,
    DisconnectUserRequest,
    DisconnectUserResponse,
    GetGroupNodesRequest,
    GetGroupNodesResponse,
    HeartbeatRequest,
    HeartbeatResponse,
    ListNodesRequest,
    ListNodesResponse,
    MessageNodeServiceBase,
    MessageNodeServiceStub,
    NewestRequest,
    NewestResponse,
    NotifyRequest,
    NotifyResponse,
    PlaceUserRequest,
    PlaceUserResponse,
    RegisterNodeRequest,
    RegisterNodeResponse,
    RelayRequest,
    RelayResponse,
    SchedulerServiceBase,
    SchedulerServiceStub,
    SelectSeqnumNodeRequest,
    SelectSeqnumNodeResponse,
    SeqnumServiceBase,
    SeqnumServiceStub,
    SubmitRequest,
    SubmitResponse,
    UnregisterNodeRequest,
    UnregisterNodeResponse,
)
from prim.runtime.context import CallContext
from prim.runtime.rpc.call import RpcTarget, serve_call


class SchedulerServiceGrpc(SchedulerServiceBase):
    """Serves an implementation of SchedulerServiceInterface over gRPC."""

    def __init__(self, impl: SchedulerServiceInterface) -> None:
        self._impl = impl

    async def register_node(self, message: RegisterNodeRequest) -> RegisterNodeResponse:
        return await serve_call(self._impl.register_node, message)

    async def unregister_node(self, message: UnregisterNodeRequest) -> UnregisterNodeResponse:
        return await serve_call(self._impl.unregister_node, message)

    async def heartbeat(self, message: HeartbeatRequest) -> HeartbeatResponse:
        return await serve_call(self._impl.heartbeat, message)

    async def list_nodes(self, message: ListNodesRequest) -> ListNodesResponse:
        return await serve_call(self._impl.list_nodes, message)

    async def place_user(self, message: PlaceUserRequest) -> PlaceUserResponse:
        return await serve_call(self._impl.place_user, message)

    async def get_group_nodes(self, message: GetGroupNodesRequest) -> GetGroupNodesResponse:
        return await serve_call(self._impl.get_group_nodes, message)

    async def relay(self, message: RelayRequest) -> RelayResponse:
        return await serve_call(self._impl.relay, message)

    async def select_seqnum_node(
        self, message: SelectSeqnumNodeRequest
    ) -> SelectSeqnumNodeResponse:
        return await serve_call(self._impl.select_seqnum_node, message)

    async def disconnect_user(self, message: DisconnectUserRequest) -> DisconnectUserResponse:
        return await serve_call(self._impl.disconnect_user, message)

    async def notify(self, message: NotifyRequest) -> NotifyResponse:
        return await serve_call(self._impl.notify, message)


class SchedulerServiceRemote(SchedulerServiceInterface):
    """
    SchedulerServiceInterface over gRPC: each call goes through SchedulerServiceStub to `target`.
    """

    def __init__(self, target: RpcTarget) -> None:
        self._target = target

    async def register_node(
        self, request: RegisterNodeRequest, ctx: CallContext
    ) -> RegisterNodeResponse:
        return await self._target.call("SchedulerService.RegisterNode", lambda channel, timeout:
            SchedulerServiceStub(channel).register_node(request, timeout=timeout))

    async def unregister_node(
        self, request: UnregisterNodeRequest, ctx: CallContext
    ) -> UnregisterNodeResponse:
        return await self._target.call("SchedulerService.UnregisterNode", lambda channel, timeout:
            SchedulerServiceStub(channel).unregister_node(request, timeout=timeout))

    async def heartbeat(self, request: HeartbeatRequest, ctx: CallContext) -> HeartbeatResponse:
        return await self._target.call("SchedulerService.Heartbeat", lambda channel, timeout:
            SchedulerServiceStub(channel).heartbeat(request, timeout=timeout))

    async def list_nodes(self, request: ListNodesRequest, ctx: CallContext) -> ListNodesResponse:
        return await self._target.call("SchedulerService.ListNodes", lambda channel, timeout:
            SchedulerServiceStub(channel).list_nodes(request, timeout=timeout))

    async def place_user(self, request: PlaceUserRequest, ctx: CallContext) -> PlaceUserResponse:
        return await self._target.call("SchedulerService.PlaceUser", lambda channel, timeout:
            SchedulerServiceStub(channel).place_user(request, timeout=timeout))

    async def get_group_nodes(
        self, request: GetGroupNodesRequest, ctx: CallContext
    ) -> GetGroupNodesResponse:
        return await self._target.call("SchedulerService.GetGroupNodes", lambda channel, timeout:
            SchedulerServiceStub(channel).get_group_nodes(request, timeout=timeout))

    async def relay(self, request: RelayRequest, ctx: CallContext) -> RelayResponse:
        return await self._target.call("SchedulerService.Relay", lambda channel, timeout:
            SchedulerServiceStub(channel).relay(request, timeout=timeout))

    async def select_seqnum_node(
        self, request: SelectSeqnumNodeRequest, ctx: CallContext
    ) -> SelectSeqnumNodeResponse:
        return await self._target.call("SchedulerService.SelectSeqnumNode", lambda channel, timeout:
            SchedulerServiceStub(channel).select_seqnum_node(request, timeout=timeout))

    async def disconnect_user(
        self, request: DisconnectUserRequest, ctx: CallContext
    ) -> DisconnectUserResponse:
        return await self._target.call("SchedulerService.DisconnectUser", lambda channel, timeout:
            SchedulerServiceStub(channel).disconnect_user(request, timeout=timeout))

    async def notify(self, request: NotifyRequest, ctx: CallContext) -> NotifyResponse:
        return await self._target.call("SchedulerService.Notify", lambda channel, timeout:
            SchedulerServiceStub(channel).notify(request, timeout=timeout))


class MessageNodeServiceGrpc(MessageNodeServiceBase):
    """Serves an implementation of MessageNodeServiceInterface over gRPC."""

    def __init__(self, impl: MessageNodeServiceInterface) -> None:
        self._impl = impl

    async def submit(self, message: SubmitRequest) -> SubmitResponse:
        return await serve_call(self._impl.submit, message)

    async def deliver(self, message: DeliverRequest) -> DeliverResponse:
        return await serve_call(self._impl.deliver, message)

    async def disconnect(self, message: DisconnectUserRequest) -> DisconnectUserResponse:
        return await serve_call(self._impl.disconnect, message)


class MessageNodeServiceRemote(MessageNodeServiceInterface):
    """
    MessageNodeServiceInterface over gRPC: each call goes through MessageNodeServiceStub to `target`.
    """

    def __init__(self, target: RpcTarget) -> None:
        self._target = target

    async def submit(self, request: SubmitRequest, ctx: CallContext) -> SubmitResponse:
        return await self._target.call("MessageNodeService.Submit", lambda channel, timeout:
            MessageNodeServiceStub(channel).submit(request, timeout=timeout))

    async def deliver(self, request: DeliverRequest, ctx: CallContext) -> DeliverResponse:
        return await self._target.call("MessageNodeService.Deliver", lambda channel, timeout:
            MessageNodeServiceStub(channel).deliver(request, timeout=timeout))

    async def disconnect(
        self, request: DisconnectUserRequest, ctx: CallContext
    ) -> DisconnectUserResponse:
        return await self._target.call("MessageNodeService.Disconnect", lambda channel, timeout:
            MessageNodeServiceStub(channel).disconnect(request, timeout=timeout))


class SeqnumServiceGrpc(SeqnumServiceBase):
    """Serves an implementation of SeqnumServiceInterface over gRPC."""

    def __init__(self, impl: SeqnumServiceInterface) -> None:
        self._impl = impl

    async def allocate(self, message: AllocateRequest) -> AllocateResponse:
        return await serve_call(self._impl.allocate, message)

    async def allocate_many(self, message: AllocateManyRequest) -> AllocateManyResponse:
        return await serve_call(self._impl.allocate_many, message)

    async def newest(self, message: NewestRequest) -> NewestResponse:
        return await serve_call(self._impl.newest, message)


class SeqnumServiceRemote(SeqnumServiceInterface):
    """SeqnumServiceInterface over gRPC: each call goes through SeqnumServiceStub to `target`."""

    def __init__(self, target: RpcTarget) -> None:
        self._target = target

    async def allocate(self, request: AllocateRequest, ctx: CallContext) -> AllocateResponse:
        return await self._target.call("SeqnumService.Allocate", lambda channel, timeout:
            SeqnumServiceStub(channel).allocate(request, timeout=timeout))

    async def allocate_many(
        self, request: AllocateManyRequest, ctx: CallContext
    ) -> AllocateManyResponse:
        return await self._target.call("SeqnumService.AllocateMany", lambda channel, timeout:
            SeqnumServiceStub(channel).allocate_many(request, timeout=timeout))

    async def newest(self, request: NewestRequest, ctx: CallContext) -> NewestResponse:
        return await self._target.call("SeqnumService.Newest", lambda channel, timeout:
            SeqnumServiceStub(channel).newest(request, timeout=timeout))


__all__ = [
    "SchedulerServiceGrpc",
    "SchedulerServiceRemote",
    "MessageNodeServiceGrpc",
    "MessageNodeServiceRemote",
    "SeqnumServiceGrpc",
    "SeqnumServiceRemote",
]
