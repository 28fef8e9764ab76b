"""Renders ts/client.ts: a fetch-based client of every HTTP method of the spec, one class per
service, URLs built from each method's google.api.http rule.

HttpRule, as the server and the OpenAPI document read it too (model.query_params): path
variables are substituted and URL-encoded; `body: "*"` sends the remaining fields as the
JSON body; `body: "<field>"` sends that field and the rest as query parameters; with no
body every field not in the path is a query parameter (repeated fields as repeated keys).
A body or response of type google.api.HttpBody is raw bytes, not JSON. Only a method's
first binding is used: additional_bindings are alternative URLs of the same call.
"""

from __future__ import annotations

import re

from prim.codegen.emitters._ts_common import (
    GENERATED_NOTE,
    HTTP_BODY,
    doc,
    field_type,
    json_name,
    method_name,
    service_property,
    ts_string,
    type_name,
)
from prim.codegen.model import (
    HttpBinding,
    Message_,
    Method,
    Model,
    Service,
    SpecError,
    query_params,
    resolve_field_path,
)

_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:=([^}]*))?\}")

# Members PrimClient has besides the service objects; a service may not take these names.
_CLIENT_MEMBERS = {"accessToken", "constructor"}


def http_services(model: Model) -> list[Service]:
    return [s for s in model.services if s.has_http]


def render(model: Model) -> str:
    error = _error_message(model)
    code_field = error.field("code")
    zero_code = next(v.name for v in model.enum(code_field.type_name).values if v.number == 0)
    out: list[str] = [
        "/**",
        " * A fetch-based client of the PRIM HTTP API: `new PrimClient({ baseUrl })`, then",
        " * one object per service (`client.account.login(...)`). Every failed call throws a",
        " * PrimApiError carrying the HTTP status and the parsed `Error` body.",
        " *",
        f" * {GENERATED_NOTE.format(emitter='codegen/emitters/_ts_client.py')}",
        " */",
        "",
        'import type * as T from "./types.js";',
        "",
        _PRELUDE.replace("@ERROR@", f"T.{error.name}")
        .replace("@CODE@", f"T.{type_name(model, code_field.type_name)}")
        .replace("@ZERO_CODE@", ts_string(zero_code))
        .rstrip("\n"),
    ]
    services = http_services(model)
    used: set[str] = set()
    classes: list[str] = []
    for svc in services:
        classes += ["", *_service_class(model, svc, used)]
    if used & {"pathSegment", "pathSegments"}:
        out += ["", _REQUIRE_PATH_VALUE.rstrip("\n")]
    for name, helper in _HELPERS.items():
        if name in used:
            out += ["", helper.rstrip("\n")]
    out += classes
    out += ["", *_client_class(services)]
    return "\n".join(out) + "\n"


def _error_message(model: Model) -> Message_:
    """The message every HTTP error body is: `Error` in the header's package."""
    header = model.header_message()
    package = header.package if header is not None else "prim.v1"
    error = model.message(f"{package}.Error")
    for name in ("code", "message", "field"):
        error.field(name)
    return error


def _service_class(model: Model, svc: Service, used: set[str]) -> list[str]:
    out = doc(svc.comment or f"The methods of {svc.full_name} over HTTP.")
    out += [
        f"export class {svc.name}Client {{",
        "  constructor(private readonly transport: Transport) {}",
    ]
    for m in svc.methods:
        if m.http:
            out += ["", *_method(model, m, m.http[0], used)]
    out.append("}")
    return out


