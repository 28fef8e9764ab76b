"""Fixtures that provide the production backends (PostgreSQL, Redis, Kafka) to tests."""
