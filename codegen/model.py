"""The spec as the emitters see it: plain dataclasses built from protoc's descriptors.

Every emitter (Python wire codec, interfaces, routes, OpenAPI, clients, TypeScript) reads
this model instead of raw descriptors, so that what the spec means (custom options, HttpRule
bindings, REQUIRED fields, comments) is decided once.

Custom options arrive from protoc as unknown fields of the `*Options` messages. They are
decoded by re-parsing each options message in a descriptor pool built from the request's
own files, where the extensions (`prim.v1.header`, `google.api.http`, ...) are known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import Message

FDP = descriptor_pb2.FieldDescriptorProto

# protoc's scalar type numbers -> the names the emitters switch on.
SCALAR_NAMES: dict[int, str] = {
    FDP.TYPE_DOUBLE: "double",
    FDP.TYPE_FLOAT: "float",
    FDP.TYPE_INT64: "int64",
    FDP.TYPE_UINT64: "uint64",
    FDP.TYPE_INT32: "int32",
    FDP.TYPE_FIXED64: "fixed64",
    FDP.TYPE_FIXED32: "fixed32",
    FDP.TYPE_BOOL: "bool",
    FDP.TYPE_STRING: "string",
    FDP.TYPE_BYTES: "bytes",
    FDP.TYPE_UINT32: "uint32",
    FDP.TYPE_SFIXED32: "sfixed32",
    FDP.TYPE_SFIXED64: "sfixed64",
    FDP.TYPE_SINT32: "sint32",
    FDP.TYPE_SINT64: "sint64",
    FDP.TYPE_ENUM: "enum",
    FDP.TYPE_MESSAGE: "message",
}

HTTP_VERBS = ("get", "put", "post", "delete", "patch")
_PATH_VARIABLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)(?:=([^}]*))?\}")


def _grpc_status(err: Any) -> str:
    """The google.rpc.Code name a (prim.v1.error) option gives, "" when none."""
    if err is None or not err.grpc_status:  # 0 is OK: never an error's status
        return ""
    return str(err.DESCRIPTOR.fields_by_name["grpc_status"].enum_type.values_by_number[
        err.grpc_status].name)


class SpecError(Exception):
    """The spec breaks a rule the generator enforces; the message names the place."""


@dataclass(frozen=True)
class Field:
    name: str
    number: int
    json_name: str
    kind: str  # a SCALAR_NAMES value
    type_name: str  # fully qualified, without the leading dot, for enum and message
    repeated: bool
    optional: bool  # proto3 `optional`: explicit presence
    oneof: str  # the real oneof this field belongs to, "" when none
    required: bool  # (google.api.field_behavior) = REQUIRED
    output_only: bool
    comment: str
    map_key: Field | None = None
    map_value: Field | None = None
    header_word: int | None = None
    header_bits: int | None = None
    header_offset: int | None = None  # None when the (prim.v1.header) option omits it
    # (prim.v1.rules): 0 means no limit
    min_length: int = 0
    max_length: int = 0
    max_items: int = 0
    minimum: int | None = None  # integer fields; None: the type's own range
    maximum: int | None = None
    default_value: int = 0  # what 0 stands for (integer fields); 0: nothing
    enum_in: tuple[str, ...] = ()  # enum fields: the only value names accepted
    pattern: str = ""  # string fields: a regular expression the whole value matches
    id_kind: str = ""  # integer fields: "USER", "GROUP" or "PEER" (IdKind); "": not an id
    not_caller: str = ""  # id fields: the caller's own id is refused with this hint
    text_form: str = ""  # string fields: "LINE" or "LINES" (TextForm); "": taken as given
    header_max: str = ""  # integer fields: at most what this wire header field holds
    unique: bool = False  # repeated fields: no item twice

    @property
    def is_map(self) -> bool:
        return self.map_value is not None


@dataclass(frozen=True)
class Message_:
    full_name: str
    name: str  # the simple name, nested names joined without dots (betterproto2 style)
    package: str
    file: str
    fields: tuple[Field, ...]
    comment: str
    wire_header: bool = False
    # (prim.v1.header_reserved): the (word, offset, bits) of each span no header field uses
    header_reserved: tuple[tuple[int, int, int], ...] = ()

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.full_name} has no field {name!r}")


@dataclass(frozen=True)
class MsgTypeInfo:
    category: str  # e.g. "CONTENT"
    sequenced: bool
    payload: str  # e.g. "MESSAGE"
    payload_message: str
    from_client: bool
    from_server: bool
    # (MsgTypeInfo.media_types): what an upload of this kind may be; () = not an upload kind
    media_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Constants:
    """The (prim.v1.constants) file options of the spec, merged (each is set in one file)."""

    group_id_bit: int
    friend_request_ttl_ms: int
    user_channel_key: str  # with {low} and {high}
    group_channel_key: str  # with {group}

    @property
    def group_id_base(self) -> int:
        return 1 << self.group_id_bit


@dataclass(frozen=True)
class ApiInfo:
    """(prim.v1.api): the OpenAPI document's title, license and servers."""

    title: str
    license: str  # SPDX identifier
    servers: tuple[tuple[str, str], ...]  # (url, description)


