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
    assert set(error["properties"]) == {"code", "message", "field", "refTimestamp", "refSeqnum",
                                        "violations", "retryAfterMs"}
    assert error["properties"]["violations"]["items"] == {
        "$ref": "#/components/schemas/FieldViolation"}
    assert error["properties"]["retryAfterMs"]["type"] == "integer"
    assert "ERROR_CODE_INVALID_ARGUMENT" in doc["components"]["schemas"]["ErrorCode"]["enum"]


def test_documented_links_include_create_to_read(doc: dict[str, Any]) -> None:
    create = doc["paths"]["/v1/groups"]["post"]["responses"]["200"]["links"]
    assert {"GroupService_GetGroup", "GroupService_UpdateGroup",
            "GroupService_ListMembers"} <= set(create)
    assert create["GroupService_GetGroup"]["parameters"] == {"group_id": "$response.body#/groupId"}
    upload = doc["paths"]["/v1/files"]["post"]["responses"]["200"]["links"]
    assert {"FileService_GetFileInfo", "FileService_DownloadFile"} <= set(upload)


def test_no_link_to_an_answer_the_caller_cannot_give(doc: dict[str, Any]) -> None:
    # SendFriendRequest's caller is the requester: Accept/Reject are the target's actions.
    send = doc["paths"]["/v1/friend-requests"]["post"]["responses"]["200"]
    assert not set(send.get("links", {})) & {"FriendService_AcceptFriendRequest",
                                              "FriendService_RejectFriendRequest"}
    ask = doc["paths"]["/v1/groups/{group_id}/join-requests"]["post"]["responses"]["200"]
    assert not set(ask.get("links", {})) & {"GroupService_ApproveJoinRequest",
                                             "GroupService_RejectJoinRequest"}


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
