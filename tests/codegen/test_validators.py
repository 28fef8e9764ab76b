"""The generated request validators (prim.generated.validate, generated/ts/validate.ts):
what each (prim.v1.rules) rule refuses and with which words, the same in Python and in
TypeScript for the same JSON request; the strict payload readers of both languages refusing
the same bytes; the spec refusing rules that cannot apply; and no hand-written copy of the
checks left in the services."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prim.codegen.model import SpecError
from prim.codegen.run import spec_files
from prim.generated.checks import RuleViolation
from prim.generated.prim.v1 import (
    CreateGroupRequest,
    MsgType,
    SendFriendRequestRequest,
    UpdateFriendRequest,
)
from prim.generated.routes import ENUMS, MESSAGES
from prim.generated.validate import VALIDATORS, validate
from prim.generated.wire import PayloadError, parse_payload
from prim.runtime.errors import json_path
from prim.runtime.http.codec import Codec
from tests.codegen._spec import compile_model
from tests.codegen.test_constants import _edited_spec, hand_copies
from tests.ts_sdk import compile_sdk, node_modules, run

_CLASSES = {cls.__name__: cls for cls in VALIDATORS}
_CODEC = Codec(MESSAGES, ENUMS)
GROUP = 1 << 36
USERS = f"1 to {GROUP - 1}"
GROUPS = f"{GROUP} to {2**46 - 1}"

# (request message, its proto3 JSON, the caller's id, (field, message) or None if valid)
CASES: list[tuple[str, dict[str, Any], int, tuple[str, str] | None]] = [
    ("SendFriendRequestRequest", {"userId": "42"}, 42,
     ("user_id", "user_id is your own id; give another user's id")),
    ("SendFriendRequestRequest", {"userId": str(GROUP)}, 42,
     ("user_id", f"user_id is a group id; give a user id ({USERS})")),
    ("SendFriendRequestRequest", {"userId": "0"}, 42,
     ("user_id", "user_id is required: the id of a user")),
    ("SendFriendRequestRequest", {"userId": str(2**46)}, 42,
     ("user_id", f"user_id is no id (user ids are {USERS})")),
    ("SendFriendRequestRequest", {"userId": "7", "message": "  hi\nthere  "}, 42, None),
    ("SendFriendRequestRequest", {"userId": "7", "remark": "a\nb"}, 42,
     ("remark", "remark may not contain control characters; remove them")),
    ("SendFriendRequestRequest", {"userId": "7", "remark": "x" * 65}, 42,
     ("remark", "remark has 65 characters; at most 64 are allowed")),
    # Both languages trim the same set (JavaScript's trim): U+3000 and U+FEFF go...
    ("SendFriendRequestRequest", {"userId": "7", "remark": " \u3000x\ufeff "}, 42, None),
    # ...U+0085 (a control character, not white space to either) stays and is refused.
    ("UpdateMyProfileRequest", {"nickname": "\u0085x"}, 42,
     ("nickname", "nickname may not contain control characters; remove them")),
    ("UpdateMyProfileRequest", {"signature": "a\n\u0007"}, 42,
     ("signature", "signature may not contain control characters other than line breaks; "
                   "remove them")),
    ("CreateGroupRequest", {"name": " \t "}, 42,
     ("name", "name may not be empty or only white space")),
    ("CreateGroupRequest", {"name": "é" * 65}, 42,
     ("name", "name has 65 characters; at most 64 are allowed")),
    ("CreateGroupRequest", {"name": "\U0001f600" * 64}, 42, None),  # code points, not UTF-16
    ("UpdateFriendRequest", {"userId": "7", "tags": {"tags": ["a", " a "]}}, 42,
     ("tags.tags", "tags.tags repeats an item; give each one once")),
    ("UpdateFriendRequest", {"userId": "7", "tags": {"tags": ["ok", " "]}}, 42,
     ("tags.tags", "tags.tags[1] may not be empty or only white space")),
    ("UpdateFriendRequest", {"userId": "7", "tags": {"tags": [str(i) for i in range(33)]}}, 42,
     ("tags.tags", "tags.tags has 33 items; at most 32 are allowed")),
    ("UpdateFriendRequest", {"userId": "7", "status": "FRIEND_STATUS_UNSPECIFIED"}, 42,
     ("status", "status must be one of FRIEND_STATUS_NORMAL, FRIEND_STATUS_SPECIAL, "
                "FRIEND_STATUS_MUTED")),
    ("ListHistoryRequest", {"peerId": "5", "fromSeqnum": str(2**50)}, 42,
     ("from_seqnum", f"from_seqnum is {2**50}; at most {2**50 - 1} is allowed (the largest "
                     "the header's seqnum holds)")),
    ("ListHistoryRequest", {"peerId": str(2**46)}, 42,
     ("peer_id", f"peer_id is no id (ids end at {2**46 - 1})")),
    ("ListHistoryRequest", {"peerId": "42"}, 42, None),  # the caller's own notifications
    ("ListHistoryRequest", {"peerId": "5", "pageSize": 201}, 42,
     ("page_size", "page_size is 201; at most 200 is allowed")),
    ("GetGroupRequest", {"groupId": "5"}, 42,
     ("group_id", f"group_id is a user id; give a group id ({GROUPS})")),
    ("KickMemberRequest", {"groupId": str(GROUP), "userId": "9"}, 9,
     ("user_id", "user_id is your own id; use LeaveGroup to leave")),
    ("ApproveJoinRequestRequest", {"groupId": str(GROUP), "userId": "9"}, 9, None),
    ("EditMessageRequest", {"peerId": "5", "seqnum": "3"}, 42,
     ("new_payload", "new_payload is required")),
    ("UploadFileRequest", {"kind": "MSG_TYPE_TEXT"}, 42,
     ("kind", "kind must be one of MSG_TYPE_FILE, MSG_TYPE_IMAGE, MSG_TYPE_VIDEO, "
              "MSG_TYPE_AUDIO")),
    ("UploadFileRequest", {}, 42,
     ("kind", "kind must be one of MSG_TYPE_FILE, MSG_TYPE_IMAGE, MSG_TYPE_VIDEO, "
              "MSG_TYPE_AUDIO")),
    ("SignupRequest", {"password": "short", "nickname": "n"}, 0,
     ("password", "password must have at least 8 character(s); it has 5")),
    ("GetUserRequest", {"userId": "0"}, 42, ("user_id", "user_id is required")),
    ("SignupRequest", {"userId": str(GROUP), "password": "p" * 8, "nickname": "n"}, 0,
     ("user_id", f"user_id is a group id; give a user id ({USERS})")),
    ("SignupRequest", {"userId": "0", "password": "p" * 8, "nickname": "n"}, 0,
     ("user_id", "user_id is required: the id of a user")),
]


def _python(name: str, body: dict[str, Any], caller: int) -> tuple[str, str, str] | None:
    """(field, message, violation field) from the Python validator, None if it passes."""
    message = _CLASSES[name].from_dict(_CODEC.decode(f"prim.v1.{name}", body))
    try:
        validate(message, caller)
    except RuleViolation as exc:
        return exc.field, exc.message, json_path(exc.field)
    return None


@pytest.mark.parametrize(("name", "body", "caller", "expected"), CASES)
def test_python_validators(name: str, body: dict[str, Any], caller: int,
                           expected: tuple[str, str] | None) -> None:
    found = _python(name, body, caller)
    assert (found[:2] if found else None) == expected


def test_text_is_trimmed_in_place() -> None:
    request = SendFriendRequestRequest(user_id=7, message="  hi\nthere \u3000", remark="\ufeffB ")
    validate(request, 42)
    assert (request.message, request.remark) == ("hi\nthere", "B")
    group = CreateGroupRequest(name=" n ", announcement=" a\nb ")
    validate(group)
    assert (group.name, group.announcement) == ("n", "a\nb")
    friend = UpdateFriendRequest.from_dict({"user_id": "7", "tags": {"tags": [" x ", "y"]}})
    validate(friend, 42)
    assert friend.tags is not None and friend.tags.tags == ["x", "y"]


@pytest.fixture(scope="module")
def dist() -> Iterator[Path]:
    node_modules()
    with tempfile.TemporaryDirectory(prefix="prim-ts-validate-") as tmp:
        yield compile_sdk(Path(tmp))


_TS_VALIDATE = """
import { pathToFileURL } from "node:url";
import path from "node:path";
import { readFileSync } from "node:fs";
const [dist, casesFile] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(path.join(dist, p)).href);
const { VALIDATORS } = await load("generated/ts/validate.js");
const out = [];
for (const [name, body, caller] of JSON.parse(readFileSync(casesFile, "utf8"))) {
  try {
    VALIDATORS["prim.v1." + name](body, caller === 0 ? undefined : String(caller));
    out.push(null);
  } catch (err) {
    out.push([err.field, err.message, err.body.violations[0].field, err.status,
              err.body.code]);
  }
}
console.log(JSON.stringify(out));
"""


def test_typescript_validators_answer_like_python(dist: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([[name, body, caller] for name, body, caller, _ in CASES]))
    script = tmp_path / "validate.mjs"
    script.write_text(_TS_VALIDATE)
    result = run(["node", str(script), str(dist), str(cases)], tmp_path, 60)
    assert result.returncode == 0, result.stderr
    for (name, body, caller, _), ts in zip(CASES, json.loads(result.stdout), strict=True):
        python = _python(name, body, caller)
        if python is None:
            assert ts is None, (name, body)
        else:
            assert ts == [*python, 400, "ERROR_CODE_INVALID_ARGUMENT"], (name, body)


# (message type, TS schema of its payload, payload hex, whether a strict reader accepts it)
PAYLOADS = [
    (MsgType.ACK, "AckPayloadSchema", "08051001", True),
    (MsgType.ACK, "AckPayloadSchema", "0001", False),  # field number 0
    (MsgType.ACK, "AckPayloadSchema", "1002", False),  # bool 2
    (MsgType.ACK, "AckPayloadSchema", "08ffffffffffffffffff02", False),  # more than 64 bits
    (MsgType.FILE, "MediaRefSchema", "30ffffffff0f", True),  # uint32 at its largest
    (MsgType.FILE, "MediaRefSchema", "308080808010", False),  # uint32 2^32
    (MsgType.ERROR, "ErrorSchema", "088080808008", False),  # enum 2^31: outside int32
]


_TS_DECODE = """
import { pathToFileURL } from "node:url";
import path from "node:path";
const [dist, cases] = process.argv.slice(2);
const sdk = await import(pathToFileURL(path.join(dist, "clients/ts/src/index.js")).href);
const out = [];
for (const [schema, hex] of JSON.parse(cases)) {
  try {
    sdk.decodeMessage(sdk[schema], Uint8Array.from(Buffer.from(hex, "hex")));
    out.push(true);
  } catch (err) {
    if (!(err instanceof sdk.PayloadDecodeError)) throw err;
    out.push(false);
  }
}
console.log(JSON.stringify(out));
"""


def _python_accepts(msg_type: int, hex_payload: str) -> bool:
    try:
        parse_payload(msg_type, bytes.fromhex(hex_payload))
    except PayloadError:
        return False
    return True


def test_payload_readers_refuse_the_same_bytes(dist: Path, tmp_path: Path) -> None:
    script = tmp_path / "decode.mjs"
    script.write_text(_TS_DECODE)
    cases = json.dumps([[schema, payload] for _, schema, payload, _ in PAYLOADS])
    result = run(["node", str(script), str(dist), cases], tmp_path, 60)
    assert result.returncode == 0, result.stderr
    ts = json.loads(result.stdout)
    python = [_python_accepts(t, payload) for t, _, payload, _ in PAYLOADS]
    assert python == ts == [ok for *_, ok in PAYLOADS]


@pytest.mark.parametrize(("old", "new", "error"), [
    ('uint64 to_seqnum = 3 [(prim.v1.rules) = {header_max: "seqnum"}];',
     'uint64 to_seqnum = 3 [(prim.v1.rules) = {header_max: "seqnumber"}];',
     "names no wire header field"),
    ("string page_token = 6;", "string page_token = 6 [(prim.v1.rules) = {id: ID_KIND_USER}];",
     "single integer fields"),
    ("uint64 since_ms = 1;", "uint64 since_ms = 1 [(prim.v1.rules) = {text: TEXT_FORM_LINE}];",
     "text applies to string"),
])
def test_rules_that_cannot_apply_are_refused(tmp_path: Path, old: str, new: str,
                                             error: str) -> None:
    root = _edited_spec(tmp_path, "messages.proto", old, new)
    with pytest.raises(SpecError, match=error):
        compile_model(root / "spec", spec_files(root))


# What the HTTP services and the SDK's HTTP client used to check by hand (argcheck.py,
# validate.py), now generated from the spec. (The wire gateway's checks of frame payloads,
# services/message, are not request validation and stay where they are.)
HAND_CHECKS = {
    "the old check modules": re.compile(r"\bargcheck\b|\bclean_text\(|\bcheck_password\("),
    "an id range by hand": re.compile(r"[<>]=? ?MAX_RECEIVER\b|GROUP_ID_BASE - 1\b"),
    "a seqnum range by hand": re.compile(r"seqnum\w*, \"\w+\"\)|past the largest seqnum"),
    "a rule's message by hand": re.compile(r"is your own id;|may not be empty or only white"
                                           r"|may not contain control characters"),
    "a limit copied from the rules": re.compile(r"_MAX = rules\.\w+_MAX_(LENGTH|ITEMS)\b"),
}
_CHECKED = ("services/api", "runtime/http", "clients/python/sdk")


def test_no_hand_written_request_check_is_left() -> None:
    assert hand_copies(HAND_CHECKS, _CHECKED) == []
