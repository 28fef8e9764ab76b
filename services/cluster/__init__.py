"""The production topology: one process per role (`prim serve --role ...`), wired to the
others through the spec's internal RPCs (DESIGN.md section 7). The embedded deployment
(services/node.py) wires the same service classes in one process."""
