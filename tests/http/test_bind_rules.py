"""HttpRule cases the real spec does not use yet (repeated and nested query parameters,
oneof, a json_name), checked on the binder itself with hand-written shapes over real
betterproto2 classes."""

from __future__ import annotations

import re
from typing import Any

import betterproto2
import pytest

from prim.generated.prim.v1 import (
    GetGroupNodesRequest,
    GroupNodeMembers,
    NodeInfo,
    NodeRole,
    PlaceUserResponse,
)
from prim.generated.routes import FieldShape, PathParam, QueryParam, Route
from prim.runtime.errors import ApiError
from prim.runtime.http.bind import RequestBinder
from prim.runtime.http.codec import Codec, FieldError

MESSAGES = {
    "prim.v1.GroupNodeMembers": (
        FieldShape("node_id", "nodeId", "uint32"),
        FieldShape("user_ids", "userIds", "uint64", repeated=True),
    ),
    "prim.v1.PlaceUserResponse": (
        FieldShape("node", "node", "message", type_name="prim.v1.NodeInfo"),
    ),
    "prim.v1.NodeInfo": (
        FieldShape("node_id", "nodeId", "uint32"),
        FieldShape("role", "role", "enum", type_name="prim.v1.NodeRole"),
        FieldShape("address", "address", "string", required=True),
    ),
    # A json_name that is not the lowerCamelCase of the proto name.
    "prim.v1.GetGroupNodesRequest": (FieldShape("group_id", "gid", "uint64"),),
    # Oneof members (no betterproto2 class needed for presence checks).
    "test.Cursor": (
        FieldShape("page_token", "pageToken", "string", oneof="cursor"),
        FieldShape("after_id", "afterId", "uint64", oneof="cursor"),
    ),
}
ENUMS = {"prim.v1.NodeRole": tuple(f"NODE_ROLE_{r.name}" for r in NodeRole)}
codec = Codec(MESSAGES, ENUMS)
binder = RequestBinder(codec)


def route(path: str, request: type[betterproto2.Message], name: str, *,
          body: str = "", query: tuple[QueryParam, ...] = ()) -> Route:
    variables = re.findall(r"\{([^}]+)\}", path)
    regex = "^" + re.sub(r"\\\{([^}]+)\\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)",
                         re.escape(path)) + "$"
    return Route(
        verb="POST" if body else "GET", path=path, pattern=re.compile(regex),
        path_params=tuple(PathParam(v, (v,)) for v in variables), body=body, response_body="",
        query_params=query, request=name, response=name, request_type=request,
        response_type=request, service="Test", method="Test", handler="test",
        operation_id=f"Test_{request.__name__}", public=True,
    )


def bind(r: Route, path_values: dict[str, str], query: bytes, body: bytes = b"") -> Any:
    return binder.bind(r, path_values, query, body, "application/json")


MEMBERS = route("/t/{node_id}", GroupNodeMembers, "prim.v1.GroupNodeMembers",
                query=(QueryParam("userIds", ("user_ids",), True),))
PLACE = route("/p", PlaceUserResponse, "prim.v1.PlaceUserResponse", query=(
    QueryParam("node.nodeId", ("node", "node_id"), False),
    QueryParam("node.role", ("node", "role"), False),
    QueryParam("node.address", ("node", "address"), False),
))


def test_repeated_query_parameter_repeats() -> None:
    request = bind(MEMBERS, {"node_id": "3"}, b"userIds=1&userIds=18446744073709551615")
    assert request == GroupNodeMembers(node_id=3, user_ids=[1, 2**64 - 1])
    with pytest.raises(ApiError) as err:
        bind(MEMBERS, {"node_id": "3"}, b"userIds=1&userIds=-2")
    assert err.value.field == "user_ids"


def test_nested_fields_by_dotted_query_names() -> None:
    request = bind(PLACE, {}, b"node.role=NODE_ROLE_SEQNUM&node.address=h%3A1&node.node_id=4")
    assert request == PlaceUserResponse(node=NodeInfo(node_id=4, role=NodeRole.SEQNUM,
                                                      address="h:1"))


def test_required_inside_a_present_nested_message() -> None:
    with pytest.raises(ApiError) as err:
        bind(PLACE, {}, b"node.nodeId=4")
    assert err.value.field == "node.address"
    assert bind(PLACE, {}, b"") == PlaceUserResponse()  # absent parent: nothing required


def test_json_name_is_honoured_both_ways() -> None:
    r = route("/g", GetGroupNodesRequest, "prim.v1.GetGroupNodesRequest", body="*")
    request = binder.bind(r, {}, b"", b'{"gid": "9"}', "application/json")
    assert request == GetGroupNodesRequest(group_id=9)
    also = binder.bind(r, {}, b"", b'{"group_id": "9"}', "application/json")
    assert also == request
    encoded = codec.encode("prim.v1.GetGroupNodesRequest",
                           request.to_dict(casing=betterproto2.Casing.SNAKE))
    assert encoded == {"gid": "9"}


def test_two_members_of_a_oneof_are_rejected() -> None:
    data = codec.decode("test.Cursor", {"pageToken": "a", "afterId": "5"})
    with pytest.raises(FieldError) as err:
        codec.check_presence("test.Cursor", data)
    assert err.value.field == "after_id"
    codec.check_presence("test.Cursor", codec.decode("test.Cursor", {"afterId": "5"}))


@pytest.mark.parametrize(("kind", "value", "ok"), [
    ("int32", 3.0, True), ("int32", 3.5, False), ("int32", 2**31, False),
    ("int32", True, False), ("int32", "3", False), ("uint32", -1, False),
    ("int64", "-9223372036854775808", True), ("int64", "-9223372036854775809", False),
    ("uint64", "-0", False), ("uint64", 7, True), ("uint64", 7.5, False),
    ("bool", "true", False),
    ("bytes", "aGk=", True), ("bytes", "aGk", True), ("bytes", "_-8=", True),
    ("bytes", "a", False), ("double", "NaN", True), ("double", 1e308, True),
    ("float", 1e39, False), ("double", 10**400, False),
])
def test_scalar_rules(kind: str, value: Any, ok: bool) -> None:
    shape = FieldShape("x", "x", kind)
    if ok:
        codec.decode_field(shape, value, "x")
    else:
        with pytest.raises(FieldError):
            codec.decode_field(shape, value, "x")
