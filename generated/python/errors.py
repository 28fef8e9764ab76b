"""HTTP status and retryability of each error code. Generated from the spec by
`make gen` (codegen/emitters/errors_py.py): do not edit."""

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

RETRYABLE: frozenset[ErrorCode] = frozenset({
    ErrorCode.RATE_LIMITED,
    ErrorCode.INTERNAL,
    ErrorCode.UNAVAILABLE,
})
