"""ApiError: how a service says "this call fails with that ErrorCode". Every transport maps
it the same way: HTTP answers with the code's status and an `Error` body, the wire gateway
with an Error frame."""

from __future__ import annotations

from prim.generated.errors import HTTP_STATUS, RETRYABLE
from prim.generated.prim.v1 import Error, ErrorCode, FieldViolation


class ApiError(Exception):
    def __init__(self, code: ErrorCode, message: str = "", field: str = "", *,
                 retry_after_ms: int = 0) -> None:
        super().__init__(message or code.name)
        self.code = code
        self.message = message
        self.field = field  # the request field at fault, as its proto name ("" when none)
        # When a retry may succeed (rate limits); HTTP sends it as Retry-After (seconds).
        self.retry_after_ms = retry_after_ms

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 500)

    @property
    def retryable(self) -> bool:
        return self.code in RETRYABLE

    def to_message(self) -> Error:
        violations = ([FieldViolation(field=json_path(self.field), description=self.message)]
                      if self.field else [])
        return Error(code=self.code, message=self.message, field=self.field,
                     violations=violations, retry_after_ms=max(0, self.retry_after_ms))

    def __repr__(self) -> str:
        return f"ApiError({self.code!r}, {self.message!r}, {self.field!r})"


def json_path(proto_path: str) -> str:
    """A field path as proto3 JSON names it: each segment lowerCamelCase ("message.conversation_id"
    -> "message.conversationId"), the same rule protoc uses for json_name."""
    return ".".join(_camel(part) for part in proto_path.split("."))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)
