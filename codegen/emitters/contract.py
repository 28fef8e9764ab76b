"""Emits vectors/wire-contract.json: what a released PRIM promises on the wire and over HTTP
and that protobuf's own descriptors do not say, in a form the next version is compared
against (`make check-breaking`, prim/codegen/breaking.py): the header layout, the MsgType
table and the HTTP bindings of every RPC."""

from __future__ import annotations

import json
from typing import Any

from prim.codegen.emitters._header_layout import header_layout
from prim.codegen.model import Model

PATH = "vectors/wire-contract.json"


def contract(model: Model) -> dict[str, Any]:
    layout = header_layout(model)
    document: dict[str, Any] = {
        "description": (
            "PRIM's wire and HTTP contract, generated from spec/ by codegen/emitters/"
            "contract.py; do not edit. `make check-breaking` refuses a change that moves, "
            "narrows or removes anything listed here relative to the previous version."
        ),
        "header": None,
        "constants": None,
        "msg_types": {},
        "http": {},
    }
    if model.constants is not None:
        # What stored data and every client already depend on (the friend-request
        # lifetime may change freely).
        c = model.constants
        document["constants"] = {"group_id_bit": c.group_id_bit,
                                 "user_channel_key": c.user_channel_key,
                                 "group_channel_key": c.group_channel_key}
    if layout is not None:
        document["header"] = {
            "bytes": layout.size,
            "fields": {f.name: {"word": f.word, "offset": f.offset, "bits": f.bits}
                       for f in layout.fields},
        }
        for v in model.enum(layout.msg_type_enum).values:
            assert v.msg_type is not None  # header_layout refuses a type without one
            document["msg_types"][v.name] = {
                "number": v.number,
                "category": v.msg_type.category,
                "payload": v.msg_type.payload,
                "payload_message": v.msg_type.payload_message,
                "sequenced": v.msg_type.sequenced,
                "from_client": v.msg_type.from_client,
                "from_server": v.msg_type.from_server,
            }
    for svc in model.services:
        for m in svc.methods:
            if m.http:
                document["http"][f"{svc.full_name}.{m.name}"] = [
                    {"verb": b.verb, "path": b.path, "body": b.body,
                     "response_body": b.response_body}
                    for b in m.http
                ]
    return document


def emit(model: Model) -> dict[str, str]:
    return {PATH: json.dumps(contract(model), indent=2, sort_keys=True) + "\n"}
