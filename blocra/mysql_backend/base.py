"""Django's MySQL/MariaDB backend (`DATABASE_URL=mysql://...`), on PyMySQL unless mysqlclient is there,
with case-insensitive lookups that do not depend on the collation.

The driver: Django's backend imports `MySQLdb`, the module of mysqlclient, a C extension that PyPI ships
for Linux as source only (building it needs the MariaDB or MySQL client headers and pkg-config).
PyMySQL is pure Python and registers itself as `MySQLdb`; Django 5.2 asks for a `MySQLdb` of version
1.4.3 or later, and PyMySQL reports the mysqlclient version it matches (2.2.8 for PyMySQL 1.2.4). An
installation that has mysqlclient gets it instead, untouched.

The lookups: tables use a binary collation (utf8mb4_bin, blocra/databases.py), so that `exact` and
unique constraints tell "A" from "a" as on PostgreSQL and SQLite. Django's MySQL backend leaves
`iexact`, `icontains`, `istartswith`, `iendswith` and `iregex` to the collation, which would make them
case-sensitive there; here both sides are upper-cased, as Django does on PostgreSQL, and MariaDB's
`iregex` asks PCRE for a caseless match.
"""

from typing import Any

try:  # mysqlclient, when the installation has it
    import MySQLdb  # noqa: F401
except ImportError:
    import pymysql

    pymysql.install_as_MySQLdb()

from django.db.backends.mysql import base, operations

from blocra.mysql_backend.validation import DatabaseValidation

CASE_INSENSITIVE_LOOKUPS = ("iexact", "icontains", "istartswith", "iendswith")


class DatabaseOperations(operations.DatabaseOperations):
    def lookup_cast(self, lookup_type: str, internal_type: str | None = None) -> str:
        lookup: str = super().lookup_cast(lookup_type, internal_type)
        if lookup_type in CASE_INSENSITIVE_LOOKUPS:
            return f"UPPER({lookup})"
        return lookup

    def regex_lookup(self, lookup_type: str) -> str:
        if lookup_type == "iregex" and self.connection.mysql_is_mariadb:
            # (?i) at the start of a PCRE pattern makes the whole match caseless.
            return "%s REGEXP CONCAT('(?i)', %s)"
        sql: str = super().regex_lookup(lookup_type)
        return sql


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    validation_class = DatabaseValidation
    # LIKE, not =, as Django's MySQL backend has it: `=` ignores trailing spaces (PAD SPACE collations).
    operators: Any = {
        **base.DatabaseWrapper.operators,
        "iexact": "LIKE UPPER(%s)",
        "icontains": "LIKE UPPER(%s)",
        "istartswith": "LIKE UPPER(%s)",
        "iendswith": "LIKE UPPER(%s)",
    }
    pattern_ops: Any = {
        **base.DatabaseWrapper.pattern_ops,
        "icontains": "LIKE CONCAT('%%', UPPER({}), '%%')",
        "istartswith": "LIKE CONCAT(UPPER({}), '%%')",
        "iendswith": "LIKE CONCAT('%%', UPPER({}))",
    }