# The placeholders each channel-key format must use, and only those.
CHANNEL_KEY_FIELDS = {"user_channel_key": ("high", "low"), "group_channel_key": ("group",)}


@dataclass(frozen=True)
class EnumValue:
    name: str
    short_name: str  # without the enum's UPPER_SNAKE prefix, as betterproto2 names it
    number: int
    comment: str
    msg_type: MsgTypeInfo | None = None
    http_status: int | None = None
    retryable: bool = False
    grpc_status: str = ""  # a google.rpc.Code name, "" when not set
    # Which calls can answer it beyond the RPCs that declare it: "" (only those),
    # "EVERY_CALL", "AUTHENTICATED", "WITH_BODY", "ROUTING" or "WIRE" (prim.v1.error_scope).
    error_scope: str = ""


@dataclass(frozen=True)
class Enum:
    full_name: str
    name: str
    package: str
    file: str
    values: tuple[EnumValue, ...]
    comment: str


@dataclass(frozen=True)
class PathVariable:
    field_path: tuple[str, ...]  # ("user_id",) or ("message", "conversation_id")
    pattern: str  # the HttpRule segment pattern, "*" when not given

    @property
    def name(self) -> str:
        return ".".join(self.field_path)

    @property
    def param_name(self) -> str:
        """A name usable as an identifier and as an OpenAPI path parameter."""
        return "_".join(self.field_path)


@dataclass(frozen=True)
class HttpBinding:
    verb: str  # upper case: GET, POST, ...
    path: str  # as written in the spec: /v1/users/{user_id}
    body: str  # "", "*" or a top-level field name
    response_body: str
    variables: tuple[PathVariable, ...]

    @property
    def openapi_path(self) -> str:
        """The path with each variable spelled as an identifier (no dots, no patterns)."""
        return _PATH_VARIABLE.sub(lambda m: "{" + m.group(1).replace(".", "_") + "}", self.path)


@dataclass(frozen=True)
class Method:
    name: str
    input_type: str
    output_type: str
    comment: str
    http: tuple[HttpBinding, ...]
    public: bool
    # The error codes it declares with (prim.v1.errors), as enum value names.
    errors: tuple[str, ...]
    client_streaming: bool
    server_streaming: bool


@dataclass(frozen=True)
class Service:
    full_name: str
    name: str
    package: str
    file: str
    methods: tuple[Method, ...]
    comment: str

    @property
    def has_http(self) -> bool:
        return any(m.http for m in self.methods)


