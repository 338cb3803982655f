"""Moving an installation to another database: every row of every table, from the database it runs on
(SQLite, usually) into a new PostgreSQL or MySQL/MariaDB database (`manage.py copy_database`).

The target is migrated first, so it has this code's schema, and must then hold nothing but what
`migrate` itself writes (content types and permissions), unless `replace` empties it. Every row is
copied with its primary key, in one transaction on each side, with foreign keys checked at the end
(PostgreSQL defers them, MySQL's checks are off meanwhile and the rows are checked after); each row is
then read back from the target and compared with the source, field by field, and the target's id
sequences are moved past the copied ids, so that the next row inserted there gets a fresh one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, models, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend

from blocra.databases import MYSQL_ENGINE, POSTGRESQL_ENGINE, database_settings

TARGET_ALIAS = "copy_target"
DEFAULT_BATCH_SIZE = 500
# What `migrate` writes into an empty database: the target may hold these before the copy (they are
# replaced by the source's, whose ids the rows of other tables name).
FILLED_BY_MIGRATE: tuple[type[models.Model], ...] = (ContentType, Permission)


class CopyRefused(Exception):
    """The copy did not start, or was rolled back: the message says why."""


@dataclass(frozen=True)
class TableCopied:
    table: str
    rows: int


@contextmanager
def copy_target(url: str, *, alias: str = TARGET_ALIAS) -> Iterator[str]:
    """`alias`, a database alias for `url` (a PostgreSQL or MySQL/MariaDB URL), while the block runs.
    Raises CopyRefused for another kind of database."""
    try:
        config = database_settings(url, data_dir=settings.DATA_DIR, conn_max_age=0)
    except ImproperlyConfigured as exc:
        raise CopyRefused(str(exc)) from None
    if config["ENGINE"] not in (POSTGRESQL_ENGINE, MYSQL_ENGINE):
        raise CopyRefused("The target must be a PostgreSQL (postgres://) or MySQL/MariaDB (mysql://) database.")
    config.setdefault("AUTOCOMMIT", True)
    config.setdefault("TIME_ZONE", None)
    for key in ("USER", "PASSWORD", "HOST", "PORT"):
        config.setdefault(key, "")
    # A connection of this thread only, not an entry of settings.DATABASES: nothing else sees it.
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


def _same_database(first: dict[str, Any], second: dict[str, Any]) -> bool:
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    return all(str(first.get(key) or "") == str(second.get(key) or "") for key in keys)


def copied_models(alias: str) -> list[type[models.Model]]:
    """Every model with a table of its own that `alias` holds, many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and router.allow_migrate_model(alias, model)
    ]


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    # Generated columns are the target database's to compute.
    return [field for field in model._meta.local_concrete_fields if not field.generated]


def _tables_with_rows(alias: str, model_list: Sequence[type[models.Model]]) -> list[str]:
    return [
        model._meta.db_table
        for model in model_list
        if model not in FILLED_BY_MIGRATE and model._base_manager.using(alias).exists()
    ]


def _comparable(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def _rows(model: type[models.Model], alias: str, batch_size: int) -> Iterator[list[models.Model]]:
    """The table's rows in batches, in primary key order."""
    batch: list[models.Model] = []
    for row in model._base_manager.using(alias).order_by("pk").iterator(chunk_size=batch_size):
        batch.append(row)
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _copy_table(model: type[models.Model], *, source: str, target: str, batch_size: int) -> int:
    fields = _fields(model)
    copied = 0
    for batch in _rows(model, source, batch_size):
        # An INSERT of the values as read (raw, what loaddata does): bulk_create would stamp auto_now
        # and auto_now_add fields with the time of the copy.
        model._base_manager._insert(batch, fields=fields, using=target, raw=True)  # type: ignore[attr-defined]
        copied += len(batch)
    return copied


def _compare_table(model: type[models.Model], *, source: str, target: str, batch_size: int) -> int:
    """Read every row of the source again and its copy in the target; raises CopyRefused at the first
    row missing or different. Returns the number of rows in the target."""
    fields = _fields(model)
    for batch in _rows(model, source, batch_size):
        copies = model._base_manager.using(target).in_bulk([row.pk for row in batch])
        for row in batch:
            copy = copies.get(row.pk)
            if copy is None:
                raise CopyRefused(f"{model._meta.db_table}: row {row.pk} is missing from the target.")
            for field in fields:
                ours, theirs = (_comparable(getattr(obj, field.attname)) for obj in (row, copy))
                if ours != theirs:
                    raise CopyRefused(
                        f"{model._meta.db_table}: row {row.pk} has {field.attname}={theirs!r} in the target, "
                        f"{ours!r} in the source."
                    )
    return model._base_manager.using(target).count()


def database_copy(
    *,
    source: str,
    target: str,
    replace: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[str], None] = lambda _message: None,
) -> list[TableCopied]:
    """Copy every row of database `source` into database `target` (aliases), as the module says.

    Raises CopyRefused when the source has unapplied migrations, the two are the same database, the
    target holds rows and `replace` is off, or a copied row differs from its source (the target's
    transaction is then rolled back); SystemCheckError when the target fails the database checks
    (a MySQL database without utf8mb4 and a binary collation).
    """
    source_connection, target_connection = connections[source], connections[target]
    if _same_database(source_connection.settings_dict, target_connection.settings_dict):
        raise CopyRefused("The source and the target are the same database.")
    executor = MigrationExecutor(source_connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CopyRefused("The source database has unapplied migrations: run `manage.py migrate` on it first.")

    progress(f"migrating the target ({target_connection.display_name} {target_connection.settings_dict['NAME']})")
    call_command("migrate", database=target, interactive=False, verbosity=0, skip_checks=False)
    model_list = copied_models(target)
    nonempty = _tables_with_rows(target, model_list)
    if nonempty and not replace:
        raise CopyRefused(
            "The target already holds rows (in " + ", ".join(nonempty) + "): copy into an empty database, "
            "or give --replace to delete them first."
        )

    copied: list[TableCopied] = []
    with transaction.atomic(using=source), transaction.atomic(using=target):
        tables = [model._meta.db_table for model in model_list]
        with target_connection.cursor() as cursor:
            for statement in target_connection.ops.sql_flush(no_style(), tables):
                cursor.execute(statement)
        # Rows go in table by table, whatever their foreign keys name: PostgreSQL checks them at commit
        # (Django's are DEFERRABLE INITIALLY DEFERRED), MySQL not at all until they are checked below.
        with target_connection.constraint_checks_disabled():
            for model in model_list:
                started = time.monotonic()
                rows = _copy_table(model, source=source, target=target, batch_size=batch_size)
                copied.append(TableCopied(table=model._meta.db_table, rows=rows))
                progress(f"{model._meta.db_table}: {rows} rows ({time.monotonic() - started:.1f} s)")
        target_connection.check_constraints(table_names=tables)
        with target_connection.cursor() as cursor:
            for statement in target_connection.ops.sequence_reset_sql(no_style(), model_list):
                cursor.execute(statement)
        for model, table in zip(model_list, copied, strict=True):
            in_target = _compare_table(model, source=source, target=target, batch_size=batch_size)
            if in_target != table.rows:
                raise CopyRefused(f"{table.table}: {in_target} rows in the target, {table.rows} copied.")
        progress("every row compared equal with its source")
    return copied
