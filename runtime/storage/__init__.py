"""Storage for PRIM: ports (ports.py), records (models.py) and their adapters.

Embedded adapters: sqlite/, memory/, files/. Production adapters: postgres/, redis/,
kafka/. factory.py builds them from URLs; migrate.py applies the schema; consumer.py is
the msgprocessor's idempotent log-to-database copier.
"""
