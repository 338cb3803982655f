"""Each database's connection settings, completed from DATABASE_URL (blocra/databases.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from blocra.databases import MYSQL_ENGINE, POSTGRESQL_ENGINE, SQLITE_ENGINE, database_settings


def test_database_settings_without_a_url_are_the_sqlite_file_in_wal_mode(tmp_path):
    config = database_settings("", data_dir=tmp_path / "data", conn_max_age=60)
    assert config["ENGINE"] == SQLITE_ENGINE
    assert config["NAME"] == str(tmp_path / "data" / "blocra.db")
    assert "PRAGMA journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["TEST"] == {"NAME": str(tmp_path / "data" / "test_blocra.db")}
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"], config["ATOMIC_REQUESTS"]) == (60, True, False)


def test_database_settings_of_mysql_are_strict_innodb_utc_read_committed_utf8mb4_bin(tmp_path):
    config = database_settings("mysql://blocra:pw@db.internal:3306/blocra", data_dir=tmp_path, conn_max_age=30)
    assert config["ENGINE"] == MYSQL_ENGINE
    assert (config["NAME"], config["USER"], config["HOST"], config["PORT"]) == ("blocra", "blocra", "db.internal", 3306)
    options = config["OPTIONS"]
    assert options["charset"] == "utf8mb4"
    assert options["isolation_level"] == "read committed"
    assert options["connect_timeout"] == 5
    assert options["init_command"] == (
        "SET sql_mode='TRADITIONAL', default_storage_engine='InnoDB', time_zone='+00:00'"
    )
    assert config["TEST"] == {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_bin"}
    assert config["CONN_MAX_AGE"] == 30
    assert not (tmp_path / "blocra.db").exists()


def test_database_settings_take_options_from_the_url_over_ours(tmp_path):
    mysql = database_settings("mysql://u@h/n?connect_timeout=20", data_dir=tmp_path, conn_max_age=0)
    postgres = database_settings("postgres://u@h/n?connect_timeout=20", data_dir=tmp_path, conn_max_age=0)
    assert mysql["OPTIONS"]["connect_timeout"] == postgres["OPTIONS"]["connect_timeout"] == 20
    assert mysql["OPTIONS"]["charset"] == "utf8mb4"
    assert postgres["ENGINE"] == POSTGRESQL_ENGINE


@pytest.mark.parametrize(("url", "busy_ms"), [("sqlite:///{}", 20000), ("sqlite:///{}?timeout=1.5", 1500)])
def test_sqlite_busy_timeout_is_20_seconds_unless_the_url_sets_it(tmp_path, django_db_blocker, url, busy_ms):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    # given: a connection opened with the settings a DATABASE_URL makes
    config = database_settings(url.format(tmp_path / "x.db"), data_dir=tmp_path, conn_max_age=0)
    wrapper = DatabaseWrapper({**config, "TIME_ZONE": None, "AUTOCOMMIT": True}, "probe")
    try:
        # A throw-away file, not the suite's database.
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            # then: the busy timeout the driver and the pragmas leave in force
            assert cursor.fetchone()[0] == busy_ms
    finally:
        wrapper.close()


@pytest.mark.filterwarnings("ignore:Engine not recognized")  # django-environ's own word for it
def test_database_settings_refuse_a_url_that_names_no_database(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="names no database"):
        database_settings("blocra-db.internal", data_dir=tmp_path, conn_max_age=0)