def _method(model: Model, m: Method, b: HttpBinding, used: set[str]) -> list[str]:
    req = model.message(m.input_type)
    raw_body = b.body not in ("", "*") and req.field(b.body).type_name == HTTP_BODY
    raw_response = m.output_type == HTTP_BODY
    req_type = f"T.{req.name}"
    if raw_body:
        req_type = f"Omit<{req_type}, {ts_string(json_name(req.field(b.body)))}>"
    if raw_response:
        result = "Blob"
    elif b.response_body:
        out_msg = model.message(m.output_type)
        result = f"NonNullable<{field_type(model, out_msg.field(b.response_body), 'T.')}>"
    else:
        result = f"T.{model.message(m.output_type).name}"
    needs_fields = any(f.required for f in req.fields if not (raw_body and f.name == b.body))
    query = [] if b.body == "*" else query_params(model, m, b)
    # A request with nothing to send (no path variable, body or query parameter) is still
    # taken, for a uniform call shape; the underscore tells noUnusedParameters it is meant.
    used_request = bool(b.variables or b.body or query)
    request_param = "request" if used_request else "_request"
    params = [f"{request_param}: {req_type}" + ("" if needs_fields else " = {}")]
    if raw_body:
        params.append("content: RawBody")
    params.append("options?: CallOptions")
    note = f"`{b.verb} {b.path}`" + ("" if not m.public else " (no access token needed)")
    comment = f"{m.comment}\n\n{note}" if m.comment else note
    if raw_body:
        comment += f"\n\n`content` is sent as the raw request body ({b.body})."
    out = doc(comment, "  ")
    # async, so that a bad path value rejects the promise like every other failure does.
    out.append(f"  async {method_name(m.name)}({', '.join(params)}): Promise<{result}> {{")
    out.append("    return this.transport.call(")
    out.append("      {")
    out.append(f"        method: {ts_string(b.verb)},")
    out.append(f"        path: {_path_expr(model, req, b, used)},")
    if query:
        out.append("        query: [")
        for q in query:
            out.append(f"          [{ts_string(q.name)}, {_access(q.json_path)}],")
        out.append("        ],")
    if b.body == "*":
        bound = [
            "[" + ", ".join(ts_string(j) for j in _json_path(model, req, v.field_path)) + "]"
            for v in b.variables
        ]
        body = f"omitPaths(request, [{', '.join(bound)}])" if bound else "request"
        if bound:
            used.add("omitPaths")
        out.append(f"        json: {body},")
    elif raw_body:
        out.append("        raw: content,")
    elif b.body:
        out.append(f"        json: {_access((json_name(req.field(b.body)),))},")
    out.append(f"        auth: {'false' if m.public else 'true'},")
    out.append(f"        response: {ts_string('blob' if raw_response else 'json')},")
    out.append("      },")
    out.append("      options,")
    out.append("    );")
    out.append("  }")
    return out


def _json_path(model: Model, req: Message_, field_path: tuple[str, ...]) -> list[str]:
    """The JSON names along a (possibly dotted) field path."""
    names: list[str] = []
    msg = req
    for i, part in enumerate(field_path):
        f = msg.field(part)
        names.append(json_name(f))
        if i < len(field_path) - 1:
            msg = model.message(f.type_name)
    return names


def _access(json_path: tuple[str, ...] | list[str]) -> str:
    """`request.a?.b`: nested request fields may be absent."""
    head, *rest = json_path
    return "request." + head + "".join(f"?.{p}" for p in rest)


def _path_expr(model: Model, req: Message_, b: HttpBinding, used: set[str]) -> str:
    """A template literal that substitutes each path variable, URL-encoded."""
    parts: list[str] = []
    pos = 0
    for match in _VARIABLE.finditer(b.path):
        parts.append(_template_text(b.path[pos:match.start()]))
        field_path = tuple(match.group(1).split("."))
        resolve_field_path(model, req, field_path)  # raises SpecError for a bad variable
        pattern = match.group(2) or "*"
        if "**" in pattern or "/" in pattern:
            encode = "pathSegments"  # multi-segment variable: its slashes stay slashes
        elif pattern == "*":
            encode = "pathSegment"
        else:
            raise SpecError(f"{b.path}: path pattern {pattern!r} is not supported")
        used.add(encode)
        access = _access(_json_path(model, req, field_path))
        parts.append("${" + f"{encode}({ts_string(match.group(1))}, {access})" + "}")
        pos = match.end()
    if pos == 0:
        return ts_string(b.path)  # no variables: a plain string literal reads better
    parts.append(_template_text(b.path[pos:]))
    return "`" + "".join(parts) + "`"


