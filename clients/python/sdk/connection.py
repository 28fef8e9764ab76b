"""`Connection`: one logical wire connection that outlives its transports.

It owns the two protocol duties a client has beyond framing:

- **Idempotent resend** (spec/PROTOCOL.md 4.3). Every sequenced frame stays pending,
  keyed by its client timestamp, until its Ack arrives. It is sent again, byte for byte
  (same sender, receiver and timestamp), when no Ack came within `ack_timeout` and after
  every reconnect; the server answers a resend with the original seqnum and stores nothing
  twice, so resending is always safe.
- **Reconnect with backoff.** When the transport dies the supervisor dials again (the dial
  function asks the API for the node each time), waiting `Backoff` delays in between,
  then resends what is pending and puts a `Reconnected` marker in `incoming` so the
  reader can catch up on what arrived meanwhile. Authentication failures are final (the
  token expired or was revoked): pending sends fail with `ConnectionLost`.

Everything else the server sends (deliveries, unmatched Errors) goes to `incoming` in
arrival order, together with `ConnectionNotice`s; `None` there means closed for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

from prim.generated.prim.v1 import AckPayload, Error, MsgType
from prim.runtime.tls.errors import CertificateVerificationError
from prim.runtime.wire.asyncio.client import Client
from prim.runtime.wire.client_errors import AuthenticationFailed, ConnectionClosedError
from prim.runtime.wire.frame import Frame
from prim.runtime.wire.settings import wall_clock_ms

from .errors import ConnectionLost, NotConnected, SendRefused, SendTimeout
from .events import ConnectionNotice, payload_of

log = logging.getLogger("prim.sdk")

Dial = Callable[[], Awaitable[Client]]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delays between reconnect attempts: initial * factor**n, capped, with +-jitter."""

    initial: float = 0.2
    factor: float = 2.0
    maximum: float = 10.0
    jitter: float = 0.2

    def delays(self) -> Iterator[float]:
        delay = self.initial
        while True:
            yield delay * (1 + random.uniform(-self.jitter, self.jitter))
            delay = min(delay * self.factor, self.maximum)


@dataclass(frozen=True, slots=True)
class Acked:
    seqnum: int
    server_timestamp_ms: int
    duplicate: bool  # the server had it already: this was a resend


@dataclass(frozen=True, slots=True)
class Reconnected:
    """In `incoming`: the connection is back; `since` is the last server time (ms) seen
    before it dropped, from which to catch up."""

    since: int


@dataclass(slots=True)
class _Pending:
    frame: Frame
    acked: asyncio.Future[Acked]
    sends: int = field(default=0)


