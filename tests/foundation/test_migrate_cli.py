"""`prim migrate` brings SQLite and PostgreSQL databases to the newest schema, reports the
version with --status, and explains an unreachable database with exit code 1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from prim.runtime.storage.migrate import load_migrations


def _migrate(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "prim.cli.main", "migrate", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)


def test_sqlite_status_migrate_and_again(tmp_path: Path) -> None:
    newest = load_migrations("sqlite")[-1].version
    status = _migrate(tmp_path, "--status")
    assert status.returncode == 0
    assert f"schema version 0, newest {newest}" in status.stdout
    first = _migrate(tmp_path)
    assert first.returncode == 0 and f"to {newest}" in first.stdout
    again = _migrate(tmp_path)
    assert again.returncode == 0 and f"already at schema version {newest}" in again.stdout
    assert (tmp_path / "prim-data" / "prim.db").exists()


def test_postgres(tmp_path: Path, postgres_dsn: str) -> None:
    newest = load_migrations("postgres")[-1].version
    result = _migrate(tmp_path, "--database", postgres_dsn)
    assert result.returncode == 0, result.stderr
    # The session's database may have been migrated by an earlier test already.
    assert result.stdout.rstrip().endswith(f"version {newest}") or \
        result.stdout.rstrip().endswith(f"to {newest}")
    status = _migrate(tmp_path, "--database", postgres_dsn, "--status")
    assert "up to date" in status.stdout


@pytest.mark.parametrize("url", ["postgresql://postgres@127.0.0.1:1/none", "mysql://x/y"])
def test_unreachable_or_unsupported_database(tmp_path: Path, url: str) -> None:
    result = _migrate(tmp_path, "--database", url)
    assert result.returncode == 1
    assert result.stderr.startswith("prim migrate:")
    assert "Traceback" not in result.stderr