def _template_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")


def _client_class(services: list[Service]) -> list[str]:
    props = [(service_property(s.name), s) for s in services]
    seen: set[str] = set()
    for prop, s in props:
        if prop in seen or prop in _CLIENT_MEMBERS:
            raise SpecError(f"{s.name} would be PrimClient.{prop}, which is taken")
        seen.add(prop)
    out = [
        "/** The PRIM HTTP API: one property per service. */",
        "export class PrimClient {",
        "  /** Sent as `Authorization: Bearer <token>` by every method that needs a session. */",
        "  accessToken: string | undefined;",
    ]
    for prop, s in props:
        out.append(f"  readonly {prop}: {s.name}Client;")
    out += [
        "",
        "  constructor(options: PrimClientOptions) {",
        "    this.accessToken = options.accessToken;",
        "    const transport = new FetchTransport(options, () => this.accessToken);",
    ]
    for prop, s in props:
        out.append(f"    this.{prop} = new {s.name}Client(transport);")
    out += ["  }", "}"]
    return out


# The hand-written half of client.ts: transport, errors, URL helpers. Placeholders: @ERROR@
# (the Error body's type), @CODE@ (its code enum), @ZERO_CODE@ (the code when absent).
_PRELUDE = """\
/** Per-call options. */
export interface CallOptions {
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Extra request headers; they override the client's. */
  headers?: Record<string, string>;
}

export interface PrimClientOptions {
  /** Where the API is served, e.g. "https://prim.example.com" (paths start with /v1). */
  baseUrl: string;
  /** The bearer token; it can also be set later through PrimClient.accessToken. */
  accessToken?: string;
  /** A fetch implementation; the global fetch by default. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/** Bytes sent as a raw request body (file uploads). */
export interface RawBody {
  data: Blob | ArrayBuffer | Uint8Array;
  /** The Content-Type; a Blob's own type when omitted, else application/octet-stream. */
  contentType?: string;
}

/** A failed call: the HTTP status and the `Error` body the server answered with. */
export class PrimApiError extends Error {
  readonly status: number;
  readonly code: @CODE@;
  /** The request field at fault (proto name), "" when none. */
  readonly field: string;
  /** The parsed body; undefined when the response was not a JSON Error. */
  readonly body: @ERROR@ | undefined;

  constructor(status: number, body: @ERROR@ | undefined, fallback: string) {
    super(body?.message || fallback);
    this.name = "PrimApiError";
    this.status = status;
    this.code = body?.code ?? @ZERO_CODE@;
    this.field = body?.field ?? "";
    this.body = body;
  }

  /** Reads a failed response's body; a body that is not JSON keeps its text as message. */
  static async fromResponse(response: Response): Promise<PrimApiError> {
    const text = await response.text();
    const fallback = text.trim() || `HTTP ${response.status} ${response.statusText}`.trim();
    let body: @ERROR@ | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
        body = parsed as @ERROR@;
      }
    } catch {
      body = undefined;
    }
    return new PrimApiError(response.status, body, fallback);
  }
}

/** One HTTP exchange as a service class describes it. */
export interface HttpCall {
  method: string;
  /** The path with its variables already substituted and encoded. */
  path: string;
  /** Query parameters; undefined values are left out, arrays repeat the key. */
  query?: ReadonlyArray<readonly [string, unknown]>;
  /** A JSON request body. */
  json?: unknown;
  /** A raw request body. */
  raw?: RawBody;
  /** Whether to send the access token. */
  auth: boolean;
  /** How to read a successful response. */
  response: "json" | "blob";
}

/** What the service classes call; replaceable for tests. */
export interface Transport {
  call<R>(call: HttpCall, options?: CallOptions): Promise<R>;
}

class FetchTransport implements Transport {
  private readonly baseUrl: string;
  private readonly fetch: (input: string, init: RequestInit) => Promise<Response>;
  private readonly headers: Record<string, string>;

  constructor(
    options: PrimClientOptions,
    private readonly token: () => string | undefined,
  ) {
    this.baseUrl = options.baseUrl.replace(/\\/+$/, "");
    // Called through a closure: some fetch implementations must not be called as a method.
    const impl = options.fetch;
    this.fetch = impl ?? ((input, init) => fetch(input, init));
    this.headers = { ...options.headers };
  }

  async call<R>(call: HttpCall, options?: CallOptions): Promise<R> {
    const headers: Record<string, string> = { accept: "application/json", ...this.headers };
    const token = this.token();
    if (call.auth && token) {
      headers["authorization"] = `Bearer ${token}`;
    }
    const init: RequestInit = { method: call.method };
    if (call.json !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(call.json);
    } else if (call.raw !== undefined) {
      const data = call.raw.data;
      headers["content-type"] =
        call.raw.contentType ??
        (data instanceof Blob && data.type ? data.type : "application/octet-stream");
      // A copy: fetch's body types want an ArrayBuffer-backed view, not any ArrayBufferLike.
      init.body = data instanceof Uint8Array ? new Uint8Array(data) : data;
    }
    if (call.response === "blob") {
      headers["accept"] = "*/*";
    }
    init.headers = { ...headers, ...options?.headers };
    if (options?.signal) {
      init.signal = options.signal;
    }
    const response = await this.fetch(this.baseUrl + call.path + queryString(call.query), init);
    if (!response.ok) {
      throw await PrimApiError.fromResponse(response);
    }
    if (call.response === "blob") {
      return (await response.blob()) as R;
    }
    const text = await response.text();
    return (text ? JSON.parse(text) : {}) as R;
  }
}

function queryString(query: HttpCall["query"]): string {
  const search = new URLSearchParams();
  for (const [name, value] of query ?? []) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) {
        search.append(name, String(item));
      }
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

"""

