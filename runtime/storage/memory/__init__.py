"""Embedded in-process adapters (one process, state lost on exit by design)."""
