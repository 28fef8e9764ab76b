"""What the HTTP binding adds to a GET whose answer is a google.api.HttpBody (a download), in
the OpenAPI document: the binding serves one `Range` of it (206, 416 past the end) with an
ETag that `If-Range` compares (runtime/http/app.py, ranges.py), and answers HEAD on every GET
route with the GET's status and headers; HEAD is listed for downloads, where a client asks
for the size and ETag before it fetches."""

from __future__ import annotations

from typing import Any

_STRING = {"type": "string"}

RANGE_PARAMETERS: list[dict[str, Any]] = [
    {"name": "Range", "in": "header", "required": False, "schema": dict(_STRING),
     "description": "One range, `bytes=FIRST-LAST`, `bytes=FIRST-` or `bytes=-SUFFIX` "
                    "(RFC 9110 14.2); several ranges, or one that does not parse, get the "
                    "whole body."},
    {"name": "If-Range", "in": "header", "required": False, "schema": dict(_STRING),
     "description": "The ETag of an earlier answer: the range is served only while the "
                    "content still has it, else the whole body (200)."},
]

_HEADERS: dict[str, Any] = {
    "ETag": {"description": "Names this content; send it back in If-Range.",
             "schema": dict(_STRING)},
    "Accept-Ranges": {"description": "`bytes`", "schema": dict(_STRING)},
    "Content-Length": {"description": "Bytes in this answer.",
                       "schema": {"type": "integer", "minimum": 0}},
}
_CONTENT_RANGE = {"Content-Range": {
    "description": "`bytes FIRST-LAST/SIZE` (206) or `bytes */SIZE` (416).",
    "schema": dict(_STRING)}}


def download_responses(ok: dict[str, Any]) -> dict[str, Any]:
    """The 200 answer `ok` of a download with its headers, beside 206 and 416."""
    return {
        "200": {**ok, "headers": dict(_HEADERS)},
        "206": {"description": "The range asked for (same media type as the whole).",
                "headers": {**_HEADERS, **_CONTENT_RANGE},
                "content": ok["content"]},
        "416": {"description": "The range starts past the end of the content; Content-Range "
                             "gives its size.",
                "headers": {**_HEADERS, **_CONTENT_RANGE}},
    }


def head_operation(get: dict[str, Any]) -> dict[str, Any]:
    """HEAD beside the GET operation `get`: the same parameters and statuses, no content."""
    responses = {status: {k: v for k, v in answer.items() if k != "content"}
                 for status, answer in get["responses"].items()}
    return {**get, "operationId": f"{get['operationId']}_Head",
            "summary": f"The headers of {get['operationId']}, without the content",
            "description": "What GET answers (status, Content-Length, ETag, Content-Range) "
                           "with no content: the size and version before fetching.",
            "responses": responses}
