"""ApiError across gRPC: the code travels as a google.rpc.ErrorInfo detail (reason = the
ErrorCode name, metadata["field"] = the field at fault), with the gRPC status that matches
the code's HTTP status, so a remote caller raises the very ApiError the service raised."""

from __future__ import annotations

from google.rpc.error_details_pb2 import ErrorInfo
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.errors import ApiError

DOMAIN = "prim.v1"

# HTTP status -> gRPC status (the usual correspondence, as in google.rpc.Code's comments).
_BY_HTTP = {
    400: Status.INVALID_ARGUMENT, 401: Status.UNAUTHENTICATED, 403: Status.PERMISSION_DENIED,
    404: Status.NOT_FOUND, 405: Status.UNIMPLEMENTED, 408: Status.DEADLINE_EXCEEDED,
    409: Status.FAILED_PRECONDITION, 410: Status.NOT_FOUND, 413: Status.OUT_OF_RANGE,
    415: Status.INVALID_ARGUMENT, 429: Status.RESOURCE_EXHAUSTED, 503: Status.UNAVAILABLE,
}
# A gRPC failure that carries no PRIM code (transport trouble, a crash on the far side).
_BY_STATUS = {
    Status.UNAVAILABLE: ErrorCode.UNAVAILABLE, Status.DEADLINE_EXCEEDED: ErrorCode.UNAVAILABLE,
    Status.CANCELLED: ErrorCode.UNAVAILABLE, Status.UNIMPLEMENTED: ErrorCode.INTERNAL,
}


def to_grpc(error: ApiError) -> GRPCError:
    info = ErrorInfo(reason=error.code.name, domain=DOMAIN,
                     metadata={"field": error.field} if error.field else {})
    return GRPCError(_BY_HTTP.get(error.http_status, Status.INTERNAL), error.message or
                     error.code.name, [info])


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
