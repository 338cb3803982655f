"""The database: SQLite pragmas on every connection, first-run creation in WAL mode, PostgreSQL and
MySQL/MariaDB options."""

import io
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

ROOT = Path(__file__).resolve().parents[2]

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite-specific (DATABASE_URL names another database)"
)
mysql_only = pytest.mark.skipif(connection.vendor != "mysql", reason="MySQL/MariaDB-specific (set DATABASE_URL)")
server_only = pytest.mark.skipif(connection.vendor == "sqlite", reason="needs a database server (set DATABASE_URL)")


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


@server_only
def test_server_connections_persist():
    settings_dict = connection.settings_dict
    assert settings_dict["CONN_MAX_AGE"] > 0
    assert settings_dict["CONN_HEALTH_CHECKS"] is True


@mysql_only
@pytest.mark.django_db
def test_mysql_sessions_are_strict_read_committed_utc_innodb_utf8mb4_bin():
    with connection.cursor() as cursor:
        cursor.execute(
            "SHOW SESSION VARIABLES WHERE Variable_name IN ('sql_mode', 'tx_isolation', 'transaction_isolation', "
            "'time_zone', 'default_storage_engine', 'character_set_connection', 'collation_database')"
        )
        variables = dict(cursor.fetchall())
    assert {"STRICT_TRANS_TABLES", "STRICT_ALL_TABLES", "NO_ZERO_DATE"} <= set(variables["sql_mode"].split(","))
    assert variables.get("transaction_isolation", variables.get("tx_isolation")) == "READ-COMMITTED"
    assert variables["time_zone"] == "+00:00"
    assert variables["default_storage_engine"] == "InnoDB"
    assert variables["character_set_connection"] == "utf8mb4"
    assert variables["collation_database"] == "utf8mb4_bin"


@mysql_only
@pytest.mark.django_db
def test_mysql_rejects_a_value_that_does_not_fit_instead_of_truncating_it():
    from django.db import DataError

    from adminpanel.models import Feedback

    with pytest.raises(DataError), transaction.atomic():
        Feedback.objects.create(name="x" * 500, feedback="too long a name")


@pytest.mark.django_db
def test_system_checks_of_the_database_are_clean():
    # On MySQL/MariaDB: no constraint Django would skip (models.W036, W044), strict mode on (mysql.W002),
    # and the collation and engine checks of blocra/mysql_backend/validation.py pass.
    call_command("check", "--database", "default", "--fail-level", "WARNING", stdout=io.StringIO())


@pytest.mark.django_db
def test_mysql_checks_refuse_a_database_or_table_that_ignores_case_or_is_not_innodb():
    from adminpanel.database_copy import copy_target
    from tests.scratch_databases import scratch_database

    # given: a database in the server's usual collation, and one of ours holding two wrong tables
    with (
        scratch_database("mysql", collation="utf8mb4_general_ci") as ignores_case,
        copy_target(ignores_case, alias="ignores_case") as alias,
    ):
        # when / then
        assert [issue.id for issue in connections[alias].validation.check()] == ["blocra.E101"]
    with scratch_database("mysql") as ours, copy_target(ours, alias="ours") as alias:
        assert connections[alias].validation.check() == []
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE folded (name varchar(10)) ENGINE=InnoDB COLLATE utf8mb4_general_ci")
            cursor.execute("CREATE TABLE untransacted (name varchar(10)) ENGINE=MyISAM COLLATE utf8mb4_bin")
        issues = connections[alias].validation.check()
        assert [issue.id for issue in issues] == ["blocra.E102"]
        assert "folded (utf8mb4_general_ci, InnoDB), untransacted (utf8mb4_bin, MyISAM)" in issues[0].msg