@dataclass
class Model:
    """Everything the files to generate declare, plus the types they reference."""

    files: tuple[str, ...]  # the files to generate, in request order
    messages: dict[str, Message_] = field(default_factory=dict)
    enums: dict[str, Enum] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    file_comments: dict[str, str] = field(default_factory=dict)
    # Read by build_model; None only while it runs (and for specs without any).
    constants: Constants | None = None
    api: ApiInfo | None = None  # (prim.v1.api), set in at most one file

    def message(self, full_name: str) -> Message_:
        try:
            return self.messages[full_name]
        except KeyError:
            raise SpecError(f"unknown message type {full_name}") from None

    def enum(self, full_name: str) -> Enum:
        try:
            return self.enums[full_name]
        except KeyError:
            raise SpecError(f"unknown enum type {full_name}") from None

    def header_message(self) -> Message_ | None:
        found = [m for m in self.messages.values() if m.wire_header and m.file in self.files]
        if len(found) > 1:
            raise SpecError("more than one message has (prim.v1.wire_header) = true")
        return found[0] if found else None

    def generated_messages(self) -> list[Message_]:
        return [m for m in self.messages.values() if m.file in self.files]

    def generated_enums(self) -> list[Enum]:
        return [e for e in self.enums.values() if e.file in self.files]


def to_snake(name: str) -> str:
    """`NewUserId` -> `new_user_id` (how betterproto2 names stub methods)."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.lower()


def to_camel(name: str) -> str:
    """`user_id` -> `userId` (the proto3 JSON name rule)."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _enum_prefix(enum_name: str) -> str:
    return to_snake(enum_name).upper() + "_"


class _OptionReader:
    """Decodes custom options using a pool that knows every extension of the request."""

    def __init__(self, files: Sequence[descriptor_pb2.FileDescriptorProto]) -> None:
        self._pool = descriptor_pool.DescriptorPool()
        for f in files:
            self._pool.Add(f)
        self._classes: dict[str, Any] = {}

    def _find_extension(self, name: str) -> Any:
        try:
            return self._pool.FindExtensionByName(name)
        except KeyError:
            return None

    def read(self, options: Message, extension: str) -> Any:
        """The value of `extension` on `options`, or None when unset or unknown."""
        ext = self._find_extension(extension)
        if ext is None:
            return None
        type_name = options.DESCRIPTOR.full_name
        cls = self._classes.get(type_name)
        if cls is None:
            cls = message_factory.GetMessageClass(self._pool.FindMessageTypeByName(type_name))
            self._classes[type_name] = cls
        parsed = cls.FromString(options.SerializeToString())
        if ext.is_repeated:
            return list(parsed.Extensions[ext])
        return parsed.Extensions[ext] if parsed.HasExtension(ext) else None

    def read_enum_names(self, options: Message, extension: str) -> list[str]:
        """The value names of an enum-typed extension (one or repeated); [] when unset."""
        ext = self._find_extension(extension)
        value = self.read(options, extension)
        if ext is None or value is None:
            return []
        numbers = value if isinstance(value, list) else [value]
        by_number = ext.enum_type.values_by_number
        return [by_number[n].name for n in numbers]


class _Comments:
    """Leading comments by descriptor path, from SourceCodeInfo."""

    def __init__(self, fd: descriptor_pb2.FileDescriptorProto) -> None:
        self._by_path: dict[tuple[int, ...], str] = {}
        for loc in fd.source_code_info.location:
            text = loc.leading_comments or loc.trailing_comments
            if text:
                self._by_path[tuple(loc.path)] = _clean_comment(text)
        self.file_comment = ""
        syntax_path = (12,)
        for loc in fd.source_code_info.location:
            if tuple(loc.path) == syntax_path and loc.leading_detached_comments:
                self.file_comment = _clean_comment("\n".join(loc.leading_detached_comments))
        if not self.file_comment:
            for loc in fd.source_code_info.location:
                if tuple(loc.path) == syntax_path and loc.leading_comments:
                    self.file_comment = _clean_comment(loc.leading_comments)

    def get(self, path: Iterable[int]) -> str:
        return self._by_path.get(tuple(path), "")


def _clean_comment(text: str) -> str:
    lines = [line[1:] if line.startswith(" ") else line for line in text.strip("\n").split("\n")]
    return "\n".join(lines).strip()


