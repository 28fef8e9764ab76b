"""Runs one case with one client (a driver process) against one server, step by step,
and gives its verdict: passed, failed (which step, which expectation, what arrived) or
unsupported."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import betterproto2
import httpx

from prim.generated.prim.v1 import (
    CaseTransport,
    ConformanceCase,
    ConnectionEnded,
    ConnectStep,
    DisconnectStep,
    DriverConnect,
    DriverDisconnect,
    DriverRequest,
    DriverReset,
    DriverResult,
    DriverSend,
    DriverStatus,
    DriverStopReading,
    ErrorCode,
    ExpectStep,
    HttpStep,
    MsgType,
    ObservedFrame,
    SendStep,
    SleepStep,
    Step,
    StopReadingStep,
)
from prim.generated.wire import PROTOCOL_VERSION

from . import http_calls
from .driver_process import DriverFailed, DriverProcess
from .matching import describe, describe_matcher, mismatch, payload_class, subset_mismatch
from .quic_block import QuicBlocker
from .refs import Scope, UnknownReference
from .servers import ServerEndpoints

PASSWORD = "conformance password"
DEFAULT_WITHIN_MS = 3000
DEFAULT_QUIET_MS = 300


@dataclass
class Verdict:
    case: str
    client: str
    server: str
    outcome: str  # "passed", "failed", "unsupported"
    step: int | None = None  # 1-based index of the failing step
    detail: str = ""
    seconds: float = 0.0
    rules: list[str] = field(default_factory=list)
    started: float = 0.0  # time.monotonic() when the case began (not in the JSON)

    def to_json(self) -> dict[str, Any]:
        return {"case": self.case, "client": self.client, "server": self.server,
                "outcome": self.outcome, "step": self.step, "detail": self.detail,
                "seconds": round(self.seconds, 3), "rules": self.rules}


class StepFailed(Exception):
    pass


class StepUnsupported(Exception):
    pass


@dataclass
class _Conn:
    user: str  # actor name
    device: str  # "alice.d"
    labels: dict[int, str] = field(default_factory=dict)  # client timestamp -> label
    backlog: list[ObservedFrame] = field(default_factory=list)  # arrived, not yet matched
    closed: str | None = None  # why the connection ended, once it has


class CaseRun:
    def __init__(self, case: ConformanceCase, driver: DriverProcess, server_name: str,
                 endpoints: ServerEndpoints,
                 restart: Callable[[], Awaitable[ServerEndpoints]],
                 history_lag: float = 0.0) -> None:
        self.case = case
        self.driver = driver
        self.server_name = server_name
        self.endpoints = endpoints
        self._restart = restart
        self._history_lag = history_lag
        self._connects = 0
        self.scope = Scope()
        self._conns: dict[str, _Conn] = {}
        self._first_device: dict[str, str] = {}
        self._blockers: list[QuicBlocker] = []
        self._last_timestamp = 0
        self._http: httpx.AsyncClient | None = None

    async def run(self) -> Verdict:
        started = time.monotonic()
        verdict = Verdict(self.case.name, self.driver.name, self.server_name, "passed",
                          rules=list(self.case.rules), started=started)
        index = 0
        try:
            self._http = httpx.AsyncClient(base_url=self.endpoints.http, timeout=15)
            await self._sign_up()
            for number, step in enumerate(self.case.steps, 1):
                index = number  # the failing step, for the verdict
                await self._step(step)
        except StepUnsupported as exc:
            verdict.outcome, verdict.step, verdict.detail = "unsupported", index, str(exc)
        except (StepFailed, UnknownReference, DriverFailed, http_calls.UnknownOperation,
                ValueError, httpx.HTTPError) as exc:
            verdict.outcome, verdict.step = "failed", index or None
            where = f"step {index} ({_step_title(self.case.steps[index - 1])})" if index \
                else "setting up the actors"
            verdict.detail = f"{where}: {exc}"
        finally:
            await self._finish()
            verdict.seconds = time.monotonic() - started
        return verdict

    async def _finish(self) -> None:
        with contextlib.suppress(DriverFailed):
            await self.driver.request(DriverRequest(reset=DriverReset()), timeout=15)
        self.driver.forget()
        for blocker in self._blockers:
            await blocker.close()
        if self._http is not None:
            await self._http.aclose()

    # -- actors ------------------------------------------------------------------------

    async def _sign_up(self) -> None:
        async def one(name: str, devices: list[str]) -> None:
            answer = await self._call("AccountService_Signup",
                                      {"nickname": name, "password": PASSWORD}, None)
            user_id = int(answer["userId"])
            self.scope.set(name, user_id)
            self._first_device[name] = f"{name}.{devices[0]}"
            for device in devices:
                login = await self._call("AccountService_Login",
                                         {"userId": str(user_id), "password": PASSWORD,
                                          "deviceName": f"conformance {device}"}, None)
                self.scope.set(f"{name}.{device}.token", login["accessToken"])
                self.scope.set(f"{name}.{device}.device_id", login.get("deviceId", ""))

        await asyncio.gather(*(one(a.name, list(a.devices) or ["d"]) for a in self.case.actors))

    async def _call(self, operation: str, body: dict[str, Any], token: str | None
                    ) -> dict[str, Any]:
        assert self._http is not None
        answer = await http_calls.call(self._http, operation, body, token)
        if not 200 <= answer.status < 300 or not isinstance(answer.body, dict):
            raise StepFailed(f"{operation} answered {answer.status}: {answer.text}")
        return answer.body

    def _device(self, ref: str) -> tuple[str, str]:
        """("alice", "alice.d") for "alice" or "alice.d"."""
        user = ref.split(".")[0]
        if user not in self._first_device:
            raise StepFailed(f"no actor {user!r}")
        return user, (ref if "." in ref else self._first_device[user])

    # -- steps -------------------------------------------------------------------------

    async def _step(self, step: Step) -> None:
        kind, action = betterproto2.which_one_of(step, "action")
        if kind == "http":
            assert isinstance(action, HttpStep)
            await self._http_step(action)
        elif kind == "connect":
            assert isinstance(action, ConnectStep)
            await self._connect(action)
        elif kind == "send":
            assert isinstance(action, SendStep)
            await self._send(action)
        elif kind == "expect":
            assert isinstance(action, ExpectStep)
            await self._expect(action)
        elif kind == "disconnect":
            assert isinstance(action, DisconnectStep)
            await self._driver(DriverRequest(disconnect=DriverDisconnect(
                connection=action.connection)))
        elif kind == "restart":
            self.endpoints = await self._restart()
            if self._http is not None:
                await self._http.aclose()
            self._http = httpx.AsyncClient(base_url=self.endpoints.http, timeout=15)
        elif kind == "sleep":
            assert isinstance(action, SleepStep)
            await asyncio.sleep(action.ms / 1000)
        elif kind == "stop_reading":
            assert isinstance(action, StopReadingStep)
            self._conn(action.connection)
            await self._driver(DriverRequest(stop_reading=DriverStopReading(
                connection=action.connection, ms=action.ms)))
        else:
            raise StepFailed(f"an empty step ({kind})")

    async def _driver(self, request: DriverRequest, timeout: float = 30.0) -> DriverResult:
        result = await self.driver.request(request, timeout)
        if result.status == DriverStatus.UNSUPPORTED:
            raise StepUnsupported(f"{self.driver.name}: {result.detail or 'unsupported'}")
        if result.status != DriverStatus.OK:
            raise StepFailed(f"the client failed: {result.detail or 'no detail'}")
        return result

    async def _http_step(self, step: HttpStep) -> None:
        assert self._http is not None
        token = None
        if step.actor:
            _, device = self._device(step.actor)
            token = self.scope.lookup(f"{device}.token")
        body = self.scope.data(step.body.to_dict()) if step.body is not None else {}
        loop = asyncio.get_running_loop()
        lag_until = loop.time() + self._history_lag
        while True:
            answer = await http_calls.call(self._http, step.operation, body, token)
            try:
                self._check_answer(step, answer)
                saved = {name: http_calls.dig(answer.body, path)
                         for name, path in step.save.items()}
                for name, value in saved.items():
                    if value is None:
                        raise StepFailed(f"the answer has no {step.save[name]} to save as "
                                         f"{name}: {answer.text}")
                break
            except StepFailed:
                # A server whose history follows its Acks (a cluster) may take a moment,
                # both to match the response and to have what the step saves (a next page).
                # Only a step that checks a response is asked again (a read, not a create).
                if step.response is None or loop.time() >= lag_until:
                    raise
                await asyncio.sleep(0.2)
        for name, value in saved.items():
            self.scope.set(name, value)

    def _check_answer(self, step: HttpStep, answer: http_calls.HttpAnswer) -> None:
        ok = answer.status == step.status if step.status else 200 <= answer.status < 300
        if not ok:
            want = step.status or "2xx"
            raise StepFailed(f"HTTP {answer.status} (expected {want}): {answer.text}")
        if step.code:
            got = answer.body.get("code") if isinstance(answer.body, dict) else None
            want = ErrorCode(step.code).name
            if got not in (want, f"ERROR_CODE_{want}"):
                raise StepFailed(f"error code {got!r}, expected {want}: {answer.text}")
        if step.response is not None:
            reason = subset_mismatch(self.scope.data(step.response.to_dict()), answer.body,
                                     "answer")
            if reason:
                raise StepFailed(f"{reason}; the answer was {answer.text}")

    async def _connect(self, step: ConnectStep) -> None:
        user, device = self._device(step.device)
        name = step.connection or device
        gateways = self.endpoints.gateways or (self.endpoints.quic,)
        host, port = _split(gateways[self._connects % len(gateways)])
        self._connects += 1
        if step.block_quic:
            tcp_host, tcp_port = _split(self.endpoints.tcp)
            blocker = QuicBlocker(tcp_host, tcp_port)
            await blocker.start()
            self._blockers.append(blocker)
            port = blocker.port
        self._conns[name] = _Conn(user, device)
        log = self.driver.connection(name)
        while not log.queue.empty():  # what the previous connection of this name left
            log.queue.get_nowait()
        await self._driver(DriverRequest(connect=DriverConnect(
            connection=name, host=host, port=port, transport=step.transport,
            ca_file=self.endpoints.ca_cert, http_base_url=self.endpoints.http,
            user_id=self.scope.number(user), access_token=self.scope.lookup(f"{device}.token"),
            device_id=self.scope.lookup(f"{device}.device_id"), auth=step.auth,
            quic_timeout_ms=500 if step.block_quic else 0)))

    def _timestamp(self) -> int:
        self._last_timestamp = max(int(time.time() * 1000), self._last_timestamp + 1)
        return self._last_timestamp

    async def _send(self, step: SendStep) -> None:
        conn = self._conn(step.connection)
        if step.raw_hex:
            raw = self.scope.hex_bytes(step.raw_hex or "")
            await self._driver(DriverRequest(send=DriverSend(connection=step.connection,
                                                             raw=raw)))
            return
        frame = ObservedFrame(
            version=self.scope.number(step.version, PROTOCOL_VERSION),
            sender=self.scope.number(step.sender, self.scope.number(conn.user)),
            node_id=self.scope.number(step.node_id),
            receiver=self.scope.number(step.receiver),
            type=step.type,
            timestamp=self.scope.number(step.timestamp, 0) if step.timestamp
            else self._timestamp(),
            seqnum=self.scope.number(step.seqnum),
            payload=self._payload(step),
            extension=self.scope.hex_bytes(step.extension_hex or ""),
        )
        if step.label:
            self.scope.set(f"{step.label}.timestamp", frame.timestamp)
            conn.labels[frame.timestamp] = step.label
        await self._driver(DriverRequest(send=DriverSend(connection=step.connection,
                                                         frame=frame)))

    def _payload(self, step: SendStep) -> bytes:
        kind, _ = betterproto2.which_one_of(step, "payload")
        if kind == "text":
            return self.scope.resolve(step.text or "").encode("utf-8")
        if kind == "payload_hex":
            return self.scope.hex_bytes(step.payload_hex or "")
        if kind == "fields":
            assert step.fields is not None
            cls = payload_class(step.type)
            if cls is None:
                raise StepFailed(f"{MsgType(step.type).name} has no payload message")
            data = self.scope.data(step.fields.to_dict())
            for key in ("new_text", "newText"):  # EditPayload.new_payload, written as text
                if key in data:
                    data["newPayload"] = base64.b64encode(
                        str(data.pop(key)).encode("utf-8")).decode()
            return bytes(cls.from_dict(data))
        return b""

    def _conn(self, name: str) -> _Conn:
        try:
            return self._conns[name]
        except KeyError:
            raise StepFailed(f"no connection {name!r} (connect it first)") from None

    def _note(self, name: str, frame: ObservedFrame) -> None:
        """An Ack gives its label a seqnum: `${m1.seqnum}`."""
        conn = self._conns.get(name)
        if conn is not None and frame.type == MsgType.ACK and frame.timestamp in conn.labels:
            self.scope.set(f"{conn.labels[frame.timestamp]}.seqnum", frame.seqnum)

    async def _arrivals(self, name: str, until: float) -> AsyncIterator[ObservedFrame | str]:
        """The connection's frames not yet matched (passed over by earlier expectations
        first), then new ones until `until`; a str is the close (its reason)."""
        conn = self._conns[name]
        for frame in list(conn.backlog):
            yield frame
        if conn.closed is not None:
            yield conn.closed
            return
        log = self.driver.connection(name)
        loop = asyncio.get_running_loop()
        while (observation := await _next(log.queue, until - loop.time())) is not None:
            _, value = betterproto2.which_one_of(observation, "event")
            if isinstance(value, ConnectionEnded):
                conn.closed = value.reason or "no reason given"
                yield conn.closed
                return
            assert isinstance(value, ObservedFrame)
            self._note(name, value)
            conn.backlog.append(value)
            yield value

    async def _expect(self, step: ExpectStep) -> None:
        conn = self._conn(step.connection)
        loop = asyncio.get_running_loop()
        within = step.within_ms or DEFAULT_WITHIN_MS
        deadline = loop.time() + within / 1000
        pending = list(step.frames)
        looked: list[str] = []
        passed: list[ObservedFrame] = []  # frames this step passed over

        def seen() -> str:
            return ("arrived: " + "; ".join(looked[-8:])) if looked else "nothing arrived"

        if pending:
            async for item in self._arrivals(step.connection, deadline):
                if isinstance(item, str):
                    raise StepFailed(f"the connection closed ({item}) before a frame matching "
                                     f"[{describe_matcher(pending[0], self.scope)}]; {seen()}")
                looked.append(describe(item))
                reason = mismatch(pending[0], item, self.scope)
                if reason is None:
                    matcher = pending.pop(0)
                    conn.backlog.remove(item)
                    if matcher.save:
                        for name in ("seqnum", "timestamp", "sender", "receiver", "node_id"):
                            self.scope.set(f"{matcher.save}.{name}", getattr(item, name))
                    if not pending:
                        break
                else:
                    passed.append(item)
                if reason is not None and step.strict:
                    wanted = describe_matcher(pending[0], self.scope)
                    raise StepFailed(f"{describe(item)} is not [{wanted}]: {reason}")
            if pending:
                wanted = describe_matcher(pending[0], self.scope)
                early = [f for f in passed if mismatch(pending[0], f, self.scope) is None]
                if early:
                    raise StepFailed(f"[{wanted}] arrived out of order: {describe(early[0])} "
                                     f"came before what the step expects ahead of it; "
                                     f"{seen()}")
                raise StepFailed(f"no frame matching [{wanted}] within {within} ms; {seen()}")
        if step.none:
            quiet_until = loop.time() + (step.quiet_ms or DEFAULT_QUIET_MS) / 1000
            async for item in self._arrivals(step.connection, quiet_until):
                if isinstance(item, str):
                    break
                for matcher in step.none:
                    if mismatch(matcher, item, self.scope) is None:
                        raise StepFailed(f"{describe(item)} arrived, but no "
                                         f"[{describe_matcher(matcher, self.scope)}] should have")
        if step.closed:
            async for item in self._arrivals(step.connection, deadline):
                if isinstance(item, str):
                    return
                looked.append(describe(item))
            raise StepFailed(f"the connection is still open after {within} ms; {seen()}")


async def _next(queue: asyncio.Queue[Any], timeout: float) -> Any:
    if timeout <= 0 and queue.empty():
        return None
    try:
        return await asyncio.wait_for(queue.get(), max(timeout, 0.001))
    except TimeoutError:
        return None


def _split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    return host, int(port)


def _step_title(step: Step) -> str:
    kind, action = betterproto2.which_one_of(step, "action")
    label = step.note or ""
    detail = ""
    if isinstance(action, SendStep):
        detail = f" {MsgType(action.type).name if action.type else 'raw'} on {action.connection}"
    elif isinstance(action, ExpectStep | StopReadingStep):
        detail = f" on {action.connection}"
    elif isinstance(action, HttpStep):
        detail = f" {action.operation}"
    elif isinstance(action, ConnectStep):
        detail = f" {action.connection or action.device}" + (
            " over TCP" if action.transport == CaseTransport.TCP else "")
    return f"{kind}{detail}" + (f" - {label}" if label else "")
