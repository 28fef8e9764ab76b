"""The suite's own pieces: case files parse into the schema, references resolve, the
driver framing splits a stream, matchers explain mismatches, features are derived from
the steps, and every subcommand has --help."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from prim.cli.conformance_run import SHIPPED_CLIENTS
from prim.conformance.cases import CaseError, load_case, load_cases
from prim.conformance.driver_wire import DriverStreamError, Unpacker, pack
from prim.conformance.drivers.raw import frame_bytes
from prim.conformance.features import client_features, exclusive, server_capabilities
from prim.conformance.http_calls import _fill, dig
from prim.conformance.matching import mismatch, subset_mismatch
from prim.conformance.matrix import ClientUnderTest, run_matrix
from prim.conformance.refs import Scope, UnknownReference
from prim.conformance.servers import EmbeddedServer
from prim.generated.prim.v1 import (
    AckPayload,
    CaseAuth,
    FrameMatcher,
    MsgType,
    ObservedFrame,
)


def test_every_case_file_parses_and_names_its_rules() -> None:
    cases = load_cases()
    assert len({c.name for c in cases}) == len(cases)
    for case in cases:
        assert case.rules, case.name
        assert case.description, case.name
        assert case.steps


def test_short_enum_names_and_numbers_become_the_schema_s(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("actors: [{name: a}]\nsteps:\n"
                    "  - connect: {device: a, auth: NONE, transport: TCP}\n"
                    "  - send: {connection: a.d, type: TEXT, timestamp: 5, text: hi}\n"
                    "  - expect: {connection: a.d, within_ms: 50, frames: [{code: BLOCKED}]}\n")
    case = load_case(path)
    assert case.name == "c"
    connect, send, expect = (case.steps[0].connect, case.steps[1].send,
                             case.steps[2].expect)
    assert connect is not None and send is not None and expect is not None
    assert connect.auth == CaseAuth.NONE
    assert send.type == MsgType.TEXT and send.timestamp == "5"
    assert expect.within_ms == 50
    assert client_features(case) == {"explicit_auth", "explicit_header", "tcp"}
    assert server_capabilities(case) == set()


def test_a_broken_case_file_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("steps: [{send: {type: NOT_A_TYPE}}]\n")
    with pytest.raises(CaseError, match=r"bad\.yaml"):
        load_case(path)


def test_references() -> None:
    scope = Scope()
    scope.set("alice", 10001)
    scope.set("m1.seqnum", 7)
    assert scope.resolve("to ${alice} after ${m1.seqnum+2}") == "to 10001 after 9"
    assert scope.number("alice") == 10001 and scope.number("0x10") == 16
    assert scope.number("", default=3) == 3
    assert scope.hex_bytes("ab*3") == b"\xab\xab\xab"
    assert scope.data({"peer": "${alice}", "n": [1, "${m1.seqnum-1}"]}) == {
        "peer": "10001", "n": [1, "6"]}
    with pytest.raises(UnknownReference, match="bob"):
        scope.resolve("${bob}")


def test_driver_framing_splits_and_refuses_garbage() -> None:
    data = pack(b"one") + pack(b"") + pack(b"three")
    unpacker = Unpacker()
    assert unpacker.feed(data[:5]) == []
    assert unpacker.feed(data[5:]) == [b"one", b"", b"three"]
    with pytest.raises(DriverStreamError):
        Unpacker().feed(b"garbage printed to stdout")


def test_matchers_explain_what_differs() -> None:
    scope = Scope()
    scope.set("m1.timestamp", 99)
    ack = ObservedFrame(type=MsgType.ACK, timestamp=99, seqnum=4,
                        payload=bytes(AckPayload(server_timestamp_ms=5, duplicate=True)))
    assert mismatch(FrameMatcher(type=MsgType.ACK, timestamp="${m1.timestamp}"), ack, scope) \
        is None
    assert mismatch(FrameMatcher(type=MsgType.TEXT), ack, scope) == "type ACK is not TEXT"
    assert mismatch(FrameMatcher(seqnum="5"), ack, scope) == "seqnum 4 is not 5"
    assert mismatch(FrameMatcher(payload_hex=""), ack, scope) is not None
    assert subset_mismatch({"duplicate": False}, {"duplicate": True}, "payload") == \
        "payload.duplicate is True, not False"
    assert subset_mismatch({"kind": "REQUESTED"}, {"kind": "FRIEND_EVENT_KIND_REQUESTED"},
                           "p") is None
    assert subset_mismatch({"n": 0}, {}, "p") is None  # proto3 JSON omits defaults


def test_http_paths_and_answers() -> None:
    assert _fill("/v1/friends/{user_id}", "user_id", "7") == "/v1/friends/7"
    assert dig({"group": {"groupId": "5"}}, "group.group_id") == "5"
    assert dig({"items": [{"a": 1}]}, "items.0.a") == 1


@pytest.mark.parametrize("words", [["conformance"], ["conformance", "run"],
                                   ["conformance", "list"], ["conformance", "relay"]])
def test_every_subcommand_has_help(words: list[str]) -> None:
    run = subprocess.run([sys.executable, "-m", "prim.cli.main", *words, "--help"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "usage:" in run.stdout


def test_list_names_every_case() -> None:
    run = subprocess.run([sys.executable, "-m", "prim.cli.main", "conformance", "list"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0
    assert f"{len(load_cases())} cases" in run.stdout
    assert "auth_bad_token: 3.1 Auth first; 8 Errors  [explicit_auth]" in run.stdout


def test_the_raw_driver_encodes_every_header_vector() -> None:
    """The raw client's frames are the spec's: every valid vector of
    conformance/vectors/header.json, with payload and extension of the lengths it names."""
    vectors = json.loads((Path(__file__).parents[2] / "conformance" / "vectors" /
                          "header.json").read_text())
    for vector in vectors["valid"]:
        f = {k: int(v) for k, v in vector["fields"].items()}
        payload, extension = b"p" * f["payload_length"], b"e" * f["extension_length"]
        data = frame_bytes(ObservedFrame(
            version=f["version"], sender=f["sender"], node_id=f["node_id"],
            receiver=f["receiver"], type=f["type"],  # type: ignore[arg-type]
            timestamp=f["timestamp"], seqnum=f["seqnum"], payload=payload,
            extension=extension))
        assert data[:32].hex() == vector["hex"], vector["name"]
        assert data[32:] == payload + extension


def test_a_client_that_does_not_speak_the_protocol_fails_every_case() -> None:
    cases = load_cases(names=["auth_ok_ping", "echo"])
    silent = ClientUnderTest("silent", f"{sys.executable} -c 'import sys; sys.exit(3)'")
    verdicts = asyncio.run(run_matrix(cases, [silent], [EmbeddedServer()]))
    assert [v.outcome for v in verdicts] == ["failed", "failed"]
    assert all(v.detail.startswith("the client did not start") for v in verdicts), verdicts


def test_which_cases_run_alone(tmp_path: Path) -> None:
    """A restart, a per-IP limit (every connection of a run comes from one address), or
    `exclusive: true` make a case run alone; other limits are per connection or user."""
    by_name = {c.name: c for c in load_cases()}
    assert exclusive(by_name["restart_keeps_history"])
    assert exclusive(by_name["connections_per_ip_limit"])
    assert not exclusive(by_name["connections_per_user_limit"])
    assert not exclusive(by_name["idle_timeout"])
    assert not exclusive(by_name["auth_ok_ping"])
    plain = Path(__file__).parents[2] / "conformance" / "cases" / "auth_ok_ping.yaml"
    (tmp_path / "marked.yaml").write_text("exclusive: true\n" + plain.read_text())
    assert exclusive(load_case(tmp_path / "marked.yaml"))


def test_cases_run_side_by_side_and_an_exclusive_one_alone(tmp_path: Path) -> None:
    """--jobs: a client's cases overlap (each on a driver process of its own), and a case
    that must run alone overlaps none."""
    for name in ("a", "b", "c", "d"):
        (tmp_path / f"{name}.yaml").write_text(
            "description: waits.\nrules: [x]\nactors: [{name: alice}]\n"
            + ("exclusive: true\n" if name == "d" else "")
            + "steps:\n  - connect: {device: alice}\n  - sleep: {ms: 2500}\n"
            "  - send: {connection: alice.d, type: PING}\n"
            "  - expect: {connection: alice.d, frames: [{type: PONG}]}\n")
    raw = ClientUnderTest("raw", SHIPPED_CLIENTS["raw"])
    verdicts = asyncio.run(run_matrix(load_cases(tmp_path), [raw], [EmbeddedServer()],
                                      jobs=3))
    assert [v.outcome for v in verdicts] == ["passed"] * 4, verdicts
    spans = {v.case: (v.started, v.started + v.seconds) for v in verdicts}

    def overlap(x: str, y: str) -> bool:
        return spans[x][0] < spans[y][1] and spans[y][0] < spans[x][1]

    assert overlap("a", "b") or overlap("a", "c") or overlap("b", "c"), spans
    assert not any(overlap("d", other) for other in "abc"), spans