# descriptor.proto field numbers used in SourceCodeInfo paths
_FILE_MESSAGE, _FILE_ENUM, _FILE_SERVICE = 4, 5, 6
_MESSAGE_FIELD, _MESSAGE_NESTED, _MESSAGE_ENUM = 2, 3, 4
_ENUM_VALUE, _SERVICE_METHOD = 2, 2
_FIELD_BEHAVIOR_REQUIRED, _FIELD_BEHAVIOR_OUTPUT_ONLY = 2, 3


def build_model(
    proto_files: Sequence[descriptor_pb2.FileDescriptorProto], files_to_generate: Sequence[str]
) -> Model:
    """The model of `files_to_generate`; `proto_files` must hold them and all they import."""
    reader = _OptionReader(proto_files)
    model = Model(files=tuple(files_to_generate))
    generating = [fd for fd in proto_files if fd.name in files_to_generate]
    model.constants = _constants(reader, generating)
    model.api = _api_info(reader, generating)
    for fd in proto_files:
        comments = _Comments(fd)
        model.file_comments[fd.name] = comments.file_comment
        prefix = f"{fd.package}." if fd.package else ""
        for i, msg in enumerate(fd.message_type):
            _add_message(model, reader, comments, fd, msg, prefix, "", (_FILE_MESSAGE, i))
        for i, en in enumerate(fd.enum_type):
            _add_enum(model, reader, comments, fd, en, prefix, "", (_FILE_ENUM, i))
        if fd.name in files_to_generate:
            for i, svc in enumerate(fd.service):
                model.services.append(_service(reader, comments, fd, svc, (_FILE_SERVICE, i)))
    _check(model)
    return model


def _constants(
    reader: _OptionReader, files: Sequence[descriptor_pb2.FileDescriptorProto]
) -> Constants | None:
    """The (prim.v1.constants) of all files merged; SpecError when one is set twice or any is
    missing (None when no file sets any: a spec without the option, as check-breaking may
    read from before it existed)."""
    found: dict[str, Any] = {}
    for fd in files:
        option = reader.read(fd.options, "prim.v1.constants")
        if option is None:
            continue
        for desc, value in option.ListFields():
            if desc.name in found:
                raise SpecError(f"{fd.name}: (prim.v1.constants).{desc.name} is set twice")
            found[desc.name] = value
    if not found:
        return None
    missing = [f.name for f in Constants.__dataclass_fields__.values() if f.name not in found]
    if missing:
        raise SpecError(f"(prim.v1.constants) lacks {', '.join(missing)}")
    for name, fields in CHANNEL_KEY_FIELDS.items():
        used = tuple(sorted(set(re.findall(r"\{(\w*)\}", found[name]))))
        if used != fields or "{}" in found[name]:
            raise SpecError(f"(prim.v1.constants).{name} {found[name]!r} must use exactly "
                            + ", ".join("{" + f + "}" for f in fields))
    if not 1 <= found["group_id_bit"] < 64:
        raise SpecError("(prim.v1.constants).group_id_bit must be 1..63")
    return Constants(**{k: found[k] for k in Constants.__dataclass_fields__})


def _api_info(
    reader: _OptionReader, files: Sequence[descriptor_pb2.FileDescriptorProto]
) -> ApiInfo | None:
    found = [(fd.name, reader.read(fd.options, "prim.v1.api")) for fd in files]
    found = [(name, info) for name, info in found if info is not None]
    if len(found) > 1:
        raise SpecError(f"(prim.v1.api) is set in {found[0][0]} and {found[1][0]}; once only")
    if not found:
        return None
    info = found[0][1]
    return ApiInfo(title=info.title, license=info.license,
                   servers=tuple((s.url, s.description) for s in info.servers))


