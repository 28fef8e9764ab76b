"""What the generated adapters call: `serve_call` on the serving side, an `RpcTarget` on
the calling side.

A target owns the choice of address and the fail-over: `AddressTarget` talks to one
address, `FailoverTarget` to the first of several that answers (the scheduler: any
instance serves any call, since its state lives in Redis). A call is retried on another
address only when the first could not be reached or dropped the connection; an answer,
even an error, is final.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError, StreamTerminatedError

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.context import CallContext
from prim.runtime.errors import ApiError
from prim.runtime.rpc.channels import ChannelPool
from prim.runtime.rpc.errors import from_grpc, to_grpc

log = logging.getLogger("prim.rpc")

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_TIMEOUT = 10.0
# Failures that mean "not reached" (or lost mid-call): worth another address.
UNREACHABLE = (OSError, StreamTerminatedError, asyncio.TimeoutError, ConnectionError)


async def serve_call(method: Callable[[R, CallContext], Awaitable[T]], request: R) -> T:
    """Runs one interface method for a gRPC request; an ApiError leaves as a GRPCError
    carrying its code. Anything else is logged here and answered INTERNAL."""
    try:
        return await method(request, CallContext())
    except ApiError as exc:
        raise to_grpc(exc) from None
    except (GRPCError, asyncio.CancelledError):
        raise
    except Exception:
        log.exception("internal RPC failed")
        raise GRPCError(Status.INTERNAL, "internal error; see the server log") from None


class RpcTarget(Protocol):
    async def call(self, name: str, fn: Callable[[Channel, float], Awaitable[T]]) -> T:
        """Runs `fn(channel, timeout)` (a stub call named `name`) against the target."""
        ...


def _unreachable(exc: BaseException) -> bool:
    if isinstance(exc, GRPCError):
        return exc.status in (Status.UNAVAILABLE, Status.CANCELLED) and not exc.details
    return isinstance(exc, UNREACHABLE)


class AddressTarget:
    """One address (a message node, a seqnum instance)."""

    def __init__(self, pool: ChannelPool, address: str, *,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self._pool = pool
        self.address = address
        self._timeout = timeout

    async def call(self, name: str, fn: Callable[[Channel, float], Awaitable[T]]) -> T:
        try:
            return await fn(self._pool.channel(self.address), self._timeout)
        except GRPCError as exc:
            if _unreachable(exc):
                self._pool.discard(self.address)
                raise ApiError(ErrorCode.UNAVAILABLE,
                               f"{name}: {self.address} is unreachable") from exc
            raise from_grpc(exc, f"{name} at {self.address}") from None
        except UNREACHABLE as exc:
            # A time-out says nothing about the connection (other calls on it may be
            # fine): only a failed connection is dropped and dialled afresh.
            if not isinstance(exc, TimeoutError):
                self._pool.discard(self.address)
            raise ApiError(ErrorCode.UNAVAILABLE,
                           f"{name}: {self.address} is unreachable ({exc!r})") from exc


class FailoverTarget:
    """Several equivalent addresses: calls stick to the one that last answered and move to
    the next when it cannot be reached."""

    def __init__(self, pool: ChannelPool, addresses: Sequence[str], *,
                 timeout: float = DEFAULT_TIMEOUT, rounds: int = 2) -> None:
        if not addresses:
            raise ValueError("FailoverTarget needs at least one address")
        self._targets = [AddressTarget(pool, a, timeout=timeout) for a in addresses]
        self._current = 0
        self._rounds = rounds

    @property
    def addresses(self) -> list[str]:
        return [t.address for t in self._targets]

    async def call(self, name: str, fn: Callable[[Channel, float], Awaitable[T]]) -> T:
        last: ApiError | None = None
        for attempt in range(len(self._targets) * self._rounds):
            index = (self._current + attempt) % len(self._targets)
            target = self._targets[index]
            try:
                result = await target.call(name, fn)
            except ApiError as exc:
                if exc.code != ErrorCode.UNAVAILABLE or exc.__cause__ is None:
                    raise
                last = exc
                log.warning("%s: %s unreachable, trying the next address", name,
                            target.address)
                if attempt + 1 >= len(self._targets):
                    await asyncio.sleep(0.2)
                continue
            self._current = index
            return result
        assert last is not None
        raise last
