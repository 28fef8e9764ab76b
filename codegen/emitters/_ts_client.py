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
from pathlib import Path

from prim.codegen.emitters import _ts_validate
from prim.codegen.emitters._ts_common import (
    GENERATED_NOTE,
    HTTP_BODY,
    doc,
    field_type,
    json_name,
    method_name,
    service_property,
    ts_string,
)
from prim.codegen.emitters._validation import validated_messages
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

# The hand-written half of client.ts (transport, errors, URL helpers): a real TypeScript
# file, copied into ts/http.ts.
RUNTIME = Path(__file__).parent / "ts_runtime" / "http.ts"

_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:=([^}]*))?\}")

# Members PrimClient has besides the service objects; a service may not take these names.
_CLIENT_MEMBERS = {"accessToken", "constructor", "userId"}


def http_services(model: Model) -> list[Service]:
    return [s for s in model.services if s.has_http]


def render(model: Model) -> str:
    _check_runtime_names(model)
    services = http_services(model)
    used: set[str] = set()
    validators: set[str] = set()
    classes: list[str] = []
    for svc in services:
        classes += ["", *_service_class(model, svc, used, validators)]
    helpers = sorted(used)
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
        "import {",
        "  type CallOptions,",
        "  FetchTransport,",
        "  type PrimClientOptions,",
        *(["  type RawBody,"] if "RawBody" in used else []),
        "  type Transport,",
        *(f"  {name}," for name in helpers if name != "RawBody"),
        '} from "./http.js";',
        *(["import {", *(f"  {name}," for name in sorted(validators)), '} from "./validate.js";']
          if validators else []),
        "",
        "export {",
        "  type CallOptions,",
        "  FetchTransport,",
        "  type HttpCall,",
        "  PrimApiError,",
        "  type PrimClientOptions,",
        "  type RawBody,",
        "  type Transport,",
        '} from "./http.js";',
    ]
    out += classes
    out += ["", *_client_class(services)]
    return "\n".join(out) + "\n"


def runtime() -> str:
    """ts/http.ts: RUNTIME copied, with a note that says so."""
    note = ("// Copied from codegen/emitters/ts_runtime/http.ts by `make gen`; do not edit "
            "(edit that file).\n")
    return note + RUNTIME.read_text()


def _check_runtime_names(model: Model) -> None:
    """RUNTIME names the spec's error body and code enum: they must be what it says."""
    error = _error_message(model)
    code_enum = model.enum(error.field("code").type_name)
    zero = next(v.name for v in code_enum.values if v.number == 0)
    if (error.name, code_enum.name, zero) != ("Error", "ErrorCode", "ERROR_CODE_UNSPECIFIED"):
        raise SpecError(f"{RUNTIME} expects Error, ErrorCode and ERROR_CODE_UNSPECIFIED; "
                        f"the spec has {error.name}, {code_enum.name} and {zero}")


def _error_message(model: Model) -> Message_:
    """The message every HTTP error body is: `Error` in the header's package."""
    header = model.header_message()
    package = header.package if header is not None else "prim.v1"
    error = model.message(f"{package}.Error")
    for name in ("code", "message", "field"):
        error.field(name)
    return error


def _service_class(model: Model, svc: Service, used: set[str],
                   validators: set[str]) -> list[str]:
    out = doc(svc.comment or f"The methods of {svc.full_name} over HTTP.")
    checked = {m.full_name for m in validated_messages(model)}
    validates = any(m.http and m.input_type in checked for m in svc.methods)
    out += [
        f"export class {svc.name}Client {{",
        "  constructor(",
        "    private readonly transport: Transport,",
        "    /** The signed-in user's id, for the rules that refuse the caller's own id. */",
        ("    private readonly caller: () => string | undefined = () => undefined," if validates
         else "    _caller?: () => string | undefined,"),
        "  ) {}",
    ]
    for m in svc.methods:
        if m.http:
            out += ["", *_method(model, m, m.http[0], used, validators, checked)]
    out.append("}")
    return out


def _method(model: Model, m: Method, b: HttpBinding, used: set[str], validators: set[str],
            checked: set[str]) -> list[str]:
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
        used.add("RawBody")
    params.append("options?: CallOptions")
    note = f"`{b.verb} {b.path}`" + ("" if not m.public else " (no access token needed)")
    comment = f"{m.comment}\n\n{note}" if m.comment else note
    if raw_body:
        comment += f"\n\n`content` is sent as the raw request body ({b.body})."
    out = doc(comment, "  ")
    # async, so that a bad path value rejects the promise like every other failure does.
    out.append(f"  async {method_name(m.name)}({', '.join(params)}): Promise<{result}> {{")
    if m.input_type in checked:
        # The spec's rules, checked before sending: a broken one rejects like the server.
        check = _ts_validate.function_name(req)
        validators.add(check)
        arg = f"request as T.{req.name}" if raw_body else request_param
        out.append(f"    {check}({arg}, this.caller());")
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
        "  /** The signed-in user's id (LoginResponse.userId): requests naming it where the spec",
        "   * refuses the caller's own id fail before they are sent, as the server would. */",
        "  userId: string | undefined;",
    ]
    for prop, s in props:
        out.append(f"  readonly {prop}: {s.name}Client;")
    out += [
        "",
        "  constructor(options: PrimClientOptions) {",
        "    this.accessToken = options.accessToken;",
        "    this.userId = options.userId;",
        "    const transport = new FetchTransport(options, () => this.accessToken);",
        "    const caller = () => this.userId;",
    ]
    for prop, s in props:
        out.append(f"    this.{prop} = new {s.name}Client(transport, caller);")
    out += ["  }", "}"]
    return out