def _add_message(
    model: Model,
    reader: _OptionReader,
    comments: _Comments,
    fd: descriptor_pb2.FileDescriptorProto,
    msg: descriptor_pb2.DescriptorProto,
    prefix: str,
    outer: str,
    path: tuple[int, ...],
) -> None:
    full_name = prefix + msg.name
    nested_maps = {
        f"{full_name}.{n.name}": n for n in msg.nested_type if n.options.map_entry
    }
    for i, nested in enumerate(msg.nested_type):
        if nested.options.map_entry:
            continue
        _add_message(
            model, reader, comments, fd, nested, full_name + ".", outer + msg.name,
            (*path, _MESSAGE_NESTED, i),
        )
    for i, en in enumerate(msg.enum_type):
        _add_enum(model, reader, comments, fd, en, full_name + ".", outer + msg.name,
                  (*path, _MESSAGE_ENUM, i))
    fields = []
    for i, fdp in enumerate(msg.field):
        fields.append(
            _field(reader, comments, msg, fdp, (*path, _MESSAGE_FIELD, i), nested_maps)
        )
    model.messages[full_name] = Message_(
        full_name=full_name,
        name=outer + msg.name,
        package=fd.package,
        file=fd.name,
        fields=tuple(fields),
        comment=comments.get(path),
        wire_header=bool(reader.read(msg.options, "prim.v1.wire_header")),
        header_reserved=tuple((r.word, r.offset, r.bits)
                              for r in reader.read(msg.options, "prim.v1.header_reserved") or ()),
    )


def _field(
    reader: _OptionReader,
    comments: _Comments,
    msg: descriptor_pb2.DescriptorProto,
    fdp: descriptor_pb2.FieldDescriptorProto,
    path: tuple[int, ...],
    nested_maps: dict[str, descriptor_pb2.DescriptorProto],
) -> Field:
    behaviors = reader.read(fdp.options, "google.api.field_behavior") or []
    type_name = fdp.type_name.lstrip(".")
    map_key = map_value = None
    if type_name in nested_maps:
        entry = nested_maps[type_name]
        map_key = _field(reader, _Comments(descriptor_pb2.FileDescriptorProto()), entry,
                         entry.field[0], (), {})
        map_value = _field(reader, _Comments(descriptor_pb2.FileDescriptorProto()), entry,
                           entry.field[1], (), {})
    oneof = ""
    if fdp.HasField("oneof_index") and not fdp.proto3_optional:
        oneof = msg.oneof_decl[fdp.oneof_index].name
    header = reader.read(fdp.options, "prim.v1.header")
    rules = reader.read(fdp.options, "prim.v1.rules")
    return Field(
        name=fdp.name,
        number=fdp.number,
        json_name=fdp.json_name or to_camel(fdp.name),
        kind=SCALAR_NAMES.get(fdp.type, "message"),
        type_name=type_name,
        repeated=fdp.label == FDP.LABEL_REPEATED and map_value is None,
        optional=fdp.proto3_optional,
        oneof=oneof,
        required=_FIELD_BEHAVIOR_REQUIRED in behaviors,
        output_only=_FIELD_BEHAVIOR_OUTPUT_ONLY in behaviors,
        comment=comments.get(path),
        map_key=map_key,
        map_value=map_value,
        header_word=header.word if header is not None else None,
        header_bits=header.bits if header is not None else None,
        header_offset=_header_offset(header),
        min_length=rules.min_length if rules is not None else 0,
        max_length=rules.max_length if rules is not None else 0,
        max_items=rules.max_items if rules is not None else 0,
        pattern=rules.pattern if rules is not None else "",
        minimum=_optional_rule(rules, "minimum"),
        maximum=_optional_rule(rules, "maximum"),
        default_value=int(getattr(rules, "default_value", 0)) if rules is not None else 0,
        enum_in=tuple(getattr(rules, "enum_in", ())) if rules is not None else (),
        id_kind=_enum_rule(rules, "id", "ID_KIND_"),
        not_caller=str(getattr(rules, "not_caller", "")) if rules is not None else "",
        text_form=_enum_rule(rules, "text", "TEXT_FORM_"),
        header_max=str(getattr(rules, "header_max", "")) if rules is not None else "",
        unique=bool(getattr(rules, "unique", False)) if rules is not None else False,
    )


def _enum_rule(rules: Any, name: str, prefix: str) -> str:
    """An enum-valued rule by its value name without the prefix ("" for the zero value, and
    for specs from before the rule existed, read by check-breaking)."""
    if rules is None or name not in rules.DESCRIPTOR.fields_by_name:
        return ""
    enum = rules.DESCRIPTOR.fields_by_name[name].enum_type
    value = enum.values_by_number[getattr(rules, name)].name
    return "" if value.endswith("_UNSPECIFIED") else value.removeprefix(prefix)