# Helpers included only when some method uses them (tsc's noUnusedLocals would refuse an
# unused one), keyed by the name the generated methods call.
_REQUIRE_PATH_VALUE = """\
function requirePathValue(name: string, value: unknown): string {
  if (value === undefined || value === null || value === "") {
    throw new TypeError(`path parameter ${name} is required`);
  }
  return String(value);
}
"""

_HELPERS: dict[str, str] = {
    "pathSegment": """\
/** A single-segment path variable: everything, slashes included, is escaped. */
function pathSegment(name: string, value: unknown): string {
  return encodeURIComponent(requirePathValue(name, value));
}
""",
    "pathSegments": """\
/** A multi-segment path variable (`{name=a/**}`): each segment escaped, slashes kept. */
function pathSegments(name: string, value: unknown): string {
  return requirePathValue(name, value).split("/").map(encodeURIComponent).join("/");
}
""",
    "omitPaths": """\
/** A copy of `request` without the fields bound to the path (`body: "*"`). */
function omitPaths(request: object, paths: ReadonlyArray<ReadonlyArray<string>>): unknown {
  let result: Record<string, unknown> = { ...request };
  for (const path of paths) {
    result = omitPath(result, path);
  }
  return result;
}

function omitPath(
  obj: Record<string, unknown>,
  path: ReadonlyArray<string>,
): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) {
    return obj;
  }
  const copy = { ...obj };
  if (rest.length === 0) {
    delete copy[head];
  } else {
    const child = copy[head];
    if (child !== null && typeof child === "object") {
      copy[head] = omitPath(child as Record<string, unknown>, rest);
    }
  }
  return copy;
}
""",
}
