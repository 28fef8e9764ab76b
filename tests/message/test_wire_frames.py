"""The hot path's hand-written encodings match the spec's messages byte for byte."""

from __future__ import annotations

from prim.generated.prim.v1 import AckPayload
from prim.services.message.wire_frames import ack_payload


def test_the_ack_payload_is_the_spec_message() -> None:
    for ts in (0, 1, 127, 128, 300, 1_796_287_319_278, 2**64 - 1):
        for duplicate in (False, True):
            assert ack_payload(ts, duplicate) == bytes(
                AckPayload(server_timestamp_ms=ts, duplicate=duplicate))