def _optional_rule(rules: Any, name: str) -> int | None:
    # Specs from before a rule existed (read by check-breaking) have no such field.
    if rules is None or name not in rules.DESCRIPTOR.fields_by_name:
        return None
    return int(getattr(rules, name)) if rules.HasField(name) else None


def _header_offset(header: Any) -> int | None:
    # Specs from before HeaderBits.offset existed (read by check-breaking) have no such field.
    if header is None or "offset" not in header.DESCRIPTOR.fields_by_name:
        return None
    return int(header.offset) if header.HasField("offset") else None


def _add_enum(
    model: Model,
    reader: _OptionReader,
    comments: _Comments,
    fd: descriptor_pb2.FileDescriptorProto,
    en: descriptor_pb2.EnumDescriptorProto,
    prefix: str,
    outer: str,
    path: tuple[int, ...],
) -> None:
    enum_prefix = _enum_prefix(en.name)
    values = []
    for i, v in enumerate(en.value):
        info = reader.read(v.options, "prim.v1.msg_type")
        err = reader.read(v.options, "prim.v1.error")
        scope = reader.read_enum_names(v.options, "prim.v1.error_scope")
        short = v.name[len(enum_prefix):] if v.name.startswith(enum_prefix) else v.name
        values.append(
            EnumValue(
                name=v.name,
                short_name=short,
                number=v.number,
                comment=comments.get((*path, _ENUM_VALUE, i)),
                msg_type=_msg_type_info(info) if info is not None else None,
                http_status=err.http_status if err is not None else None,
                retryable=err.retryable if err is not None else False,
                grpc_status=_grpc_status(err),
                error_scope=scope[0].removeprefix("ERROR_SCOPE_").replace("UNSPECIFIED", "")
                if scope else "",
            )
        )
    full_name = prefix + en.name
    model.enums[full_name] = Enum(
        full_name=full_name,
        name=outer + en.name,
        package=fd.package,
        file=fd.name,
        values=tuple(values),
        comment=comments.get(path),
    )


def _msg_type_info(info: Any) -> MsgTypeInfo:
    category = info.DESCRIPTOR.fields_by_name["category"].enum_type.values_by_number
    payload = info.DESCRIPTOR.fields_by_name["payload"].enum_type.values_by_number
    return MsgTypeInfo(
        category=category[info.category].name.removeprefix("MSG_CATEGORY_"),
        sequenced=info.sequenced,
        payload=payload[info.payload].name.removeprefix("PAYLOAD_KIND_"),
        payload_message=info.payload_message,
        from_client=info.from_client,
        from_server=info.from_server,
        media_types=tuple(getattr(info, "media_types", ())),
    )


def _service(
    reader: _OptionReader,
    comments: _Comments,
    fd: descriptor_pb2.FileDescriptorProto,
    svc: descriptor_pb2.ServiceDescriptorProto,
    path: tuple[int, ...],
) -> Service:
    methods = []
    for i, m in enumerate(svc.method):
        rule = reader.read(m.options, "google.api.http")
        bindings: list[HttpBinding] = []
        if rule is not None:
            bindings.append(_binding(rule, f"{svc.name}.{m.name}"))
            for extra in rule.additional_bindings:
                bindings.append(_binding(extra, f"{svc.name}.{m.name}"))
        methods.append(
            Method(
                name=m.name,
                input_type=m.input_type.lstrip("."),
                output_type=m.output_type.lstrip("."),
                comment=comments.get((*path, _SERVICE_METHOD, i)),
                http=tuple(bindings),
                public=bool(reader.read(m.options, "prim.v1.public")),
                errors=tuple(reader.read_enum_names(m.options, "prim.v1.errors")),
                client_streaming=m.client_streaming,
                server_streaming=m.server_streaming,
            )
        )
    prefix = f"{fd.package}." if fd.package else ""
    return Service(
        full_name=prefix + svc.name,
        name=svc.name,
        package=fd.package,
        file=fd.name,
        methods=tuple(methods),
        comment=comments.get(path),
    )


