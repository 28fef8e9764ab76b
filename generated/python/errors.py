"""HTTP status, gRPC status and retryability of each error code. Generated from the
spec by `make gen` (codegen/emitters/errors_py.py): do not edit."""

from __future__ import annotations

from prim.generated.prim.v1 import ErrorCode

HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.UNSPECIFIED: 500,
    ErrorCode.INVALID_ARGUMENT: 400,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.ALREADY_EXISTS: 409,
    ErrorCode.FAILED_PRECONDITION: 409,
    ErrorCode.BLOCKED: 403,
    ErrorCode.EXPIRED: 410,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INTERNAL: 500,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.IDEMPOTENCY_CONFLICT: 409,
    ErrorCode.MALFORMED_FRAME: 400,
    ErrorCode.UNKNOWN_TYPE: 400,
    ErrorCode.AUTH_REQUIRED: 401,
    ErrorCode.SENDER_MISMATCH: 403,
    ErrorCode.FRAME_TOO_LARGE: 413,
    ErrorCode.IDLE_TIMEOUT: 408,
    ErrorCode.BE_OFFLINE: 409,
}

# The google.rpc.Code number of each (grpclib's Status numbers agree).
GRPC_STATUS: dict[ErrorCode, int] = {
    ErrorCode.UNSPECIFIED: 13,  # INTERNAL
    ErrorCode.INVALID_ARGUMENT: 3,  # INVALID_ARGUMENT
    ErrorCode.UNAUTHENTICATED: 16,  # UNAUTHENTICATED
    ErrorCode.INVALID_CREDENTIALS: 16,  # UNAUTHENTICATED
    ErrorCode.PERMISSION_DENIED: 7,  # PERMISSION_DENIED
    ErrorCode.NOT_FOUND: 5,  # NOT_FOUND
    ErrorCode.ALREADY_EXISTS: 6,  # ALREADY_EXISTS
    ErrorCode.FAILED_PRECONDITION: 9,  # FAILED_PRECONDITION
    ErrorCode.BLOCKED: 7,  # PERMISSION_DENIED
    ErrorCode.EXPIRED: 5,  # NOT_FOUND
    ErrorCode.PAYLOAD_TOO_LARGE: 11,  # OUT_OF_RANGE
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 3,  # INVALID_ARGUMENT
    ErrorCode.RATE_LIMITED: 8,  # RESOURCE_EXHAUSTED
    ErrorCode.INTERNAL: 13,  # INTERNAL
    ErrorCode.UNAVAILABLE: 14,  # UNAVAILABLE
    ErrorCode.METHOD_NOT_ALLOWED: 12,  # UNIMPLEMENTED
    ErrorCode.IDEMPOTENCY_CONFLICT: 9,  # FAILED_PRECONDITION
    ErrorCode.MALFORMED_FRAME: 3,  # INVALID_ARGUMENT
    ErrorCode.UNKNOWN_TYPE: 3,  # INVALID_ARGUMENT
    ErrorCode.AUTH_REQUIRED: 16,  # UNAUTHENTICATED
    ErrorCode.SENDER_MISMATCH: 7,  # PERMISSION_DENIED
    ErrorCode.FRAME_TOO_LARGE: 11,  # OUT_OF_RANGE
    ErrorCode.IDLE_TIMEOUT: 4,  # DEADLINE_EXCEEDED
    ErrorCode.BE_OFFLINE: 9,  # FAILED_PRECONDITION
}

RETRYABLE: frozenset[ErrorCode] = frozenset({
    ErrorCode.RATE_LIMITED,
    ErrorCode.INTERNAL,
    ErrorCode.UNAVAILABLE,
})
