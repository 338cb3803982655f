"""Checks of a MySQL/MariaDB database (`manage.py check --database default`, and `migrate` before it
creates anything): utf8mb4 with a binary collation, and InnoDB, for the database and its tables."""

from typing import Any

from django.core import checks
from django.db.backends.mysql import validation

CHARSET = "utf8mb4"


def _binary(collation: str | None) -> bool:
    """utf8mb4_bin, utf8mb4_nopad_bin (MariaDB), utf8mb4_0900_bin (MySQL 8)."""
    return collation is not None and collation.startswith(f"{CHARSET}_") and collation.endswith("_bin")


class DatabaseValidation(validation.DatabaseValidation):
    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        issues: list[checks.CheckMessage] = super().check(**kwargs)
        issues.extend(self._check_collation())
        return issues

    def _check_collation(self) -> list[checks.CheckMessage]:
        """An error when the database, or one of its tables, is not utf8mb4 with a binary collation
        (utf8mb4_bin) or a table is not InnoDB: exact lookups and unique constraints would then ignore
        case, or rows would have no transactions and foreign keys."""
        name = self.connection.settings_dict["NAME"]
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT @@character_set_database, @@collation_database")
            charset, collation = cursor.fetchone()
            cursor.execute(
                "SELECT table_name, table_collation, engine FROM information_schema.tables "
                "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
            tables = cursor.fetchall()
        issues: list[checks.CheckMessage] = []
        if charset != CHARSET or not _binary(collation):
            issues.append(
                checks.Error(
                    f"The database {name} is {charset} with the collation {collation}: BlocRA needs "
                    f"{CHARSET} with a binary collation, so that equal means equal byte for byte.",
                    hint=f"ALTER DATABASE `{name}` CHARACTER SET {CHARSET} COLLATE {CHARSET}_bin "
                    "(before the first migrate; tables made earlier keep theirs: see the README).",
                    id="blocra.E101",
                )
            )
        wrong = [
            f"{table} ({table_collation}, {engine})"
            for table, table_collation, engine in tables
            if not _binary(table_collation) or engine != "InnoDB"
        ]
        if wrong:
            issues.append(
                checks.Error(
                    f"Tables of the database {name} that are not InnoDB in {CHARSET} with a binary collation: "
                    + ", ".join(wrong),
                    hint=f"ALTER TABLE ... ENGINE=InnoDB, CONVERT TO CHARACTER SET {CHARSET} COLLATE {CHARSET}_bin "
                    "for each (see the README).",
                    id="blocra.E102",
                )
            )
        return issues