def _binding(rule: Any, where: str) -> HttpBinding:
    pattern_kind = rule.WhichOneof("pattern")
    if pattern_kind is None:
        raise SpecError(f"{where}: google.api.http has no verb")
    if pattern_kind == "custom":
        verb, path = rule.custom.kind.upper(), rule.custom.path
    else:
        verb, path = pattern_kind.upper(), getattr(rule, pattern_kind)
    variables = tuple(
        PathVariable(field_path=tuple(m.group(1).split(".")), pattern=m.group(2) or "*")
        for m in _PATH_VARIABLE.finditer(path)
    )
    return HttpBinding(
        verb=verb, path=path, body=rule.body, response_body=rule.response_body,
        variables=variables,
    )


def _check(model: Model) -> None:
    """Rules of the spec that protoc itself does not enforce."""
    for svc in model.services:
        for m in svc.methods:
            req = model.message(m.input_type)
            paged = any(f.name == "page_token" for f in req.fields)
            answered = {f.name: f for f in model.message(m.output_type).fields}
            token = answered.get("next_page_token")
            if paged != (token is not None and token.kind == "string"):
                raise SpecError(f"{svc.name}.{m.name}: a request with page_token and an "
                                "answer with next_page_token (a string) go together")
            for b in m.http:
                where = f"{svc.name}.{m.name} {b.verb} {b.path}"
                for var in b.variables:
                    _resolve_path(model, req, var.field_path, where)
                if b.body not in ("", "*"):
                    try:
                        req.field(b.body)
                    except KeyError:
                        raise SpecError(f"{where}: body field {b.body!r} does not exist") from None
                if b.verb == "GET" and b.body:
                    raise SpecError(f"{where}: GET cannot have a body")
    for msg in model.generated_messages():
        for f in msg.fields:
            where = f"{msg.full_name}.{f.name}"
            if (f.min_length or f.max_length) and f.kind != "string":
                raise SpecError(f"{where}: min_length/max_length apply to strings only")
            if f.max_length and f.min_length > f.max_length:
                raise SpecError(f"{where}: min_length is above max_length")
            if f.max_items and not f.repeated:
                raise SpecError(f"{where}: max_items applies to repeated fields only")
            _check_numbers(model, f, where)
            _check_request_rules(model, f, where)
        _check_paging(msg)
    # The header's layout is checked where it is worked out: emitters/_header_layout.py.


INTEGER_KINDS = frozenset({"int32", "int64", "uint32", "uint64", "sint32", "sint64",
                           "fixed32", "fixed64", "sfixed32", "sfixed64"})


def _check_numbers(model: Model, f: Field, where: str) -> None:
    numeric = f.minimum is not None or f.maximum is not None or f.default_value
    if numeric and (f.kind not in INTEGER_KINDS or f.repeated or "64" in f.kind):
        # 64-bit integers are strings in JSON: their ranges would need patterns.
        raise SpecError(f"{where}: minimum/maximum/default_value apply to 32-bit integer "
                        "fields only")
    low = f.minimum if f.minimum is not None else 0
    if f.maximum is not None and low > f.maximum:
        raise SpecError(f"{where}: minimum is above maximum")
    if f.default_value and not (low <= f.default_value <= (f.maximum or f.default_value)):
        raise SpecError(f"{where}: default_value is outside minimum..maximum")
    if f.enum_in:
        if f.kind != "enum":
            raise SpecError(f"{where}: enum_in applies to enum fields only")
        names = {v.name for v in model.enum(f.type_name).values}
        unknown = [n for n in f.enum_in if n not in names]
        if unknown:
            raise SpecError(f"{where}: enum_in names {', '.join(unknown)}, not values of "
                            f"{f.type_name}")


