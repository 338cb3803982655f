"""The connection settings of each database BlocRA runs on: SQLite (the embedded default), PostgreSQL
and MySQL/MariaDB, completed from a database URL by `database_settings`. Settings use it for
`DATABASE_URL`, and `manage.py copy_database` for the database it copies into."""

from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

SQLITE_ENGINE = "django.db.backends.sqlite3"
POSTGRESQL_ENGINE = "django.db.backends.postgresql"
# Django's MySQL backend with the driver and the case-insensitive lookups we need (its module says why).
MYSQL_ENGINE = "blocra.mysql_backend"

SQLITE_OPTIONS: dict[str, Any] = {
    # Concurrent writers queue on BEGIN IMMEDIATE instead of failing with "database is locked"
    # half-way through a transaction; `timeout` is the busy timeout in seconds (the one place it is
    # set, so `sqlite:///path?timeout=5` changes it). Past it a request is a 503
    # `server.database_unavailable` (blocra.errors).
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA mmap_size=134217728;"
        "PRAGMA cache_size=-20000;"
        "PRAGMA temp_store=MEMORY"
    ),
}

# MySQL/MariaDB: every table in utf8mb4 (4-byte UTF-8: any character, emoji too) with a binary
# collation, so that `exact` lookups and unique constraints tell "A" from "a" (hashes, nonces, tokens,
# addresses) as on PostgreSQL and SQLite; case-insensitive matching is always asked for (iexact,
# icontains, the Lower(email) column). The database must be created with them (the README shows how);
# the backend's checks refuse another (blocra/mysql_backend/validation.py).
MYSQL_CHARSET = "utf8mb4"
MYSQL_COLLATION = "utf8mb4_bin"
MYSQL_OPTIONS: dict[str, Any] = {
    "charset": MYSQL_CHARSET,
    # Django's default for MySQL, stated: a locking read (select_for_update) and the plain reads after
    # it see the same committed rows, as on PostgreSQL. REPEATABLE READ (the server's default) would
    # answer plain reads from the transaction's first snapshot, older than the rows just locked.
    "isolation_level": "read committed",
    "connect_timeout": 5,
    # TRADITIONAL: strict mode (a value that does not fit is an error, never truncated or zeroed) and
    # no zero dates. InnoDB: transactions, row locks and foreign keys. UTC: SQL's NOW() agrees with
    # the UTC datetimes Django stores.
    "init_command": "SET sql_mode='TRADITIONAL', default_storage_engine='InnoDB', time_zone='+00:00'",
}


def database_settings(url: str, *, data_dir: Path, conn_max_age: int) -> dict[str, Any]:
    """The DATABASES entry for a database URL (`postgres://`, `mysql://`), or for the SQLite file under
    `data_dir` when `url` is empty. Options given in the URL's query string win over ours.
    Raises ImproperlyConfigured for a URL that names no database engine."""
    if url:
        config: dict[str, Any] = environ.Env.db_url_config(url)
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        config = {"ENGINE": SQLITE_ENGINE, "NAME": str(data_dir / "blocra.db")}
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(
            "The database URL names no database: BlocRA runs on PostgreSQL (postgres://user:password@host:5432/"
            "name) and MySQL/MariaDB (mysql://user:password@host:3306/name), or SQLite without DATABASE_URL."
        )
    if config["ENGINE"] == "django.db.backends.mysql":
        config["ENGINE"] = MYSQL_ENGINE
    # Persistent connections: opening one costs more than most requests (SQLite runs its pragmas on each).
    config["CONN_MAX_AGE"] = conn_max_age
    config["CONN_HEALTH_CHECKS"] = True
    config["ATOMIC_REQUESTS"] = False
    options = config.setdefault("OPTIONS", {})
    if config["ENGINE"] == SQLITE_ENGINE:
        config["OPTIONS"] = {**SQLITE_OPTIONS, **options}
        # django-environ reads `?timeout=1.5` as a string (only whole numbers become ints).
        config["OPTIONS"]["timeout"] = float(config["OPTIONS"]["timeout"])
        # A file, not an in-memory database, so that concurrency tests get one connection per thread
        # and the same pragmas as production.
        data_dir.mkdir(parents=True, exist_ok=True)
        config.setdefault("TEST", {"NAME": str(data_dir / "test_blocra.db")})
    elif config["ENGINE"] == POSTGRESQL_ENGINE:
        options.setdefault("connect_timeout", 5)
    elif config["ENGINE"] == MYSQL_ENGINE:
        config["OPTIONS"] = {**MYSQL_OPTIONS, **options}
        # The test databases pytest-django creates (test_<name>, one per worker) get ours too.
        config.setdefault("TEST", {}).update(CHARSET=MYSQL_CHARSET, COLLATION=MYSQL_COLLATION)
    return config
