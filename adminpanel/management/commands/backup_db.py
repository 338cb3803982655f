"""`manage.py backup_db [--output PATH] [--keep N] [--pages N] [--pause SECONDS]`: copy the SQLite
database while the server runs.

SQLite's online backup API copies the live database, `--pages` pages per step, into
`$BACKUP_DIR/blocra-YYYYmmddTHHMMSSZ.sqlite3` (a new name for every run, `-1`, `-2`, ... within one
second; `--output` names the file instead, never overwriting one), readable by its owner only: it holds
password hashes. The copy is a snapshot of the moment it starts, taken without stopping the server's
writes; `PRAGMA integrity_check` must pass on it, else it is deleted and the command fails. `--keep N`
then deletes all but the newest N timestamped backups of that directory.

On PostgreSQL or MySQL it copies nothing and fails with the pg_dump or mysqldump command to run instead.

Exit status: 0 with the path and size of the backup; 1 (CommandError) when the database is not SQLite,
the copy or its integrity check failed, or the output file exists.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from adminpanel.backups import BackupFailed, backup_guidance, backup_path_reserve, backups_prune, sqlite_backup

DEFAULT_PAGES = 1024


class Command(BaseCommand):
    help = (
        "Back up the SQLite database while the server runs (online backup API, integrity-checked) to a "
        "timestamped file in BACKUP_DIR; on PostgreSQL or MySQL, print the dump command to use instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", help="Write the backup to this file (must not exist) instead of a new name in BACKUP_DIR."
        )
        parser.add_argument(
            "--keep",
            type=int,
            help="After the backup, delete all but the newest N timestamped backups of its directory.",
        )
        parser.add_argument(
            "--pages",
            type=int,
            default=DEFAULT_PAGES,
            help=f"Pages copied per step (default {DEFAULT_PAGES}; a page is usually 4 KiB).",
        )
        parser.add_argument(
            "--pause",
            type=float,
            default=0.0,
            help="Seconds to wait between steps, to spare the disk on a busy server (default 0).",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database alias to back up (default: default)."
        )

    def handle(
        self,
        *args,
        output: str | None,
        keep: int | None,
        pages: int,
        pause: float,
        database: str,
        **options,
    ) -> None:
        if pages < 1:
            raise CommandError("--pages must be at least 1.")
        if pause < 0:
            raise CommandError("--pause must be 0 or more.")
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        settings_dict = connections[database].settings_dict
        if connections[database].vendor != "sqlite":
            raise CommandError(backup_guidance(settings_dict))
        source = str(settings_dict["NAME"])
        if source == ":memory:" or "mode=memory" in source:
            raise CommandError("An in-memory database has no file to back up.")
        verbosity = options.get("verbosity", 1)

        def progress(copied: int, total: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"copied {copied} of {total} pages")

        try:
            if output:
                target = backup_path_reserve(path=Path(output))
            else:
                target = backup_path_reserve(directory=Path(settings.BACKUP_DIR))
            result = sqlite_backup(source=source, target=target, pages=pages, pause=pause, progress=progress)
        except (BackupFailed, OSError) as exc:
            raise CommandError(f"Backup failed: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Backed up {result.pages} pages to {result.path} ({result.size} bytes)."))
        if keep is not None:
            for deleted in backups_prune(directory=result.path.parent, keep=keep):
                self.stdout.write(f"deleted old backup {deleted}")
