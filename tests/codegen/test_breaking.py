"""`make check-breaking` and `make lint-spec` on temp copies of the spec: each kind of break
the issue names (a renumbered field, a moved MsgType, a changed header bit width, a removed
HTTP field or binding) is caught, additive changes pass, and buf lint refuses a bad name.

buf comes from clients/ts/node_modules (npm ci); without it these tests skip, unless
PRIM_REQUIRE_NODE=1 (CI).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from prim.codegen import buf
from prim.codegen.breaking import check
from prim.codegen.run import REPO


@pytest.fixture(autouse=True)
def _need_buf() -> None:
    if not buf.BUF.exists():
        reason = f"{buf.BUF} is missing (npm ci in clients/ts; CI sets PRIM_REQUIRE_NODE=1)"
        if os.environ.get("PRIM_REQUIRE_NODE") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def old_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("old") / "spec"
    shutil.copytree(REPO / "spec", dest)
    return dest


@pytest.fixture
def new_spec(tmp_path: Path) -> Path:
    dest = tmp_path / "spec"
    shutil.copytree(REPO / "spec", dest)
    return dest


def edit(spec: Path, file: str, old: str, new: str) -> None:
    path = spec / "prim" / "v1" / file
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not in {file} exactly once"
    path.write_text(text.replace(old, new))


def test_the_unchanged_spec_passes(old_spec: Path, new_spec: Path) -> None:
    assert check(old_spec, new_spec) == []


def test_an_added_field_and_binding_pass(old_spec: Path, new_spec: Path) -> None:
    edit(new_spec, "users.proto", "  uint64 last_online_at_ms = 6;\n",
         "  uint64 last_online_at_ms = 6;\n  string pronouns = 7;\n")
    edit(new_spec, "users.proto", 'option (google.api.http) = {get: "/v1/users/{user_id}"};',
         'option (google.api.http) = {get: "/v1/users/{user_id}" '
         'additional_bindings {get: "/v1/people/{user_id}"}};')
    assert check(old_spec, new_spec) == []


def test_a_renumbered_field_is_caught(old_spec: Path, new_spec: Path) -> None:
    head = "message Profile {\n  uint64 user_id = 1;\n"
    edit(new_spec, "users.proto", f"{head}  string nickname = 2;", f"{head}  string nickname = 7;")
    problems = check(old_spec, new_spec)
    assert any('field "2" with name "nickname" on message "Profile"' in p for p in problems), (
        problems)


def test_a_moved_msg_type_is_caught(old_spec: Path, new_spec: Path) -> None:
    edit(new_spec, "wire.proto", "MSG_TYPE_TYPING = 104", "MSG_TYPE_TYPING = 105")
    problems = check(old_spec, new_spec)
    assert "MsgType MSG_TYPE_TYPING: number 104 became 105" in problems


def test_a_changed_msg_type_property_is_caught(old_spec: Path, new_spec: Path) -> None:
    # Invisible to buf (an option's value), visible to every client on the wire.
    edit(new_spec, "wire.proto",
         "MSG_TYPE_TYPING = 104 [(prim.v1.msg_type) = {category: MSG_CATEGORY_LOGIC, "
         "payload: PAYLOAD_KIND_EMPTY",
         "MSG_TYPE_TYPING = 104 [(prim.v1.msg_type) = {category: MSG_CATEGORY_LOGIC, "
         "payload: PAYLOAD_KIND_BYTES")
    assert check(old_spec, new_spec) == ["MsgType MSG_TYPE_TYPING: payload 'EMPTY' became 'BYTES'"]


def test_a_changed_header_bit_width_is_caught(old_spec: Path, new_spec: Path) -> None:
    # A consistent new layout (word 1 still holds 64 bits), so only the comparison objects.
    edit(new_spec, "wire.proto", "node_id = 3 [(prim.v1.header) = {word: 1, offset: 0, bits: 18}]",
         "node_id = 3 [(prim.v1.header) = {word: 1, offset: 0, bits: 20}]")
    edit(new_spec, "wire.proto",
         "receiver = 4 [(prim.v1.header) = {word: 1, offset: 18, bits: 46}]",
         "receiver = 4 [(prim.v1.header) = {word: 1, offset: 20, bits: 44}]")
    assert check(old_spec, new_spec) == [
        "header field node_id: word 1 offset 0 bits 18 became word 1 offset 0 bits 20",
        "header field receiver: word 1 offset 18 bits 46 became word 1 offset 20 bits 44",
    ]


def test_reordering_header_fields_moves_no_bits(old_spec: Path, new_spec: Path) -> None:
    # The offsets, not the field order, are the layout: swapping two declarations is no break.
    header = new_spec / "prim" / "v1" / "wire.proto"
    lines = header.read_text().splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if line.startswith("  uint32 payload_length = 8"))
    j = next(n for n, line in enumerate(lines) if line.startswith("  uint64 seqnum = 9"))
    lines[i], lines[j] = lines[j], lines[i]
    header.write_text("".join(lines))
    assert check(old_spec, new_spec) == []


def test_a_removed_http_field_is_caught(old_spec: Path, new_spec: Path) -> None:
    edit(new_spec, "users.proto", "  string signature = 4;\n  // Milliseconds", "  // Milliseconds")
    problems = check(old_spec, new_spec)
    assert any('field "4" with name "signature" on message "Profile" was deleted' in p
               for p in problems), problems


def test_a_removed_or_moved_http_binding_is_caught(old_spec: Path, new_spec: Path) -> None:
    edit(new_spec, "users.proto", 'option (google.api.http) = {get: "/v1/users/{user_id}"};',
         'option (google.api.http) = {get: "/v1/user/{user_id}"};')
    assert check(old_spec, new_spec) == [
        "prim.v1.UserService.GetUser: HTTP binding GET /v1/users/{user_id} (body '') "
        "removed or changed"
    ]


def test_the_committed_snapshot_stands_for_the_old_version(old_spec: Path) -> None:
    # An old snapshot that promised a MsgType this spec lacks: the comparison uses it.
    old = {"header": None, "http": {}, "msg_types": {"MSG_TYPE_FAX": {"number": 200}}}
    assert check(old_spec, old_spec, old) == ["MsgType MSG_TYPE_FAX (200): removed"]


def test_buf_lint_passes_on_the_spec_and_refuses_a_bad_name(new_spec: Path) -> None:
    assert buf.lint(new_spec) == []
    edit(new_spec, "users.proto", "message Profile {", "message profile_info {}\nmessage Profile {")
    problems = buf.lint(new_spec)
    assert any("profile_info" in p and "PascalCase" in p for p in problems), problems


def test_a_changed_group_id_base_or_channel_key_is_caught(old_spec: Path,
                                                          new_spec: Path) -> None:
    # Stored ids and message-log keys depend on them: no protobuf descriptor says so.
    edit(new_spec, "wire.proto", "group_id_bit: 36", "group_id_bit: 40")
    edit(new_spec, "wire.proto", 'group_channel_key: "g{group}"', 'group_channel_key: "G{group}"')
    problems = check(old_spec, new_spec)
    assert "(prim.v1.constants).group_id_bit: 36 became 40" in problems
    assert "(prim.v1.constants).group_channel_key: 'g{group}' became 'G{group}'" in problems


def test_a_changed_friend_request_lifetime_passes(old_spec: Path, new_spec: Path) -> None:
    edit(new_spec, "friends.proto", "friend_request_ttl_ms: 604800000",
         "friend_request_ttl_ms: 1209600000")
    assert check(old_spec, new_spec) == []
