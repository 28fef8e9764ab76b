"""What every driver does with a request, whatever its event loop: parse it, hand it to
the driver's method for its kind, and turn the outcome (or a driver bug) into the
`DriverResult` the runner waits for."""

from __future__ import annotations

import logging
from typing import Protocol

import betterproto2

from prim.generated.prim.v1 import (
    DriverConnect,
    DriverDisconnect,
    DriverMessage,
    DriverRequest,
    DriverResult,
    DriverSend,
    DriverStatus,
    DriverStopReading,
    Error,
    ErrorCode,
    MsgType,
    ObservedFrame,
)

log = logging.getLogger("prim.conformance.driver")


class ClientDriver(Protocol):
    async def connect(self, request: DriverConnect) -> DriverResult: ...

    async def send(self, request: DriverSend) -> DriverResult: ...

    async def disconnect(self, connection: str) -> None: ...

    async def close(self) -> None:
        """Closes every connection (end of a case, end of the run)."""


def ok() -> DriverResult:
    return DriverResult(status=DriverStatus.OK)


def failed(detail: str) -> DriverResult:
    return DriverResult(status=DriverStatus.FAILED, detail=detail)


def error_frame(code: ErrorCode, message: str, receiver: int,
                ref_timestamp: int = 0) -> ObservedFrame:
    """The Error frame a library's error stands for (e.g. a refused Auth: the driver
    protocol reports it as an observation, and the connect is still OK)."""
    return ObservedFrame(type=MsgType.ERROR, receiver=receiver, payload=bytes(Error(
        code=code, message=message, ref_timestamp_ms=ref_timestamp)))


async def _dispatch(driver: ClientDriver, request: DriverRequest) -> DriverResult:
    kind, action = betterproto2.which_one_of(request, "action")
    if isinstance(action, DriverConnect):
        return await driver.connect(action)
    if isinstance(action, DriverSend):
        return await driver.send(action)
    if isinstance(action, DriverDisconnect):
        await driver.disconnect(action.connection)
        return ok()
    if kind == "reset":
        await driver.close()
        return ok()
    if isinstance(action, DriverStopReading):
        # Optional: a driver without it answers unsupported (and declares "stop_reading").
        stop_reading = getattr(driver, "stop_reading", None)
        if stop_reading is not None:
            result: DriverResult = await stop_reading(action)
            return result
    return DriverResult(status=DriverStatus.UNSUPPORTED, detail=f"no {kind!r} request here")


async def answer(driver: ClientDriver, raw: bytes) -> DriverMessage:
    """The reply to one request's bytes."""
    request = DriverRequest.parse(raw)
    try:
        result = await _dispatch(driver, request)
    except Exception as exc:  # a driver bug is reported to the runner, not a hang
        log.exception("request %d failed", request.id)
        result = failed(f"{type(exc).__name__}: {exc}")
    result.id = request.id
    return DriverMessage(result=result)
