"""/docs is the page a person reads to use the API: generated from the OpenAPI document,
with each operation's description, parameters, body with an example, response and error
codes; markdown rendered; the gateway named as the way messages are sent."""

from __future__ import annotations

import json
import re

from prim.generated.prim.v1 import ErrorCode
from prim.runtime.http.app import load_openapi
from prim.runtime.http.docs import render_docs
from prim.runtime.http.markdown import to_html

DOCUMENT = json.loads(load_openapi())
PAGE = render_docs(DOCUMENT).decode()


def _operation(op_id: str) -> str:
    found = re.search(rf'<div class="op" id="{op_id}">(.*?)</div>(?=<div class="op"|<h2)',
                      PAGE, re.S)
    assert found, op_id
    return found[1]


def test_every_operation_has_a_description() -> None:
    missing = [op["operationId"] for item in DOCUMENT["paths"].values()
               for op in item.values() if isinstance(op, dict) and not op.get("description")]
    assert missing == []


def test_parameters_bodies_examples_responses_and_error_codes() -> None:
    history = _operation("MessageService_ListHistory")
    assert "<h4>Parameters</h4>" in history
    for name in ("peer_id", "fromSeqnum", "toSeqnum", "direction", "pageSize", "pageToken"):
        assert f"<code>{name}</code>" in history
    # The page size's range and default come from the spec's (prim.v1.rules).
    assert "DIRECTION_FORWARD" in history and "1 to 200; 0 or left out means 50." in history

    create = _operation("GroupService_CreateGroup")
    assert "<h4>Request body</h4>" in create and "<code>name</code>" in create
    assert "1 to 64 characters." in create and "required" in create
    example = re.search(r"<p>Example:</p><pre>(.*?)</pre>", create, re.S)
    assert example and set(json.loads(example[1].replace("&quot;", '"'))) >= {"name"}
    assert '200: <a href="#schema-Group">Group</a>' in create
    assert "<code>groupId</code>" in create
    assert "<h4>Errors</h4>" in create
    assert f"<code>ERROR_CODE_{ErrorCode.INVALID_ARGUMENT.name}</code>" in create
    # Only the codes the operation declares: creating a group is never refused by role.
    assert f"<code>ERROR_CODE_{ErrorCode.PERMISSION_DENIED.name}</code>" not in create
    assert (f"<code>ERROR_CODE_{ErrorCode.PERMISSION_DENIED.name}</code>"
            in _operation("GroupService_UpdateGroup"))

    signup = _operation("AccountService_Signup")
    assert "public" in signup


def test_markdown_renders_and_the_gateway_is_named() -> None:
    assert "`" not in re.sub(r"<pre>.*?</pre>", "", PAGE, flags=re.S)
    assert "<code>Error</code>" in PAGE
    assert "clients connect to the <strong>gateway</strong>" in PAGE
    # Nothing loaded from elsewhere (URLs in the spec's comments are only text).
    assert "<script" not in PAGE
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", PAGE)


def test_markdown_subset() -> None:
    assert to_html("a `b` **c**\nd\n\n- one\n  more\n- two <x>") == (
        "<p>a <code>b</code> <strong>c</strong> d</p>"
        "<ul><li>one more</li><li>two &lt;x&gt;</li></ul>")
    assert to_html("[docs](/docs) [bad](javascript:x)") == (
        '<p><a href="/docs">docs</a> [bad](javascript:x)</p>')
