"""The message service's counters and the delivery latency histogram, exported in the
Prometheus text format (served at /metrics)."""

from __future__ import annotations

import bisect
from collections import Counter

from prim.generated.prim.v1 import ErrorCode, MsgType
from prim.runtime.wire.frame import Frame

# Upper bounds (seconds) of the delivery latency buckets.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class MessageMetrics:
    def __init__(self) -> None:
        self.connections = 0
        self.connections_total = 0
        self.frames_in: Counter[int] = Counter()
        self.frames_out: Counter[int] = Counter()
        self.acks = 0
        self.duplicate_acks = 0
        self.refusals: Counter[int] = Counter()
        self._latency_counts = [0] * (len(LATENCY_BUCKETS) + 1)
        self._latency_sum = 0.0

    def connection_opened(self) -> None:
        self.connections += 1
        self.connections_total += 1

    def connection_closed(self) -> None:
        self.connections -= 1

    def frame_in(self, msg_type: int) -> None:
        self.frames_in[msg_type] += 1

    def acked(self, duplicate: bool) -> None:
        self.acks += 1
        if duplicate:
            self.duplicate_acks += 1

    def refused(self, code: ErrorCode) -> None:
        self.refusals[int(code)] += 1

    def delivered(self, frame: Frame, connections: int, seconds: float) -> None:
        """A sequenced frame was queued to `connections` connections, `seconds` after it
        arrived (the pipeline's DeliveryObserver)."""
        self.frames_out[frame.type] += connections
        self._latency_counts[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self._latency_sum += seconds

    def render(self) -> str:
        lines = [
            "# HELP prim_connections Open client connections.",
            "# TYPE prim_connections gauge",
            f"prim_connections {self.connections}",
            "# HELP prim_connections_total Client connections accepted since start.",
            "# TYPE prim_connections_total counter",
            f"prim_connections_total {self.connections_total}",
            "# HELP prim_frames_in_total Frames received from clients, by type.",
            "# TYPE prim_frames_in_total counter",
        ]
        lines += [f'prim_frames_in_total{{type="{_type_name(t)}"}} {n}'
                  for t, n in sorted(self.frames_in.items())]
        lines += ["# HELP prim_frames_out_total Frames delivered to clients, by type.",
                  "# TYPE prim_frames_out_total counter"]
        lines += [f'prim_frames_out_total{{type="{_type_name(t)}"}} {n}'
                  for t, n in sorted(self.frames_out.items())]
        lines += ["# HELP prim_acks_total Acks sent (duplicate: answering a resend).",
                  "# TYPE prim_acks_total counter",
                  f'prim_acks_total{{duplicate="false"}} {self.acks - self.duplicate_acks}',
                  f'prim_acks_total{{duplicate="true"}} {self.duplicate_acks}',
                  "# HELP prim_refused_total Frames refused with an Error, by code.",
                  "# TYPE prim_refused_total counter"]
        lines += [f'prim_refused_total{{code="{ErrorCode(c).name}"}} {n}'
                  for c, n in sorted(self.refusals.items())]
        lines += ["# HELP prim_delivery_seconds Time from a message's arrival to its delivery.",
                  "# TYPE prim_delivery_seconds histogram"]
        running = 0
        for bound, count in zip(LATENCY_BUCKETS, self._latency_counts, strict=False):
            running += count
            lines.append(f'prim_delivery_seconds_bucket{{le="{bound}"}} {running}')
        running += self._latency_counts[-1]
        lines += [f'prim_delivery_seconds_bucket{{le="+Inf"}} {running}',
                  f"prim_delivery_seconds_sum {self._latency_sum}",
                  f"prim_delivery_seconds_count {running}"]
        return "\n".join(lines) + "\n"


def _type_name(msg_type: int) -> str:
    try:
        return MsgType(msg_type).name
    except ValueError:
        return str(msg_type)
