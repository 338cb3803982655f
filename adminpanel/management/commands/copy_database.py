"""`manage.py copy_database [--to URL] [--replace] [--batch-size N]`: move the installation's data into a
new PostgreSQL or MySQL/MariaDB database, typically from the embedded SQLite one.

The source is the database this installation runs on (DATABASE_URL, or SQLite under DATA_DIR); the
target is `--to URL` or, when the URL carries a password, the environment variable
TARGET_DATABASE_URL (a command line is visible to every user of the machine). The target is migrated,
must be empty (`--replace` empties it), receives every row with its primary key in one transaction,
and every row is compared with its source before that transaction commits (adminpanel/database_copy.py).
Stop the server first: rows written during the copy would be left behind.

Exit status: 0 when every row was copied and compared equal; 1 (CommandError) when the target is
missing, not empty, of another kind, the same database, or a row differs (nothing is then committed).
"""

import os
import time
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from adminpanel.database_copy import DEFAULT_BATCH_SIZE, CopyRefused, copy_target, database_copy

TARGET_VARIABLE = "TARGET_DATABASE_URL"


class Command(BaseCommand):
    help = (
        "Copy every row of this installation's database (SQLite, usually) into a new, empty PostgreSQL or "
        "MySQL/MariaDB database, then compare each copied row with its source; the server must be stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to",
            dest="target_url",
            help=f"The target database's URL without a password (postgres://user@host:5432/name, "
            f"mysql://user@host:3306/name); default: the environment variable {TARGET_VARIABLE}.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the rows the target already holds before copying (else a target with rows is refused).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows read and inserted per statement (default {DEFAULT_BATCH_SIZE}).",
        )

    def handle(self, *args, target_url: str | None, replace: bool, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if target_url and urlsplit(target_url).password:
            raise CommandError(
                f"Give a URL with a password in the environment variable {TARGET_VARIABLE}, not on the "
                "command line, which every user of the machine can read."
            )
        url = target_url or os.environ.get(TARGET_VARIABLE, "")
        if not url:
            raise CommandError(f"Name the target database: --to URL, or the environment variable {TARGET_VARIABLE}.")
        verbosity = options.get("verbosity", 1)

        def progress(message: str) -> None:
            if verbosity >= 1:
                self.stdout.write(message)

        started = time.monotonic()
        try:
            with copy_target(url) as target:
                copied = database_copy(
                    source=DEFAULT_DB_ALIAS,
                    target=target,
                    replace=replace,
                    batch_size=batch_size,
                    progress=progress,
                )
        except CopyRefused as exc:
            raise CommandError(f"Nothing copied: {exc}") from None
        except DatabaseError as exc:
            raise CommandError(f"Nothing copied: the database answered {type(exc).__name__}: {exc}") from None
        rows = sum(table.rows for table in copied)
        self.stdout.write(
            self.style.SUCCESS(
                f"Copied {rows} rows of {len(copied)} tables in {time.monotonic() - started:.1f} s; every row "
                "compared equal with its source. Point DATABASE_URL at the target and start the server."
            )
        )