def _check_request_rules(model: Model, f: Field, where: str) -> None:
    """The rules the generated validators apply (ids, text forms, header ranges)."""
    if (f.id_kind or f.header_max) and (f.kind not in INTEGER_KINDS or f.repeated):
        raise SpecError(f"{where}: id and header_max apply to single integer fields only")
    if f.not_caller and f.id_kind not in ("USER", "PEER"):
        raise SpecError(f"{where}: not_caller applies to user or peer id fields only")
    if f.text_form and f.kind != "string":
        raise SpecError(f"{where}: text applies to string fields only")
    if f.unique and not f.repeated:
        raise SpecError(f"{where}: unique applies to repeated fields only")
    if f.header_max:
        header = model.header_message()
        try:
            bits = header.field(f.header_max).header_bits if header is not None else None
        except KeyError:
            bits = None
        if bits is None:
            raise SpecError(f"{where}: header_max {f.header_max!r} names no wire header field")


def _check_paging(msg: Message_) -> None:
    """One paging scheme (AIP-158): a request with page_token has a page_size whose default
    and maximum the spec declares; the answer's next_page_token is checked per RPC."""
    names = {f.name: f for f in msg.fields}
    if "page_token" not in names:
        return
    size = names.get("page_size")
    if size is None or size.maximum is None or not size.default_value:
        raise SpecError(f"{msg.full_name}: a paged request needs page_size with "
                        "(prim.v1.rules) maximum and default_value")


def _resolve_path(model: Model, req: Message_, path: tuple[str, ...], where: str) -> Field:
    msg = req
    f: Field | None = None
    for i, part in enumerate(path):
        try:
            f = msg.field(part)
        except KeyError:
            raise SpecError(f"{where}: path variable {'.'.join(path)!r} names no field") from None
        if f.repeated or f.is_map:
            raise SpecError(f"{where}: path variable {'.'.join(path)!r} is repeated")
        if i < len(path) - 1:
            if f.kind != "message":
                raise SpecError(f"{where}: {'.'.join(path[: i + 1])!r} is not a message")
            msg = model.message(f.type_name)
    assert f is not None
    if f.kind == "message":
        raise SpecError(f"{where}: path variable {'.'.join(path)!r} is a message")
    return f


def resolve_field_path(model: Model, req: Message_, path: tuple[str, ...]) -> Field:
    """The field a (possibly dotted) path variable names inside request message `req`."""
    return _resolve_path(model, req, path, req.full_name)


@dataclass(frozen=True)
class QueryParam:
    """A request field that travels in the query string (HttpRule: neither path nor body)."""

    field_path: tuple[str, ...]
    json_path: tuple[str, ...]
    field: Field

    @property
    def name(self) -> str:
        """The query parameter's name: JSON names joined with dots (grpc-gateway style)."""
        return ".".join(self.json_path)


def query_params(model: Model, method: Method, binding: HttpBinding) -> list[QueryParam]:
    """HttpRule: with `body: "*"` nothing is left for the query; otherwise every field that is
    neither bound to the path nor the body, recursing into non-repeated message fields.
    Members of a oneof are listed one by one (the oneof itself is not a parameter)."""
    if binding.body == "*":
        return []
    req = model.message(method.input_type)
    bound = {v.field_path for v in binding.variables}
    out: list[QueryParam] = []

    def walk(msg: Message_, prefix: tuple[str, ...], json_prefix: tuple[str, ...],
             seen: frozenset[str]) -> None:
        for f in msg.fields:
            path = (*prefix, f.name)
            if path in bound or (not prefix and f.name == binding.body):
                continue
            if f.is_map:
                continue  # maps have no query-string form in HttpRule
            if f.kind == "message":
                if f.repeated or f.type_name in seen or f.type_name.startswith("google."):
                    continue
                walk(model.message(f.type_name), path, (*json_prefix, f.json_name),
                     seen | {f.type_name})
                continue
            out.append(QueryParam(field_path=path, json_path=(*json_prefix, f.json_name),
                                  field=f))

    walk(req, (), (), frozenset({req.full_name}))
    return out


def python_module(package: str) -> str:
    """Where betterproto2's classes of a proto package live under prim.generated."""
    return "prim.generated." + package if package else "prim.generated"
