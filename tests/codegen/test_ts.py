"""The TypeScript SDK: the generated sources type-check under `tsc --strict`, the compiled
header codec reproduces the wire vectors under Node, the compiled client speaks HttpRule
to a fake fetch, and the client and types cover the whole spec.

Node and npm are needed; without them these tests skip, unless PRIM_REQUIRE_NODE=1 (as
in CI), where a missing Node is a failure.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import betterproto2
import pytest
from google.protobuf import descriptor_pb2

from prim.codegen.emitters import _ts_payloads, ts
from prim.codegen.emitters._ts_client import http_services
from prim.codegen.emitters._ts_common import json_name, method_name, service_property
from prim.codegen.emitters._ts_types import request_messages
from prim.codegen.model import Model, build_model
from prim.codegen.run import REPO, include_dirs, spec_files
from prim.generated import constants, wire
from prim.generated.prim import v1
from tests.ts_sdk import SDK, compile_sdk, node_modules, run

GENERATED = REPO / "generated" / "ts"
VECTORS = REPO / "conformance" / "vectors" / "header.json"


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Model:
    """The spec's model, built the way protoc hands it to the plugin."""
    from grpc_tools import protoc

    out = tmp_path_factory.mktemp("descriptors") / "spec.pb"
    files = spec_files(REPO)
    status = protoc.main([
        "grpc_tools.protoc", f"-I{REPO / 'spec'}", *(f"-I{d}" for d in include_dirs()),
        f"--descriptor_set_out={out}", "--include_imports", "--include_source_info", *files,
    ])
    assert status == 0
    fds = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    return build_model(list(fds.file), files)


_run = run


@pytest.fixture(scope="module")
def tsc() -> Path:
    """The SDK's pinned tsc."""
    return node_modules() / ".bin" / "tsc"


@pytest.fixture(scope="module")
def dist() -> Iterator[Path]:
    """The SDK compiled into a private folder (not clients/ts/dist, which a developer's
    `npm run build` owns)."""
    with tempfile.TemporaryDirectory(prefix="prim-ts-") as tmp:
        yield compile_sdk(Path(tmp))


def test_generated_ts_is_what_the_emitter_produces(model: Model) -> None:
    for path, content in ts.emit(model).items():
        assert (GENERATED / Path(path).name).read_text() == content, f"{path} is stale"


def test_tsc_strict_accepts_the_sources(tsc: Path) -> None:
    result = _run([str(tsc), "-p", "tsconfig.json", "--strict", "--noEmit"], SDK)
    assert result.returncode == 0, result.stdout + result.stderr


def test_biome_lints_the_hand_written_sources(tsc: Path) -> None:
    result = _run([str(tsc.parent / "biome"), "lint", "src", "test",
                   "../../codegen/emitters/ts_runtime"], SDK)
    assert result.returncode == 0, result.stdout + result.stderr


def test_header_codec_reproduces_the_vectors_under_node(dist: Path) -> None:
    result = _run(["node", "test/vectors.mjs", str(dist / "generated" / "ts"), str(VECTORS)], SDK)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b[1-9]\d* passed, 0 failed", result.stdout), result.stdout


def test_codec_check_fails_on_a_wrong_vector(dist: Path, tmp_path: Path) -> None:
    """The vectors script is not vacuous: one flipped bit makes it fail."""
    vectors = json.loads(VECTORS.read_text())
    case = next(c for c in vectors["valid"] if c["name"] == "typical_text_from_client")
    case["hex"] = case["hex"][:-1] + ("0" if case["hex"][-1] != "0" else "1")
    bad = tmp_path / "header.json"
    bad.write_text(json.dumps(vectors))
    result = _run(["node", "test/vectors.mjs", str(dist / "generated" / "ts"), str(bad)], SDK)
    assert result.returncode != 0
    assert "typical_text_from_client" in result.stderr


def test_gap_tracker_under_node(dist: Path) -> None:
    result = _run(["node", "test/gaps.mjs", str(dist)], SDK)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b[1-9]\d* passed, 0 failed", result.stdout), result.stdout


def test_client_speaks_http_rule_to_a_fake_fetch(dist: Path) -> None:
    result = _run(["node", "test/client.mjs", str(dist / "generated" / "ts")], SDK)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b[1-9]\d* passed, 0 failed", result.stdout), result.stdout


