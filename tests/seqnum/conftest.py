"""Fixtures of the seqnum tests: the shared segment store in PostgreSQL (emptied per test)
and the development certificates for real mutual-TLS gRPC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from prim.runtime.rpc.channels import RpcTls
from prim.runtime.storage.postgres.db import PostgresDatabase
from prim.runtime.storage.postgres.seqnum import PostgresSeqnumStore
from prim.runtime.tls.certificates import ensure_dev_certificates


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def seqnum_db(postgres_dsn: str) -> AsyncIterator[PostgresDatabase]:
    """The session's database with an empty seqnum_ceilings table."""
    db = await PostgresDatabase.open(postgres_dsn, max_size=8)
    await db.pool.execute("TRUNCATE seqnum_ceilings")
    yield db
    await db.close()


@pytest.fixture
def lease_store(seqnum_db: PostgresDatabase) -> PostgresSeqnumStore:
    """Two instances in a test share this one store, as two processes share the table."""
    return PostgresSeqnumStore(seqnum_db)


@pytest.fixture
def tls(tmp_path: Path) -> RpcTls:
    dev = ensure_dev_certificates(tmp_path / "tls")
    return RpcTls(dev.cert_file, dev.key_file, dev.ca_file)
