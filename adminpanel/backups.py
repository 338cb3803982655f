"""Backups of the database (`manage.py backup_db`): an online copy of a SQLite database while the server
keeps writing, and for a server database the command its own tool needs instead."""

import os
import re
import shlex
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blocra.clock import clock

# blocra-20250102T030405Z.sqlite3, and -1, -2, ... for more backups taken in the same second.
BACKUP_NAME = re.compile(r"^blocra-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>[1-9]\d*))?\.sqlite3$")
# How long the copy waits for a lock it needs (a checkpoint in progress), in seconds.
BUSY_TIMEOUT = 20.0
# A stamp + counter never needs this many tries; past it something else is writing those names.
MAX_SAME_SECOND = 1000


class BackupFailed(Exception):
    """The backup could not be made; the message says why. No partial file is left behind."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    pages: int


def backup_path_reserve(*, directory: Path | None = None, path: Path | None = None) -> Path:
    """Create the backup's file, empty and readable by its owner only (it holds password hashes), so that
    no other run can take the same name: `path` itself, or a new timestamped name in `directory` (created
    if missing). Raises BackupFailed when `path` exists: a backup never overwrites a file."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            _create_exclusive(path)
        except FileExistsError:
            raise BackupFailed(f"{path} exists; a backup never overwrites a file.") from None
        return path
    if directory is None:
        raise ValueError("Give a directory or a path.")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(clock().time()))
    for n in range(MAX_SAME_SECOND):
        candidate = directory / (f"blocra-{stamp}.sqlite3" if n == 0 else f"blocra-{stamp}-{n}.sqlite3")
        try:
            _create_exclusive(candidate)
        except FileExistsError:
            continue
        return candidate
    raise BackupFailed(f"{MAX_SAME_SECOND} backups in {directory} already carry the stamp {stamp}.")


def _create_exclusive(path: Path) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # whatever the umask allowed
    finally:
        os.close(descriptor)


def sqlite_backup(
    *,
    source: str,
    target: Path,
    pages: int = 1024,
    pause: float = 0.0,
    progress: Callable[[int, int], None] | None = None,
) -> BackupResult:
    """Copy the SQLite database at `source` into `target` (an empty file, from `backup_path_reserve`)
    with the online backup API, `pages` pages per step, waiting `pause` seconds between steps, calling
    `progress(copied, total)` after each; then check the copy. The copy is a snapshot of the moment it
    starts. On failure `target` is removed and BackupFailed raised.

    The copy reads inside one read transaction: SQLite restarts a stepped backup whenever another
    connection writes between two steps, which under steady writes would never finish, while a read
    transaction keeps one snapshot for every step. In WAL mode (the server sets it) a reader blocks
    no writer, so the server goes on writing meanwhile.
    """
    if pages < 1:
        raise ValueError("pages must be at least 1.")
    if not Path(source).is_file():
        _discard(target)
        raise BackupFailed(f"There is no database file at {source}.")
    try:
        snapshot = sqlite3.connect(source, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            snapshot.execute("PRAGMA query_only = ON")
            snapshot.execute("BEGIN")
            snapshot.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
            copy = sqlite3.connect(target, timeout=BUSY_TIMEOUT, isolation_level=None)
            try:
                total = _copy(snapshot, copy, pages=pages, pause=pause, progress=progress)
                # One self-contained file: the source's WAL flag would make readers of the copy create
                # -wal and -shm files beside it.
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
            snapshot.execute("COMMIT")
        finally:
            snapshot.close()
        problems = sqlite_integrity_problems(target)
    except BaseException as exc:
        _discard(target)
        if isinstance(exc, sqlite3.Error):
            raise BackupFailed(f"The copy failed: {exc}.") from exc
        raise
    if problems:
        _discard(target)
        raise BackupFailed("The copy failed its integrity check: " + "; ".join(problems[:5]))
    return BackupResult(path=target, size=target.stat().st_size, pages=total)


def _copy(
    snapshot: sqlite3.Connection,
    copy: sqlite3.Connection,
    *,
    pages: int,
    pause: float,
    progress: Callable[[int, int], None] | None,
) -> int:
    totals = [0]

    def step(status: int, remaining: int, total: int) -> None:
        totals[0] = total
        if progress is not None:
            progress(total - remaining, total)
        if pause > 0 and remaining:
            clock().sleep(pause)

    snapshot.backup(copy, pages=pages, progress=step)
    return totals[0]


def sqlite_integrity_problems(path: Path) -> list[str]:
    """What `PRAGMA integrity_check` finds wrong with the database file at `path` (empty when it is ok)."""
    try:
        connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def _discard(path: Path) -> None:
    for leftover in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)


def backups_prune(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` timestamped backups (`blocra-<stamp>[-n].sqlite3`) in `directory`;
    returns the deleted paths. Other files are never touched."""
    if keep < 1:
        raise ValueError("keep must be at least 1.")
    found = []
    for entry in directory.iterdir():
        match = BACKUP_NAME.match(entry.name)
        if match and entry.is_file():
            found.append(((match["stamp"], int(match["n"] or 0)), entry))
    found.sort()
    doomed = [entry for _order, entry in found[:-keep]]
    for entry in doomed:
        entry.unlink(missing_ok=True)
    return doomed


def backup_guidance(settings_dict: Mapping[str, Any]) -> str:
    """What to run instead of backup_db for a database that is not SQLite: the vendor's dump tool with
    this database's host, port, user and name. The password is never part of it."""
    engine = str(settings_dict.get("ENGINE", ""))
    name = str(settings_dict.get("NAME") or "")
    host, port, user = (str(settings_dict.get(key) or "") for key in ("HOST", "PORT", "USER"))
    if "postgresql" in engine:
        command = ["pg_dump", "--format=custom", "--no-owner"]
        command += [f"--host={host}"] if host else []
        command += [f"--port={port}"] if port else []
        command += [f"--username={user}"] if user else []
        command += [f"--dbname={name}"]
        line = " ".join(shlex.quote(part) for part in command)
        return (
            "backup_db copies SQLite databases only. For PostgreSQL, run pg_dump (a consistent snapshot; the "
            "server keeps serving), e.g. daily from cron:\n"
            f'  {line} --file="blocra-$(date -u +%Y%m%dT%H%M%SZ).dump"\n'
            "Give it the password in ~/.pgpass (mode 0600) or PGPASSWORD, never on the command line. "
            "Restore with: pg_restore --clean --if-exists --no-owner --dbname=... FILE"
        )
    if "mysql" in engine:
        command = ["mysqldump", "--single-transaction", "--quick", "--routines", "--triggers"]
        command += [f"--host={host}"] if host else []
        command += [f"--port={port}"] if port else []
        command += [f"--user={user}"] if user else []
        command += [name]
        line = " ".join(shlex.quote(part) for part in command)
        return (
            "backup_db copies SQLite databases only. For MySQL or MariaDB, run mysqldump with "
            "--single-transaction (a consistent snapshot of InnoDB tables without locking them), e.g. daily "
            "from cron:\n"
            f'  {line} > "blocra-$(date -u +%Y%m%dT%H%M%SZ).sql"\n'
            "Give it the password in an option file ([mysqldump] password=..., mode 0600, via "
            "--defaults-extra-file), never on the command line. Restore with: mysql NAME < FILE"
        )
    return f"backup_db copies SQLite databases only; back up {engine or 'this database'} with its own tools."
