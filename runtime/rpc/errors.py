"""ApiError across gRPC: the code travels as a google.rpc.ErrorInfo detail (reason = the
ErrorCode name, metadata["field"] = the field at fault), with the gRPC status the spec gives
the code ((prim.v1.error).grpc_status), so a remote caller raises the very ApiError the
service raised."""

from __future__ import annotations

from google.rpc.error_details_pb2 import ErrorInfo
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from prim.generated.errors import GRPC_STATUS
from prim.generated.prim.v1 import ErrorCode
from prim.runtime.errors import ApiError

DOMAIN = "prim.v1"

# A gRPC failure that carries no PRIM code (transport trouble, a crash on the far side).
_BY_STATUS = {
    Status.UNAVAILABLE: ErrorCode.UNAVAILABLE, Status.DEADLINE_EXCEEDED: ErrorCode.UNAVAILABLE,
    Status.CANCELLED: ErrorCode.UNAVAILABLE, Status.UNIMPLEMENTED: ErrorCode.INTERNAL,
}


def to_grpc(error: ApiError) -> GRPCError:
    info = ErrorInfo(reason=error.code.name, domain=DOMAIN,
                     metadata={"field": error.field} if error.field else {})
    return GRPCError(Status(GRPC_STATUS[error.code]), error.message or error.code.name, [info])


def from_grpc(error: GRPCError, where: str) -> ApiError:
    for detail in error.details or ():
        if isinstance(detail, ErrorInfo) and detail.domain == DOMAIN:
            try:
                code = ErrorCode[detail.reason]
            except KeyError:
                break
            return ApiError(code, error.message or "", detail.metadata.get("field", ""))
    code = _BY_STATUS.get(error.status, ErrorCode.INTERNAL)
    return ApiError(code, f"{where} failed: {error.status.name} {error.message or ''}".strip())
