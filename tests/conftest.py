"""Shared pytest configuration: backend fixtures live in tests/backends.py."""

pytest_plugins = ["tests.backends", "tests.cluster.fixtures"]
