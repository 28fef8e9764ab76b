"""Embedded adapters on SQLite (one file, WAL mode)."""
