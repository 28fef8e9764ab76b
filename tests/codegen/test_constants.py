"""(prim.v1.constants): read from the spec's files, merged, checked; the generated module
applies them; and no hand-written copy of what the spec now declares is left outside
generated code."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from prim.codegen.model import Constants, SpecError
from prim.codegen.run import REPO, spec_files
from prim.generated import constants
from prim.generated.prim.v1 import MsgType
from prim.generated.wire import MSG_TYPE_INFO, PayloadError, parse_payload
from tests.codegen._spec import compile_model, spec_model


def _edited_spec(tmp_path: Path, file: str, old: str, new: str) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "spec", root / "spec")
    path = root / "spec" / "prim" / "v1" / file
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))
    return root


def _model_of(root: Path) -> None:
    compile_model(root / "spec", spec_files(root))


def test_the_spec_declares_each_constant_once() -> None:
    assert spec_model().constants == Constants(
        group_id_bit=36, friend_request_ttl_ms=7 * 24 * 3600 * 1000,
        user_channel_key="u{low}-{high}", group_channel_key="g{group}")


def test_a_constant_set_in_two_files_is_refused(tmp_path: Path) -> None:
    root = _edited_spec(tmp_path, "friends.proto", "{friend_request_ttl_ms: 604800000}",
                        "{friend_request_ttl_ms: 604800000 group_id_bit: 36}")
    with pytest.raises(SpecError, match="group_id_bit is set twice"):
        _model_of(root)


def test_a_missing_constant_is_refused(tmp_path: Path) -> None:
    root = _edited_spec(tmp_path, "friends.proto",
                        "option (prim.v1.constants) = {friend_request_ttl_ms: 604800000};", "")
    with pytest.raises(SpecError, match="lacks friend_request_ttl_ms"):
        _model_of(root)


def test_a_channel_key_with_the_wrong_placeholders_is_refused(tmp_path: Path) -> None:
    root = _edited_spec(tmp_path, "wire.proto", '"u{low}-{high}"', '"u{low}-{low}"')
    with pytest.raises(SpecError, match="user_channel_key"):
        _model_of(root)


def test_generated_channel_key_follows_the_formats() -> None:
    group = constants.GROUP_ID_BASE + 7
    assert constants.channel_key(9, 5) == constants.channel_key(5, 9) == "u5-9"
    assert constants.channel_key(5, group) == f"g{group}"
    assert constants.is_group_id(group) and not constants.is_group_id(group - 8)


def test_upload_kinds_are_the_types_with_media_types() -> None:
    kinds = {MsgType(t) for t, info in MSG_TYPE_INFO.items() if info.media_types}
    assert kinds == {MsgType.FILE, MsgType.IMAGE, MsgType.VIDEO, MsgType.AUDIO}
    assert MSG_TYPE_INFO[MsgType.IMAGE].media_types == ("image/*",)


def test_parse_payload_uses_the_declared_class() -> None:
    with pytest.raises(PayloadError, match="no protobuf payload"):
        parse_payload(MsgType.TEXT, b"hi")
    with pytest.raises(PayloadError, match="not a valid EditPayload"):
        parse_payload(MsgType.EDIT, b"\x08")  # a varint cut short


# What used to be written by hand outside generated code, and must not come back: each
# pattern is a copy of something the spec now declares.
HAND_COPIES = {
    "the group id base": re.compile(r"1\s*<<\s*36|68719476736|2\s*\*\*\s*36"),
    "the friend-request lifetime": re.compile(r"7\s*\*\s*24\s*\*\s*3600\s*\*\s*1000|604800000"),
    "the channel-key formats": re.compile(r"""f["']g\{|f["']u\{[^}]*\}-\{"""),
    "a spec enum copied by number": re.compile(
        r"class (FriendStatus|GroupRole|RequestState|JoinRequestState|MsgType)\b"),
    "a limit looked up by name": re.compile(
        r"""(max_length|min_length|max_items)\(\s*["']prim\."""),
    "media types per kind": re.compile(
        r"""MsgType\.(IMAGE|VIDEO|AUDIO):\s*["'](image|video|audio)/"""),
    "an HTTP -> gRPC status table": re.compile(r"\b[45]\d\d\s*:\s*Status\."),
    "the content-type limit or media-type pattern": re.compile(
        r"CONTENT_TYPE_MAX\s*=|a-z0-9!#\$&\^_\.\+-"),
    "a payload class chosen by hand": re.compile(r"\b(EditPayload|WithdrawPayload|FriendEvent"
                                                 r"|GroupEvent|RelationshipEvent)\.parse\("),
}
_SOURCES = ("runtime", "services", "clients/python", "codegen", "bench", "conformance")


def hand_copies(patterns: dict[str, re.Pattern[str]], tops: tuple[str, ...]) -> list[str]:
    """"file:line: what: match" for each match of `patterns` in the Python files of `tops`."""
    found = []
    for top in tops:
        for path in sorted((REPO / top).rglob("*.py")):
            text = path.read_text()
            for what, pattern in patterns.items():
                for m in pattern.finditer(text):
                    line = text.count("\n", 0, m.start()) + 1
                    found.append(f"{path.relative_to(REPO)}:{line}: {what}: {m.group(0)!r}")
    return found


def test_no_hand_written_copy_of_spec_constants_is_left() -> None:
    assert hand_copies(HAND_COPIES, _SOURCES) == []
