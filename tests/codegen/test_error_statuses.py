"""(prim.v1.error).grpc_status: every error code declares the gRPC status an internal RPC
answers with it; runtime/rpc/errors.py sends that status, and the code round-trips. And the
content-type rules files.py applies are the spec's."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from grpclib.const import Status

from prim.codegen.emitters import errors_py
from prim.codegen.model import SpecError
from prim.codegen.run import REPO, spec_files
from prim.generated import constants
from prim.generated.errors import GRPC_STATUS, HTTP_STATUS
from prim.generated.prim.v1 import ErrorCode
from prim.runtime.errors import ApiError
from prim.runtime.rpc.errors import from_grpc, to_grpc
from tests.codegen._spec import compile_model


def test_every_code_has_the_spec_s_grpc_status() -> None:
    assert set(GRPC_STATUS) == set(HTTP_STATUS) == set(ErrorCode)
    for code in ErrorCode:
        error = to_grpc(ApiError(code, "why", "field_x"))
        assert error.status == Status(GRPC_STATUS[code]) != Status.OK
        back = from_grpc(error, "test")
        assert (back.code, back.message, back.field) == (code, "why", "field_x")
    # Where the spec is more precise than the HTTP status (409 is also FAILED_PRECONDITION).
    assert to_grpc(ApiError(ErrorCode.ALREADY_EXISTS)).status == Status.ALREADY_EXISTS
    assert to_grpc(ApiError(ErrorCode.NOT_FOUND)).status == Status.NOT_FOUND


def test_a_code_without_a_grpc_status_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "spec", root / "spec")
    errors = root / "spec" / "prim" / "v1" / "errors.proto"
    old = "{http_status: 404, grpc_status: NOT_FOUND}"
    assert errors.read_text().count(old) == 1
    errors.write_text(errors.read_text().replace(old, "{http_status: 404}"))
    model = compile_model(root / "spec", spec_files(root))
    with pytest.raises(SpecError, match="grpc_status on ERROR_CODE_NOT_FOUND"):
        errors_py.emit(model)



def test_the_content_type_rules_come_from_the_spec() -> None:
    """FileInfo.content_type's (prim.v1.rules): the constants files.py uses and the OpenAPI
    document state the same pattern and length."""
    pattern = re.compile(constants.FILE_INFO_CONTENT_TYPE_PATTERN)
    for good in ("image/png", "audio/ogg; codecs=opus", "application/vnd.a+json"):
        assert pattern.match(good), good
    for bad in ("image", "Image/PNG", "image/png;x", "image/png; \x7f", "/png", "a b/c"):
        assert not pattern.match(bad), bad
    document = json.loads((REPO / "generated" / "openapi" / "openapi.json").read_text())
    schema = document["components"]["schemas"]["FileInfo"]["properties"]["contentType"]
    assert (schema["pattern"], schema["maxLength"]) == (
        constants.FILE_INFO_CONTENT_TYPE_PATTERN, constants.FILE_INFO_CONTENT_TYPE_MAX_LENGTH)