def _client_routes() -> dict[tuple[str, str], tuple[str, str]]:
    """(service class, method) -> (verb, path template) as written in client.ts, with each
    `${pathSegment("x", ...)}` turned back into `{x}`."""
    source = (GENERATED / "client.ts").read_text()
    routes: dict[tuple[str, str], tuple[str, str]] = {}
    for block in re.split(r"^export class ", source, flags=re.MULTILINE)[1:]:
        cls = block.split(" ", 1)[0]
        for m in re.finditer(
            r"^  async (\w+)\(.*?method: \"(\w+)\",\s*path: ([`\"])(.*?)\3,", block,
            flags=re.MULTILINE | re.DOTALL,
        ):
            path = re.sub(r"\$\{pathSegments?\(\"([\w.]+)\", [^}]*\)\}", r"{\1}", m.group(4))
            routes[(cls, m.group(1))] = (m.group(2), path)
    return routes


def test_client_covers_every_http_method_of_the_spec(model: Model) -> None:
    expected = {
        (f"{svc.name}Client", method_name(m.name)): (m.http[0].verb, m.http[0].path)
        for svc in model.services
        for m in svc.methods
        if m.http
    }
    assert len(expected) > 40
    assert _client_routes() == expected
    client = (GENERATED / "client.ts").read_text()
    for svc in http_services(model):
        assert f"readonly {service_property(svc.name)}: {svc.name}Client;" in client


def test_types_cover_every_message_and_enum(model: Model) -> None:
    source = (GENERATED / "types.ts").read_text()
    declared = set(re.findall(r"^export (?:interface|type) (\w+)", source, re.MULTILINE))
    for m in model.generated_messages():
        assert m.name in declared
    for e in model.generated_enums():
        assert e.name in declared


def test_required_fields_are_mandatory_only_in_requests(model: Model) -> None:
    source = (GENERATED / "types.ts").read_text()
    requests = request_messages(model)
    checked = 0
    for m in model.generated_messages():
        block = re.search(rf"^export interface {m.name} \{{\n(.*?)^\}}", source,
                          re.MULTILINE | re.DOTALL)
        if not m.fields:
            continue
        assert block is not None, m.name
        for f in m.fields:
            mandatory = f.required and m.full_name in requests
            mark = "" if mandatory else r"\?"
            assert re.search(rf"^  {json_name(f)}{mark}: ", block.group(1), re.MULTILINE), (
                f"{m.name}.{json_name(f)} should be {'required' if mandatory else 'optional'}"
            )
            checked += mandatory
    assert checked > 20


def test_json_forms_of_scalar_types() -> None:
    source = (GENERATED / "types.ts").read_text()
    assert "  userId?: string;" in source  # uint64 -> string
    assert "  newPayload: string;" in source  # bytes -> base64 string, REQUIRED in a request
    assert "  pageSize?: number;" in source  # uint32 -> number
    assert "  tags?: string[];" in source  # repeated
    assert "  type?: MsgType;" in source  # enum -> union of value names
    assert '  | "MSG_TYPE_TEXT"' in source


def test_ts_msg_type_table_equals_the_python_one(dist: Path) -> None:
    script = (
        "const m = await import(process.argv[1]);"
        "console.log(JSON.stringify({info: m.MSG_TYPE_INFO, types: m.MsgType,"
        " categories: m.MsgCategory, payloads: m.PayloadKind}));"
    )
    result = _run(["node", "--input-type=module", "-e", script,
                   (dist / "generated" / "ts" / "header.js").as_uri()], SDK)
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got["types"] == {v1.MsgType(t).name: int(t) for t in wire.MSG_TYPE_INFO}
    assert got["categories"] == {c.name: int(c) for c in wire.MsgCategory}
    assert got["payloads"] == {p.name: int(p) for p in wire.PayloadKind}
    assert got["info"] == {
        str(int(t)): {
            "category": int(i.category), "sequenced": i.sequenced, "payload": int(i.payload),
            "payloadMessage": i.payload_message, "fromClient": i.from_client,
            "fromServer": i.from_server, "mediaTypes": list(i.media_types),
        }
        for t, i in wire.MSG_TYPE_INFO.items()
    }


