"""The HTTP binding: a plain ASGI application that serves the generated route table with the
service implementations (hypercorn runs it over HTTP/1.1, h2 and h3).

Per request: route (404, 405) -> bearer token (401) -> body (413, 415) -> request message
(400 naming the field) -> the implementation -> canonical proto3 JSON, or the raw bytes of a
google.api.HttpBody. Raw bodies stream: an upload's body reaches the handler as a
BodyStream in `ctx.streams` (never read whole here), and a handler may answer a download
with a BodySource in `ctx.streams.reply`, sent in chunks; every raw answer (streamed or
not) honours one `Range` (206/416) with an ETag for If-Range. HEAD runs the GET route and
sends its status and headers only.
Every error answer is an `Error` body with the status its ErrorCode maps to; an unexpected
exception is logged and answered with a generic 500.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from importlib import resources
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

import betterproto2

from prim.generated.google.api import HttpBody
from prim.generated.prim.v1 import ErrorCode
from prim.generated.routes import ENUMS, MESSAGES, ROUTES, Route
from prim.runtime.body_stream import (
    BodyIncomplete,
    BodySource,
    BodyStream,
    BodyTooLarge,
    BytesSource,
    Streams,
)
from prim.runtime.context import CallContext, Principal
from prim.runtime.errors import ApiError
from prim.runtime.http import event_log
from prim.runtime.http.bind import HTTP_BODY, RequestBinder
from prim.runtime.http.codec import Codec
from prim.runtime.http.cors import CorsPolicy, Headers
from prim.runtime.http.docs import render_docs
from prim.runtime.http.ranges import ByteRange, Unsatisfiable, requested_range
from prim.runtime.http.router import BadPathValue, Router

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Authenticator = Callable[[str], Awaitable[Principal | None]]

DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
log = logging.getLogger("prim.http")


def load_openapi() -> bytes:
    """The generated OpenAPI document, from the installed package."""
    return resources.files("prim.generated").joinpath("openapi.json").read_bytes()


class HttpApp:
    """The ASGI callable; build it with `build_asgi_app`."""

    def __init__(
        self,
        implementations: Mapping[str, object],
        authenticate: Authenticator,
        *,
        routes: Sequence[Route] = ROUTES,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_upload_bytes: int | None = None,
        cors_origins: Sequence[str] = (),
        openapi: bytes | None = None,
    ) -> None:
        self._handlers: dict[str, Callable[[Any, CallContext], Awaitable[Any]]] = {}
        for route in routes:
            self._handlers[route.operation_id] = _handler(implementations, route)
        self._router = Router(routes)
        self._codec = Codec(MESSAGES, ENUMS)
        self._binder = RequestBinder(self._codec)
        self._authenticate = authenticate
        self._max_body = max_body_bytes
        # Raw uploads (a google.api.HttpBody body field) have a limit of their own: files are
        # far larger than any JSON request should be.
        self._max_upload = max_upload_bytes if max_upload_bytes is not None else max_body_bytes
        self._uploads = frozenset(r.operation_id for r in routes if _raw_upload(r))
        self._downloads = frozenset(r.operation_id for r in routes
                                    if r.response_type is HttpBody)
        self._cors = CorsPolicy.of(cors_origins)
        self._openapi = openapi if openapi is not None else load_openapi()
        self._docs = render_docs(json.loads(self._openapi))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await _lifespan(receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        origin = headers.get("origin", "")
        cors = self._cors.response_headers(origin)
        verb = scope["method"].upper()
        raw_path = _raw_path(scope)
        if verb == "HEAD":
            send = _headers_only(send)
        try:
            if verb == "OPTIONS":
                await self._options(raw_path, origin, send)
                return
            if scope["path"] == "/" and verb in ("GET", "HEAD"):
                # A person who opens the server's address finds the API's page.
                await _respond(send, 302, "text/plain; charset=utf-8", b"see /docs\n",
                               [(b"location", b"/docs"), *cors])
                return
            builtin = self._builtin(verb, scope["path"])
            if builtin is not None:
                status, content_type, body = builtin
                await _respond(send, status, content_type, body, cors)
                return
            await self._call(scope, receive, send, verb, raw_path, headers, cors)
        except ApiError as exc:
            event_log.refused(verb, scope["path"], exc)
            await self._error(send, exc, cors)
        except BodyTooLarge as exc:
            too_large = ApiError(ErrorCode.PAYLOAD_TOO_LARGE,
                                 f"the body is larger than {exc.limit} bytes", exc.field)
            event_log.refused(verb, scope["path"], too_large)
            await self._error(send, too_large, cors)
        except BodyIncomplete:
            log.info("%s %s: the client left before the body's end", verb, scope.get("path"))
        except Exception:
            log.exception("unhandled error serving %s %s", verb, scope.get("path"))
            await self._error(send, ApiError(ErrorCode.INTERNAL, "internal server error"), cors)

    async def _call(self, scope: Scope, receive: Receive, send: Send, verb: str,
                    raw_path: str, headers: Mapping[str, str], cors: Headers) -> None:
        try:
            found = self._router.match(verb, raw_path)
        except BadPathValue as exc:
            raise ApiError(ErrorCode.INVALID_ARGUMENT,
                           f"{exc.param} is not valid percent-encoded UTF-8", exc.param) from None
        if found is None:
            allowed = self._router.allowed(raw_path)
            if allowed:
                raise _MethodNotAllowed(verb, allowed)
            raise ApiError(ErrorCode.NOT_FOUND, f"no operation at {scope['path']}")
        route = found.route
        streams = None
        if route.operation_id in self._uploads or route.operation_id in self._downloads:
            streams = Streams()
        ctx = await self._context(route, scope, headers, streams)
        if streams is not None and route.operation_id in self._uploads:
            # The body is one field: name it in errors; the handler reads it as it comes.
            declared = _content_length(headers)
            if declared is not None and declared > self._max_upload:
                raise BodyTooLarge(self._max_upload, route.body)
            streams.body = BodyStream(receive, limit=self._max_upload, field=route.body,
                                      declared=declared)
            body = b""
        else:
            body = await _read_body(receive, headers, self._max_body, "")
        request = self._binder.bind(route, found.values, scope.get("query_string", b""),
                                    body, ctx.content_type, ctx.user_id)
        response = await self._handlers[route.operation_id](request, ctx)
        if not isinstance(response, route.response_type):
            raise TypeError(f"{route.service}.{route.handler} returned "
                            f"{type(response).__name__}, not {route.response_type.__name__}")
        if isinstance(response, HttpBody):
            # User-supplied bytes served from the API's origin: never let a browser sniff
            # them into HTML or script, and offer them as a download.
            extra = [*cors, (b"x-content-type-options", b"nosniff"),
                     (b"content-disposition", b"attachment")]
            media = _media_type(response.content_type)
            source = streams.reply if streams is not None else None
            await _send_source(send, source or BytesSource(response.data), media, headers,
                               extra, with_body=verb != "HEAD")
            return
        await _respond(send, 200, "application/json", self._json(route, response), cors)

    def _json(self, route: Route, response: betterproto2.Message) -> bytes:
        data = self._codec.encode(route.response,
                                  response.to_dict(casing=betterproto2.Casing.SNAKE))
        if route.response_body:
            shape = self._codec.field(route.response, route.response_body)
            data = data.get(shape.json_name, [] if shape.repeated else {})
        return _dumps(data)

    async def _context(self, route: Route, scope: Scope, headers: Mapping[str, str],
                       streams: Streams | None) -> CallContext:
        client = scope.get("client")
        remote = f"{client[0]}:{client[1]}" if client else ""
        content_type = headers.get("content-type", "")
        if route.public:
            return CallContext(remote_address=remote, headers=headers,
                               content_type=content_type, streams=streams)
        token = _bearer(headers.get("authorization", ""))
        if not token:
            raise ApiError(ErrorCode.UNAUTHENTICATED,
                           "this operation needs `Authorization: Bearer <access token>`")
        principal = await self._authenticate(token)
        if principal is None:
            raise ApiError(ErrorCode.UNAUTHENTICATED,
                           "the access token is unknown, expired or revoked")
        return CallContext(user_id=principal.user_id, device_id=principal.device_id,
                           access_token=token, remote_address=remote, headers=headers,
                           content_type=content_type, streams=streams)

    def _builtin(self, verb: str, path: str) -> tuple[int, str, bytes] | None:
        pages = {
            "/openapi.json": ("application/json", self._openapi),
            "/docs": ("text/html; charset=utf-8", self._docs),
            "/healthz": ("application/json", b'{"status":"ok"}'),
        }
        page = pages.get(path)
        if page is None:
            return None
        if verb not in ("GET", "HEAD"):
            raise _MethodNotAllowed(verb, ["GET", "HEAD"])
        content_type, body = page
        return 200, content_type, body

    async def _options(self, raw_path: str, origin: str, send: Send) -> None:
        verbs = self._router.allowed(raw_path)
        if not verbs:
            raise ApiError(ErrorCode.NOT_FOUND, "no operation at this path")
        verbs = [*verbs, "OPTIONS"]
        headers = [(b"allow", ", ".join(verbs).encode("ascii")),
                   *self._cors.preflight_headers(origin, verbs)]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _error(self, send: Send, exc: ApiError, cors: Headers) -> None:
        extra: Headers = list(cors)
        if isinstance(exc, _MethodNotAllowed):
            extra.append((b"allow", ", ".join(exc.allowed).encode("ascii")))
        if exc.http_status == 401:
            extra.append((b"www-authenticate", b'Bearer realm="prim"'))
        if exc.retry_after_ms > 0:
            seconds = -(-exc.retry_after_ms // 1000)  # whole seconds, rounded up
            extra.append((b"retry-after", str(seconds).encode("ascii")))
        body = _dumps(exc.to_message().to_dict())
        await _respond(send, exc.http_status, "application/json", body, extra)


class _MethodNotAllowed(ApiError):
    def __init__(self, verb: str, allowed: Sequence[str]) -> None:
        super().__init__(ErrorCode.METHOD_NOT_ALLOWED,
                         f"{verb} is not allowed here; use {', '.join(allowed)}")
        self.allowed = list(allowed)


def build_asgi_app(
    implementations: Mapping[str, object],
    authenticate: Authenticator,
    *,
    routes: Sequence[Route] = ROUTES,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_upload_bytes: int | None = None,
    cors_origins: Sequence[str] = (),
    openapi: bytes | None = None,
) -> HttpApp:
    """The ASGI app serving `routes` (default: every HTTP route of the spec).

    `implementations` maps a service name ("AccountService") to an object with the async
    methods of its generated interface; `authenticate` turns a bearer token into the
    Principal it stands for, or None when the token is not valid (answered with 401).
    `cors_origins` lists the browser origins allowed to call ("*" for any).
    """
    return HttpApp(implementations, authenticate, routes=routes,
                   max_body_bytes=max_body_bytes, max_upload_bytes=max_upload_bytes,
                   cors_origins=cors_origins, openapi=openapi)


def _raw_upload(route: Route) -> bool:
    if route.body in ("", "*"):
        return False
    shape = next((f for f in MESSAGES[route.request] if f.name == route.body), None)
    return shape is not None and shape.type_name == HTTP_BODY


def _handler(implementations: Mapping[str, object],
             route: Route) -> Callable[[Any, CallContext], Awaitable[Any]]:
    impl = implementations.get(route.service)
    if impl is None:
        raise ValueError(f"no implementation for {route.service} (needed by {route.path})")
    method = getattr(impl, route.handler, None)
    if method is None or not inspect.iscoroutinefunction(method):
        raise ValueError(f"{route.service} implementation lacks `async def {route.handler}`")
    return method  # type: ignore[no-any-return]


def _headers(scope: Scope) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        out[name] = f"{out[name]}, {value}" if name in out else value
    return MappingProxyType(out)  # CallContext is frozen: so are its headers


def _raw_path(scope: Scope) -> str:
    raw = scope.get("raw_path")
    if raw:
        return str(raw.decode("latin-1").split("?", 1)[0])
    return quote(scope["path"], safe="/:@!$&'()*+,;=-._~")


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _content_length(headers: Mapping[str, str]) -> int | None:
    declared = headers.get("content-length", "")
    return int(declared) if declared.isdigit() else None


async def _read_body(receive: Receive, headers: Mapping[str, str], limit: int,
                     field: str) -> bytes:
    stream = BodyStream(receive, limit=limit, field=field, declared=_content_length(headers))
    return b"".join([chunk async for chunk in stream])


def _media_type(content_type: str) -> str:
    # It becomes a header value: anything but printable ASCII could split the header.
    if content_type and content_type.isascii() and content_type.isprintable():
        return content_type
    return "application/octet-stream"


def _dumps(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def _respond(send: Send, status: int, content_type: str, body: bytes,
                   extra: Headers) -> None:
    headers = [
        (b"content-type", content_type.encode("latin-1")),
        (b"content-length", str(len(body)).encode("ascii")),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _headers_only(send: Send) -> Send:
    """`send` for a HEAD request: the status and headers (Content-Length included) go out,
    the content does not; the last body message still ends the response."""

    async def head_send(message: Message) -> None:
        if message["type"] != "http.response.body":
            await send(message)
        elif not message.get("more_body", False):
            await send({"type": "http.response.body", "body": b""})

    return head_send


async def _send_source(send: Send, source: BodySource, content_type: str,
                       headers: Mapping[str, str], extra: Headers, *,
                       with_body: bool = True) -> None:
    """Sends `source` (or the one range asked for) in chunks; only the headers when not
    `with_body` (HEAD: nothing is read)."""
    size = source.size
    etag = f'"{source.version}"'
    head: Headers = [(b"content-type", content_type.encode("latin-1")),
                     (b"accept-ranges", b"bytes"), (b"etag", etag.encode("latin-1")), *extra]
    try:
        wanted = requested_range(headers.get("range", ""), size,
                                 if_range=headers.get("if-range", ""), etag=etag)
    except Unsatisfiable:
        await send({"type": "http.response.start", "status": 416, "headers": [
            *head, (b"content-range", f"bytes */{size}".encode("ascii")),
            (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
        return
    part = wanted or ByteRange(0, size)
    status = 200
    if wanted is not None:
        status = 206
        head.append((b"content-range", wanted.content_range(size).encode("ascii")))
    head.append((b"content-length", str(part.length).encode("ascii")))
    await send({"type": "http.response.start", "status": status, "headers": head})
    if not with_body:
        await send({"type": "http.response.body", "body": b""})
        return
    try:
        async for chunk in source.chunks(part.start, part.end):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except Exception:
        # The status line is gone: all that is left is to cut the body short, which the
        # client sees against Content-Length.
        log.exception("a download broke off after its headers were sent")
        return
    await send({"type": "http.response.body", "body": b""})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
