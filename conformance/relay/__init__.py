"""The fault-injecting relay: sits between a PRIM client and server (QUIC or TLS over TCP)
and drops, duplicates, reorders, corrupts or delays frames, or cuts the connection, by rule
or at random with a seed. See README.md."""

from prim.conformance.relay.faults import FaultEngine, FaultRecord
from prim.conformance.relay.relay import Relay, Upstream
from prim.conformance.relay.rules import (
    Action,
    Direction,
    Rule,
    RuleError,
    load_rule_file,
    parse_rule,
    parse_rules,
)

__all__ = [
    "Action", "Direction", "FaultEngine", "FaultRecord", "Relay", "Rule", "RuleError",
    "Upstream", "load_rule_file", "parse_rule", "parse_rules",
]