def _payload_samples() -> list[betterproto2.Message]:
    """One message of every payload type, every field set (64-bit values past 2^53)."""
    big = 2**53 + 7
    return [
        v1.AckPayload(server_timestamp_ms=big, duplicate=True),
        v1.EditPayload(target_seqnum=big, new_payload=b"\x00\xff edited \xe2\x82\xac"),
        v1.WithdrawPayload(target_seqnum=3),
        v1.ReadReceiptPayload(seqnum=2**49),
        v1.Error(code=v1.ErrorCode.BLOCKED, message="blocked: ü", field="receiver",
                 ref_timestamp_ms=big, ref_seqnum=9,
                 violations=[v1.FieldViolation(field="a", description="b"),
                             v1.FieldViolation(field="c", description="d")],
                 retry_after_ms=1500),
        v1.FriendEvent(kind=v1.FriendEventKind.ACCEPTED, requester_id=10001, target_id=10002,
                       message="hi", expires_at_ms=big),
        v1.GroupEvent(kind=v1.GroupEventKind.JOIN_APPROVED, group_id=2**36 + 1, user_id=5,
                      actor_id=6, message="welcome"),
        v1.MediaRef(file_id="f/1", content_type="image/png", size=2**33, name="cat.png",
                    sha256="ab" * 32, width=640, height=480, duration_ms=0, caption="a cat"),
        v1.RelationshipEvent(user_id=42, blocked=True),
    ]


def test_payload_codec_agrees_with_python_both_ways(dist: Path, model: Model) -> None:
    """The TS codec decodes Python's bytes into the proto3 JSON Python prints, and its own
    encoding of that JSON parses back in Python to the same message."""
    samples = _payload_samples()
    schemas = {m.full_name for m in _ts_payloads.payload_messages(model)}
    covered = {f"prim.v1.{type(s).__name__}" for s in samples}
    assert schemas == covered | {"prim.v1.FieldViolation"}, "a payload message has no sample"
    cases = [{"name": f"prim.v1.{type(s).__name__}", "hex": bytes(s).hex()} for s in samples]
    script = (
        "const sdk = await import(process.argv[1]);"
        "const cases = JSON.parse(process.argv[2]);"
        "const hex = (b) => Buffer.from(b).toString('hex');"
        "console.log(JSON.stringify(cases.map((c) => {"
        "  const schema = sdk.PAYLOAD_SCHEMAS[c.name];"
        "  const json = sdk.decodeMessage(schema, Uint8Array.from(Buffer.from(c.hex, 'hex')));"
        "  return { json, hex: hex(sdk.encodeMessage(schema, json)) }; })));"
    )
    result = _run(["node", "--input-type=module", "-e", script,
                   (dist / "clients" / "ts" / "src" / "index.js").as_uri(), json.dumps(cases)],
                  SDK)
    assert result.returncode == 0, result.stderr
    for sample, got in zip(samples, json.loads(result.stdout), strict=True):
        assert got["json"] == sample.to_dict(), type(sample).__name__
        assert type(sample).parse(bytes.fromhex(got["hex"])) == sample, type(sample).__name__


def test_ts_constants_equal_the_python_ones(dist: Path) -> None:
    """Both languages' constants come from (prim.v1.constants) and (prim.v1.rules): the same
    numbers, and channelKey forms the same keys as channel_key."""
    pairs = [(5, 9), (9, 5), (7, constants.GROUP_ID_BASE + 3), (1, constants.GROUP_ID_BASE - 1)]
    script = (
        "const m = await import(process.argv[1]);"
        "const pairs = JSON.parse(process.argv[2]);"
        "const values = Object.fromEntries(Object.entries(m).filter(([k, v]) =>"
        " /^[A-Z0-9_]+$/.test(k)).map(([k, v]) => [k, String(v)]));"
        "console.log(JSON.stringify({values, keys: pairs.map(([s, r]) =>"
        " m.channelKey(BigInt(s), BigInt(r))), group: m.isGroupId(m.GROUP_ID_BASE)}));"
    )
    result = _run(["node", "--input-type=module", "-e", script,
                   (dist / "generated" / "ts" / "constants.js").as_uri(), json.dumps(pairs)], SDK)
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    python = {k: str(v) for k, v in vars(constants).items()
              if re.fullmatch(r"[A-Z0-9_]+", k) and isinstance(v, int | str)}
    assert got["values"] == python
    assert got["keys"] == [constants.channel_key(s, r) for s, r in pairs]
    assert got["group"] is True
