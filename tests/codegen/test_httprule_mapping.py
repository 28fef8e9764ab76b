"""One test per HttpRule mapping case, on the fixture notes.proto: what becomes a path
parameter, the body or a query parameter in the OpenAPI document and the route table, and
the traps other generators fell into (DESIGN.md section 2)."""

from __future__ import annotations

import json
import re
import sys
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from openapi_spec_validator import validate

from prim.codegen.emitters import openapi, routes_py
from prim.codegen.emitters._openapi_schema import message_schema
from prim.codegen.model import Model
from tests.codegen._spec import fixture_model

# A proto string: any text but U+0000 (refused by the binding; PostgreSQL cannot store it).
TEXT = {"type": "string", "pattern": "^[^\\u0000]*$"}


@pytest.fixture(scope="module")
def notes() -> Model:
    return fixture_model("notes.proto")


@pytest.fixture(scope="module")
def doc(notes: Model) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(openapi.emit(notes)["openapi/openapi.json"])
    return document


@pytest.fixture(scope="module")
def routes(notes: Model) -> dict[str, Any]:
    """The generated route table, executed (its betterproto2 imports stubbed)."""
    source = routes_py.emit(notes)["python/routes.py"]
    source = re.sub(r"^from prim\.generated\.[\w.]+ import \((?:\n    \w+,)+\n\)\n", "",
                    source, flags=re.M)
    module = ModuleType("fixture_routes")
    for name in re.findall(r"(?:request|response)_type=(\w+)", source):
        setattr(module, name, type(name, (SimpleNamespace,), {}))
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    try:
        exec(compile(source, "routes.py", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    return {r.operation_id: r for r in module.ROUTES}


def op(doc: dict[str, Any], operation_id: str) -> dict[str, Any]:
    for item in doc["paths"].values():
        for operation in item.values():
            if operation["operationId"] == operation_id:
                found: dict[str, Any] = operation
                return found
    raise KeyError(operation_id)


def params(operation: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == where}


def test_fixture_document_is_valid_openapi_31(doc: dict[str, Any]) -> None:
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_path_parameters_come_from_the_template(doc: dict[str, Any], routes: Any) -> None:
    operation = op(doc, "NoteService_DeleteNote")
    assert set(params(operation, "path")) == {"notebook_id", "note_id"}
    assert all(p["required"] for p in params(operation, "path").values())
    route = routes["NoteService_DeleteNote"]
    m = route.pattern.match("/v1/notebooks/12/notes/34")
    assert m is not None and m.groupdict() == {"notebook_id": "12", "note_id": "34"}
    assert route.pattern.match("/v1/notebooks/12/notes/34/x") is None
    assert route.pattern.match("/v1/notebooks//notes/34") is None


def test_uint64_path_parameter_is_a_decimal_string(doc: dict[str, Any]) -> None:
    schema = params(op(doc, "NoteService_DeleteNote"), "path")["note_id"]["schema"]
    assert schema["type"] == "string"
    pattern = re.compile(schema["pattern"])
    assert pattern.match("0") and pattern.match(str(2**64 - 1))
    assert not pattern.match(str(2**64)) and not pattern.match("-1") and not pattern.match("1a")


def test_body_star_is_an_inline_object_of_the_fields_not_in_the_path(doc: dict[str, Any],
                                                                       routes: Any) -> None:
    operation = op(doc, "NoteService_CreateNote")
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "$ref" not in schema
    assert set(schema["properties"]) == {"title", "tags"}  # notebookId is in the path
    assert schema["required"] == ["title"]
    assert schema["additionalProperties"] is False
    assert operation["requestBody"]["required"] is True
    assert "query" not in {p["in"] for p in operation["parameters"]}
    assert routes["NoteService_CreateNote"].body == "*"
    assert routes["NoteService_CreateNote"].query_params == ()


def test_body_field_is_that_field_and_the_rest_is_query(doc: dict[str, Any],
                                                        routes: Any) -> None:
    operation = op(doc, "NoteService_UpdateNote")
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"] == "#/components/schemas/Note"
    assert set(params(operation, "query")) == {"notify"}
    assert [q.name for q in routes["NoteService_UpdateNote"].query_params] == ["notify"]


def test_no_body_puts_every_other_field_in_the_query(doc: dict[str, Any]) -> None:
    query = params(op(doc, "NoteService_SearchNotes"), "query")
    assert set(query) == {"query", "pageSize", "tags", "filter.color", "filter.authorId",
                          "pageToken", "afterId"}
    assert query["pageSize"]["schema"]["type"] == "integer"
    # (prim.v1.rules) narrows the uint32 range and names what 0 stands for
    assert query["pageSize"]["schema"]["maximum"] == 100
    assert query["pageSize"]["schema"]["default"] == 20


def test_repeated_field_is_a_repeated_query_parameter(doc: dict[str, Any], routes: Any) -> None:
    tags = params(op(doc, "NoteService_SearchNotes"), "query")["tags"]
    assert tags["schema"] == {"type": "array", "items": TEXT}
    assert tags["style"] == "form" and tags["explode"] is True
    by_name = {q.name: q for q in routes["NoteService_SearchNotes"].query_params}
    assert by_name["tags"].repeated and not by_name["query"].repeated


def test_nested_message_fields_are_dotted_query_parameters(doc: dict[str, Any],
                                                           routes: Any) -> None:
    query = params(op(doc, "NoteService_SearchNotes"), "query")
    assert query["filter.color"]["schema"]["enum"] == ["COLOR_UNSPECIFIED", "COLOR_RED",
                                                       "COLOR_BLUE"]
    assert "filter" not in query
    by_name = {q.name: q for q in routes["NoteService_SearchNotes"].query_params}
    assert by_name["filter.authorId"].field_path == ("filter", "author_id")


def test_trap_json_name_does_not_rename_the_path_parameter(doc: dict[str, Any],
                                                           routes: Any) -> None:
    operation = op(doc, "NoteService_GetNote")
    assert "/v1/notebooks/{notebook_id}/notes/{note_id}" in doc["paths"]
    assert set(params(operation, "path")) == {"notebook_id", "note_id"}
    assert "bookId" not in json.dumps(operation)
    assert [p.name for p in routes["NoteService_GetNote"].path_params] == ["notebook_id",
                                                                           "note_id"]
    # ...but where the field is a query parameter, its JSON name is the name.
    assert set(params(op(doc, "NoteService_GetNote_1"), "query")) == {"bookId"}


def test_trap_dotted_path_variables_become_identifier_names(doc: dict[str, Any],
                                                            routes: Any) -> None:
    assert "/v1/notebooks/{note_notebook_id}/notes/{note_note_id}" in doc["paths"]
    assert not any("." in path for path in doc["paths"])
    operation = op(doc, "NoteService_UpdateNote")
    assert set(params(operation, "path")) == {"note_notebook_id", "note_note_id"}
    route = routes["NoteService_UpdateNote"]
    assert [(p.name, p.field_path) for p in route.path_params] == [
        ("note_notebook_id", ("note", "notebook_id")), ("note_note_id", ("note", "note_id"))]
    m = route.pattern.match("/v1/notebooks/1/notes/2")
    assert m is not None and m.groupdict() == {"note_notebook_id": "1", "note_note_id": "2"}


def test_trap_required_marks_only_required_query_parameters(doc: dict[str, Any]) -> None:
    query = params(op(doc, "NoteService_SearchNotes"), "query")
    required = {name for name, p in query.items() if p["required"]}
    # filter.authorId is REQUIRED inside Filter, but Filter itself is optional.
    assert required == {"query"}


def test_trap_oneof_members_are_listed_never_the_oneof(doc: dict[str, Any],
                                                       routes: Any) -> None:
    query = params(op(doc, "NoteService_SearchNotes"), "query")
    assert {"pageToken", "afterId"} <= set(query)
    assert "cursor" not in query
    assert "cursor" not in {q.name for q in routes["NoteService_SearchNotes"].query_params}


def test_oneof_members_exclude_each_other_in_body_schemas(notes: Model) -> None:
    # SearchNotes is a GET (its request is no component): the message schema itself.
    schema = message_schema(notes, notes.message("fixture.v1.SearchNotesRequest"))
    assert schema["not"] == {"anyOf": [{"required": ["pageToken", "afterId"]}]}
    assert "cursor" not in schema["properties"]


def test_http_body_request_and_response_are_binary(doc: dict[str, Any]) -> None:
    upload = op(doc, "NoteService_UploadAttachment")
    assert upload["requestBody"]["content"] == {"*/*": {"schema": {"type": "string",
                                                                    "format": "binary"}}}
    assert upload["requestBody"]["required"] is False  # `data` is not REQUIRED
    assert set(params(upload, "query")) == {"name"}
    assert params(upload, "query")["name"]["required"] is True
    download = op(doc, "NoteService_DownloadAttachment")
    assert "application/octet-stream" in download["responses"]["200"]["content"]
    assert "HttpBody" not in doc["components"]["schemas"]


def test_additional_bindings_get_their_own_operation_ids(doc: dict[str, Any],
                                                         routes: Any) -> None:
    assert op(doc, "NoteService_GetNote")["security"] == []
    assert op(doc, "NoteService_GetNote_1")["security"] == []
    assert routes["NoteService_GetNote_1"].path == "/v1/notes/{note_id}"


def test_errors_are_exactly_the_declared_and_scoped_codes(doc: dict[str, Any]) -> None:
    def codes(operation_id: str) -> dict[str, list[str]]:
        out = {}
        for status, response in op(doc, operation_id)["responses"].items():
            if status == "200":
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema["allOf"][0] == {"$ref": "#/components/schemas/Error"}
            out[status] = [c.removeprefix("ERROR_CODE_")
                           for c in schema["allOf"][1]["properties"]["code"]["enum"]]
        return out

    # Declared (two at one status), every call's, a token's and a body's codes.
    assert codes("NoteService_CreateNote") == {
        "400": ["INVALID_ARGUMENT"], "401": ["UNAUTHENTICATED"],
        "409": ["ALREADY_EXISTS", "FAILED_PRECONDITION"], "413": ["PAYLOAD_TOO_LARGE"],
        "415": ["UNSUPPORTED_MEDIA_TYPE"], "500": ["INTERNAL"], "503": ["UNAVAILABLE"]}
    # Public and bodyless: no 401, 413, 415.
    assert codes("NoteService_GetNote") == {
        "400": ["INVALID_ARGUMENT"], "404": ["NOT_FOUND"], "500": ["INTERNAL"],
        "503": ["UNAVAILABLE"]}
    description = op(doc, "NoteService_CreateNote")["responses"]["409"]["description"]
    assert description.startswith("`ERROR_CODE_ALREADY_EXISTS`: ")
    assert "responses" not in doc["components"]
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_wire_only_codes_are_not_in_the_http_enum(doc: dict[str, Any]) -> None:
    enum = doc["components"]["schemas"]["ErrorCode"]["enum"]
    assert "ERROR_CODE_MALFORMED_FRAME" not in enum and "ERROR_CODE_BE_OFFLINE" not in enum
    assert "ERROR_CODE_METHOD_NOT_ALLOWED" in enum  # a routing answer, still HTTP


def test_links_follow_create_to_read_by_field_name(doc: dict[str, Any]) -> None:
    links = op(doc, "NoteService_CreateNote")["responses"]["200"]["links"]
    assert links["NoteService_GetNote"] == {
        "operationId": "NoteService_GetNote",
        "parameters": {"notebook_id": "$response.body#/notebookId",
                       "note_id": "$response.body#/noteId"},
        "description": links["NoteService_GetNote"]["description"],
    }
    # The item's PATCH is linked though its binding spells the variables as a field path.
    assert set(links) == {"NoteService_GetNote", "NoteService_UpdateNote",
                          "NoteService_DeleteNote"}
    assert links["NoteService_UpdateNote"]["parameters"] == {
        "note_notebook_id": "$response.body#/notebookId",
        "note_note_id": "$response.body#/noteId"}
    # A read is no create: it links nothing.
    assert "links" not in op(doc, "NoteService_GetNote")["responses"]["200"]
    upload = op(doc, "NoteService_UploadAttachment")["responses"]["200"]["links"]
    assert upload["NoteService_DownloadAttachment"]["parameters"] == {
        "attachment_id": "$response.body#/attachmentId"}


def test_proto3_json_schema_mapping(doc: dict[str, Any], notes: Model) -> None:
    note = doc["components"]["schemas"]["Note"]["properties"]
    assert note["notebookId"] == {"$ref": "#/components/schemas/UInt64"}
    assert note["offset"]["$ref"] == "#/components/schemas/Int64"
    assert note["offset"]["readOnly"] is True
    assert note["body"]["contentEncoding"] == "base64"
    assert note["tags"] == {"type": "array", "items": TEXT}
    assert note["color"] == {"$ref": "#/components/schemas/Color"}
    assert note["counters"]["additionalProperties"]["format"] == "int32"
    assert doc["components"]["schemas"]["Color"]["enum"][0] == "COLOR_UNSPECIFIED"
    # 64-bit integers: a decimal string in range, or a JSON integer in range.
    spelled, number = doc["components"]["schemas"]["Int64"]["oneOf"]
    int64 = re.compile(spelled["pattern"])
    assert int64.match(str(-(2**63))) and not int64.match(str(-(2**63) - 1))
    assert number == {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}
    # (UpdateNote binds `note` as its body: the request message is no component.)
    update = message_schema(notes, notes.message("fixture.v1.UpdateNoteRequest"))
    assert update["required"] == ["note"]  # `optional bool notify` is not required
