"""The HTTP outputs of the real spec: a valid OpenAPI 3.1 document with an operation for
every google.api.http binding of the model, and committed generated files that match what
the emitters produce now."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

from prim.codegen.emitters import http_client_py, interfaces_py, openapi, routes_py
from prim.codegen.emitters._openapi_http import operations
from prim.codegen.model import Model
from prim.codegen.run import REPO
from prim.generated.prim.v1 import FriendRequestState, JoinRequestState
from tests.codegen._spec import spec_model

OUTPUT_ROOTS = {"python": REPO / "generated" / "python", "openapi": REPO / "generated" / "openapi"}


@pytest.fixture(scope="module")
def model() -> Model:
    return spec_model()


@pytest.fixture(scope="module")
def doc(model: Model) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(openapi.emit(model)["openapi/openapi.json"])
    return document


def test_document_validates(doc: dict[str, Any]) -> None:
    validate(doc)


def test_every_http_binding_is_an_operation_with_schemas_and_errors(
    model: Model, doc: dict[str, Any]
) -> None:
    bindings = [(svc, m, b) for svc in model.services for m in svc.methods for b in m.http]
    assert len(bindings) == len(operations(model)) > 0
    seen = set()
    for svc, m, b in bindings:
        operation = doc["paths"][b.openapi_path][b.verb.lower()]
        seen.add(operation["operationId"])
        assert operation["operationId"].startswith(f"{svc.name}_{m.name}")
        request_fields = model.message(m.input_type).fields
        if request_fields:
            assert "requestBody" in operation or "parameters" in operation, operation
        ok = operation["responses"]["200"]["content"]
        assert all("schema" in media for media in ok.values())
        for status in ("400", "500", "503"):
            assert status in operation["responses"]
        unauthenticated = operation["responses"].get("401", {}).get("description", "")
        assert ("ERROR_CODE_UNAUTHENTICATED" in unauthenticated) is not m.public
        assert ("413" in operation["responses"]) is bool(b.body)
        assert "default" not in operation["responses"]
        assert (operation.get("security") == []) is m.public
    assert len(seen) == len(bindings)


def test_the_review_s_missing_and_stray_error_statuses(doc: dict[str, Any]) -> None:
    paths = doc["paths"]
    assert "401" in paths["/v1/sessions"]["post"]["responses"]  # Login: wrong password
    for path, item in paths.items():
        if "get" in item:
            assert not {"409", "413"} & set(item["get"]["responses"]), path
    accept = paths["/v1/friend-requests/{requester_id}/accept"]["post"]["responses"]
    assert "410" in accept
    assert "415" in paths["/v1/files"]["post"]["responses"]
    assert "503" in paths["/v1/users/me"]["get"]["responses"]


def test_error_body_is_the_spec_error_message(doc: dict[str, Any]) -> None:
    error = doc["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "field", "refTimestampMs", "refSeqnum",
                                        "violations", "retryAfterMs"}
    assert error["properties"]["violations"]["items"] == {
        "$ref": "#/components/schemas/FieldViolation"}
    assert error["properties"]["retryAfterMs"]["type"] == "integer"
    assert "ERROR_CODE_INVALID_ARGUMENT" in doc["components"]["schemas"]["ErrorCode"]["enum"]


def _links_of(doc: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item in doc["paths"].values():
        for operation in item.values():
            links = operation["responses"].get("200", {}).get("links", {})
            if links:
                out[operation["operationId"]] = set(links)
    return out


def test_links_go_from_a_create_to_what_its_caller_may_do_with_it(
    doc: dict[str, Any]
) -> None:
    # Only creates link; never to someone else's move (Accept, Approve: the other side's),
    # nor to what needs another state (the owner cannot RequestToJoin or LeaveGroup).
    assert _links_of(doc) == {
        "AccountService_Signup": {"UserService_GetUser"},
        "AccountService_Login": {"AccountService_RevokeSession"},
        "FileService_UploadFile": {"FileService_GetFileInfo", "FileService_DownloadFile",
                                   "FileService_DeleteFile"},
        "GroupService_CreateGroup": {"GroupService_GetGroup", "GroupService_UpdateGroup",
                                     "GroupService_DestroyGroup", "GroupService_ListMembers",
                                     "GroupService_ListJoinRequests"},
    }
    create = doc["paths"]["/v1/groups"]["post"]["responses"]["200"]["links"]
    assert create["GroupService_GetGroup"]["parameters"] == {"group_id": "$response.body#/groupId"}


_TIME_WORDS = ("_at", "timestamp", "since", "heartbeat", "time")
# The binary header's fields carry no JSON name and mirror the frame layout; PROTOCOL.md
# gives their units. The conformance messages that send, match and report a frame use the
# header's names.
_UNIT_EXEMPT = {"prim.v1.Header", "prim.v1.ObservedFrame", "prim.v1.SendStep",
                "prim.v1.FrameMatcher"}


def test_every_time_field_names_its_unit(model: Model) -> None:
    unnamed = [f"{m.full_name}.{f.name}" for m in model.messages.values()
               if m.full_name.startswith("prim.v1.") and m.full_name not in _UNIT_EXEMPT
               for f in m.fields
               if any(w in f.name for w in _TIME_WORDS)
               and not f.name.endswith(("_ms", "_seconds"))]
    assert unnamed == []


def test_one_name_for_the_user_id_and_one_spelling_of_me(model: Model,
                                                        doc: dict[str, Any]) -> None:
    fields = {f.name for m in model.messages.values() for f in m.fields}
    assert not {n for n in fields if "account_id" in n}
    me = {p[:p.index("/me/")] for p in (path + "/" for path in doc["paths"]) if "/me/" in p}
    assert me == {"/v1/users"}


def test_accept_and_reject_answer_the_same_shape(model: Model) -> None:
    methods = {m.name: m for s in model.services for m in s.methods}
    for accept, reject in (("AcceptFriendRequest", "RejectFriendRequest"),
                           ("ApproveJoinRequest", "RejectJoinRequest")):
        assert methods[accept].output_type == methods[reject].output_type
    # One storage column holds both states (runtime/storage/models.py RequestState).
    assert [(s.name, int(s)) for s in FriendRequestState] == [
        (n.replace("APPROVED", "ACCEPTED"), v) for n, v in
        ((s.name, int(s)) for s in JoinRequestState)]


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        here = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return here.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_every_component_is_referenced(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    reached = _refs(doc["paths"])
    todo = list(reached)
    while todo:
        for name in _refs(schemas[todo.pop()]) - reached:
            reached.add(name)
            todo.append(name)
    assert set(schemas) == reached


def _response_schemas(doc: dict[str, Any]) -> set[str]:
    """The components an answer (success or error) can contain."""
    answers = [r for item in doc["paths"].values() for op in item.values()
               for r in op["responses"].values()]
    reached, todo = _refs(answers), list(_refs(answers))
    while todo:
        for name in _refs(doc["components"]["schemas"][todo.pop()]) - reached:
            reached.add(name)
            todo.append(name)
    return reached


def test_answers_do_not_forbid_fields_added_later(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    answered = _response_schemas(doc)
    assert {"Friend", "Group", "Error", "ListHistoryResponse"} <= answered
    closed = {name for name, s in schemas.items() if s.get("additionalProperties") is False}
    assert closed and not closed & answered, closed & answered
    # Requests still refuse unknown fields, as the binding does.
    body = doc["paths"]["/v1/groups"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["additionalProperties"] is False


def test_info_and_servers_are_filled_in(doc: dict[str, Any]) -> None:
    assert doc["info"]["license"] == {"name": "MIT", "identifier": "MIT"}
    assert doc["info"]["title"] == "PRIM HTTP API"
    assert doc["servers"] and all(s["url"] and s["description"] for s in doc["servers"])


def test_page_sizes_are_bounded_as_the_spec_declares(doc: dict[str, Any]) -> None:
    sizes = [p["schema"] for item in doc["paths"].values() for op in item.values()
             for p in op.get("parameters", []) if p["name"] == "pageSize"]
    assert len(sizes) == 8  # every list RPC, ListHistory included
    assert all((s["minimum"], s["maximum"], s["default"]) == (0, 200, 50) for s in sizes)


@pytest.mark.parametrize("emit", [routes_py.emit, interfaces_py.emit, openapi.emit,
                                  http_client_py.emit], ids=lambda e: e.__module__)
def test_committed_files_match_the_emitters(model: Model, emit: Any) -> None:
    for path, content in emit(model).items():
        root, rest = path.split("/", 1)
        committed = OUTPUT_ROOTS[root] / rest
        assert committed.read_text() == content, f"{committed} is stale: run `make gen`"


def test_served_copy_is_the_document() -> None:
    assert (OUTPUT_ROOTS["python"] / "openapi.json").read_bytes() == (
        OUTPUT_ROOTS["openapi"] / "openapi.json").read_bytes()