class Connection:
    def __init__(self, dial: Dial, *, ack_timeout: float = 5.0, send_timeout: float = 60.0,
                 backoff: Backoff | None = None,
                 on_ack: Callable[[Frame, Acked], None] | None = None) -> None:
        self._dial = dial
        self.ack_timeout = ack_timeout
        self.send_timeout = send_timeout
        self.backoff = backoff or Backoff()
        self._on_ack = on_ack
        self._client: Client | None = None
        self._pending: dict[int, _Pending] = {}
        self._supervisor: asyncio.Task[None] | None = None
        self._closing = False
        self._probing = False  # a Ping probe is in flight (one at a time)
        self._last_ts = 0
        self.incoming: asyncio.Queue[Frame | Reconnected | ConnectionNotice | None] = (
            asyncio.Queue())
        #: The newest server time (ms) seen on any connection: where catching up starts.
        self.server_time = 0
        #: Why the connection gave up for good, once it has.
        self.failure: BaseException | None = None

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.closed is None

    @property
    def transport(self) -> str | None:
        """"quic" or "tcp" while connected."""
        return self._client.transport if self._client is not None else None

    async def open(self, *, catch_up_since: int = 0) -> None:
        """The first dial; its errors (bad certificate, refused token, unreachable) are
        raised to the caller rather than retried. `catch_up_since` (server ms, from a
        previous run) puts a `Reconnected` marker first in `incoming`."""
        if self._supervisor is not None:
            return
        self._closing = False
        await self._attach(await self._dial())
        self.incoming.put_nowait(ConnectionNotice("connected", self.transport or ""))
        if catch_up_since:
            self.incoming.put_nowait(Reconnected(catch_up_since))
        self._supervisor = asyncio.create_task(self._supervise(), name="prim-sdk-connection")

    async def close(self) -> None:
        self._closing = True
        task, self._supervisor = self._supervisor, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.close()
            self._client = None
        for pending in self._pending.values():
            _fail(pending.acked, NotConnected("the client was closed before the Ack came"))
        self.incoming.put_nowait(None)

    async def drop(self) -> None:
        """Closes the current transport as a network failure would: the connection
        reconnects by itself and resends whatever was not Acked."""
        if self._client is not None:
            await self._client.close()

    async def ping(self) -> float:
        if self._client is None:
            raise NotConnected("not connected: call connect() first")
        return await self._client.ping()

    # -- sending -----------------------------------------------------------------------

    def next_timestamp(self) -> int:
        """A client timestamp (ms) no earlier frame of this connection used: the last part
        of the idempotency key, so it must never repeat."""
        self._last_ts = max(wall_clock_ms(), self._last_ts + 1)
        return self._last_ts

    def used_timestamp(self, timestamp: int) -> None:
        """`timestamp` was used by a frame of an earlier run (one in the outbox)."""
        self._last_ts = max(self._last_ts, timestamp)

    def pending_to(self, receiver: int) -> bool:
        return any(p.frame.receiver == receiver for p in self._pending.values())

    async def send(self, frame: Frame) -> Acked:
        """Sends a sequenced frame and waits for its Ack, resending it on timeouts and
        reconnects until `send_timeout`. Raises SendRefused, SendTimeout, ConnectionLost."""
        if self._supervisor is None:
            raise NotConnected("not connected: call connect() first")
        if self.failure is not None:
            raise ConnectionLost(str(self.failure))
        loop = asyncio.get_running_loop()
        pending = _Pending(frame, loop.create_future())
        self._pending[frame.timestamp] = pending
        deadline = loop.time() + self.send_timeout
        try:
            while True:
                await self._transmit(pending)
                wait = min(self.ack_timeout, deadline - loop.time())
                try:
                    return await asyncio.wait_for(asyncio.shield(pending.acked), max(wait, 0))
                except TimeoutError:
                    if loop.time() >= deadline:
                        raise SendTimeout(frame.receiver, frame.timestamp,
                                          self.send_timeout) from None
                    log.info("no Ack for %d after %.1fs: resending", frame.timestamp, wait)
                    await self._probe()
        finally:
            self._pending.pop(frame.timestamp, None)

    async def notify(self, frame: Frame) -> None:
        """Sends a frame that gets no Ack (Typing): once, and not at all while the
        transport is down."""
        client = self._client
        if client is not None:
            with contextlib.suppress(ConnectionClosedError):
                await client.send(frame)

    async def _probe(self) -> None:
        """After an Ack timeout: is the server still there? A node that died without
        closing (SIGKILL, a lost network) leaves a QUIC connection that looks open until
        its idle timeout; a Ping that gets no Pong within ack_timeout drops the transport,
        so the supervisor dials again (the API names a live node) and resends."""
        client = self._client
        if client is None or self._probing:
            return
        self._probing = True
        try:
            await asyncio.wait_for(client.ping(), self.ack_timeout)
        except (TimeoutError, ConnectionClosedError):
            if self._client is client:
                log.info("no Pong within %.1fs: the server is gone; reconnecting",
                         self.ack_timeout)
                await client.close()
        finally:
            self._probing = False

    async def _transmit(self, pending: _Pending) -> None:
        client = self._client
        if client is None or pending.acked.done():
            return  # the reconnect resends it
        try:
            await client.send(pending.frame)
            pending.sends += 1
        except ConnectionClosedError:
            pass  # the supervisor reconnects and resends

    # -- receiving ---------------------------------------------------------------------

    def _on_frame(self, frame: Frame) -> None:
        if frame.type == MsgType.ACK:
            self._ack(frame)
            return
        if frame.type == MsgType.ERROR and self._refuse(frame):
            return
        self.server_time = max(self.server_time, frame.timestamp)
        self.incoming.put_nowait(frame)

    def _ack(self, frame: Frame) -> None:
        pending = self._pending.get(frame.timestamp)
        payload = payload_of(frame.type, frame.payload, AckPayload) or AckPayload()
        self.server_time = max(self.server_time, payload.server_timestamp_ms)
        if pending is None or pending.acked.done():
            return  # the Ack of a resend we no longer wait for
        acked = Acked(frame.seqnum, payload.server_timestamp_ms, payload.duplicate)
        if self._on_ack is not None:
            self._on_ack(pending.frame, acked)
        pending.acked.set_result(acked)

    def _refuse(self, frame: Frame) -> bool:
        """Fails the pending send an Error answers (by `ref_timestamp_ms`); False if none."""
        error = payload_of(frame.type, frame.payload, Error)
        if error is None:
            return False
        pending = self._pending.get(error.ref_timestamp_ms) if error.ref_timestamp_ms else None
        if pending is None:
            return False
        _fail(pending.acked, SendRefused(error.code, error.message))
        return True

    # -- the supervisor ----------------------------------------------------------------

    async def _attach(self, client: Client) -> None:
        authenticated = await client.wait_authenticated()
        self.server_time = max(self.server_time, authenticated.server_timestamp_ms)
        self._client = client

    async def _supervise(self) -> None:
        while not self._closing:
            client = self._client
            assert client is not None
            try:
                while True:
                    frame = await client.receive()
                    # Looked up per frame (not before the await), so a test that wraps
                    # _on_frame sees the very next frame.
                    self._on_frame(frame)
            except ConnectionClosedError as exc:
                reason = str(exc)
            if self._closing:
                return
            self._client = None
            since = self.server_time
            self.incoming.put_nowait(ConnectionNotice("disconnected", reason))
            try:
                await self._reconnect()
            except _Fatal as fatal:
                self.failure = fatal.__cause__ or fatal
                self.incoming.put_nowait(ConnectionNotice("failed", str(self.failure)))
                lost = ConnectionLost(f"gave up reconnecting: {self.failure}")
                for pending in self._pending.values():
                    _fail(pending.acked, lost)
                self.incoming.put_nowait(None)
                return
            self.incoming.put_nowait(ConnectionNotice("reconnected", self.transport or ""))
            self.incoming.put_nowait(Reconnected(since))
            for pending in list(self._pending.values()):
                await self._transmit(pending)  # the idempotent resend

    async def _reconnect(self) -> None:
        for delay in self.backoff.delays():
            await asyncio.sleep(delay)
            try:
                client = await self._dial()
                await self._attach(client)
                return
            except (AuthenticationFailed, CertificateVerificationError, ConnectionLost) as exc:
                raise _Fatal() from exc
            except Exception as exc:  # unreachable for now: try again after the next delay
                log.info("reconnect failed (%s: %s); retrying", type(exc).__name__, exc)


class _Fatal(Exception):
    pass


def _fail(future: asyncio.Future[Acked], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
        future.add_done_callback(lambda f: f.exception())
