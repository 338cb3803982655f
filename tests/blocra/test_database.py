"""The database: SQLite pragmas on every connection, first-run creation in WAL mode, PostgreSQL options."""

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections

ROOT = Path(__file__).resolve().parents[2]

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite-specific (DATABASE_URL names another database)"
)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-specific (set DATABASE_URL)")


def read_pragmas() -> dict[str, object]:
    with connection.cursor() as cursor:
        values = {}
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "mmap_size"):
            cursor.execute(f"PRAGMA {name}")
            values[name] = cursor.fetchone()[0]
    return values


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_pragmas_apply_to_every_connection():
    # given: connections opened in other threads (each thread gets its own connection)
    seen: list[dict] = []

    def worker():
        try:
            seen.append(read_pragmas() | {"transaction_mode": connection.transaction_mode})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert len(seen) == 3
    for pragmas in seen:
        assert pragmas["journal_mode"] == "wal"
        assert pragmas["synchronous"] == 1  # NORMAL
        assert pragmas["foreign_keys"] == 1
        assert pragmas["busy_timeout"] == 20000
        assert pragmas["mmap_size"] > 0
        assert pragmas["transaction_mode"] == "IMMEDIATE"


def test_first_run_creates_wal_database(tmp_path):
    # given: a data directory that does not exist yet
    data_dir = tmp_path / "fresh" / "data"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "blocra.settings", "DATA_DIR": str(data_dir), "DEBUG": "true"})

    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    # then
    assert result.returncode == 0, result.stderr
    db_file = data_dir / "blocra.db"
    assert db_file.is_file()
    mode = sqlite3.connect(db_file).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


@postgres_only
def test_postgres_connections_persist():
    settings_dict = connection.settings_dict
    assert settings_dict["CONN_MAX_AGE"] > 0
    assert settings_dict["CONN_HEALTH_CHECKS"] is True
