"""Throw-away PostgreSQL and MySQL/MariaDB databases for tests that need a database of their own beside
the test database (copy_database's targets): made empty on the server DATABASE_URL names when it is of
that kind, else on the local one, and dropped afterwards."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, urlsplit

from django.db import connection

from tests.real_services import require_service, tcp_reachable

LOCAL_SERVERS = {
    "postgresql": "postgres://postgres@127.0.0.1:5432",
    "mysql": "mysql://root@127.0.0.1:3306",
}
SCHEMES = {"postgresql": ("postgres", "postgresql"), "mysql": ("mysql", "mysql2")}
PORTS = {"postgresql": 5432, "mysql": 3306}


def server_url(vendor: str) -> str:
    """scheme://user[:password]@host:port of the server to make `vendor` databases on."""
    configured = urlsplit(os.environ.get("DATABASE_URL", ""))
    if configured.scheme in SCHEMES[vendor]:
        return f"{configured.scheme}://{configured.netloc}"
    return LOCAL_SERVERS[vendor]


def scratch_name() -> str:
    """A new database name starting with the test database's, so that CI's clean-up of the test databases
    (test_<name>%) finds it should a test die before dropping it."""
    base = connection.settings_dict["NAME"] if connection.vendor != "sqlite" else "test_blocra"
    return f"{base}_copy_{uuid.uuid4().hex[:8]}"[:63]


@contextmanager
def scratch_database(vendor: str, *, collation: str = "utf8mb4_bin") -> Iterator[str]:
    """Make an empty `vendor` database ("postgresql" or "mysql"; MySQL ones in utf8mb4 with
    `collation`) and yield its URL; drop it afterwards. Skips (fails under CI) when the server is absent."""
    server = server_url(vendor)
    parts = urlsplit(server)
    require_service(vendor, tcp_reachable(server, PORTS[vendor]), server)
    name = scratch_name()
    if vendor == "postgresql":
        import psycopg

        admin = psycopg.connect(
            host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password or None,
            dbname="postgres", autocommit=True,
        )  # fmt: skip
        create, drop = f'CREATE DATABASE "{name}"', f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    else:
        import pymysql

        admin = pymysql.connect(
            host=parts.hostname, port=parts.port or 3306, user=parts.username, password=parts.password or "",
            autocommit=True,
        )  # fmt: skip
        create = f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE {collation}"
        drop = f"DROP DATABASE IF EXISTS `{name}`"
    try:
        with admin.cursor() as cursor:
            cursor.execute(create)
        try:
            yield f"{server}/{quote(name)}"
        finally:
            with admin.cursor() as cursor:
                cursor.execute(drop)
    finally:
        admin.close()
