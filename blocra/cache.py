"""A database cache whose `incr` is atomic, so rate-limit counters hold across workers without Redis."""

import base64
import pickle
from datetime import UTC, datetime
from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone


class AtomicDatabaseCache(DatabaseCache):
    """Django's DatabaseCache with a read-modify-write `incr` inside one locked transaction.

    PostgreSQL locks the row with SELECT ... FOR UPDATE; SQLite runs the transaction as
    BEGIN IMMEDIATE (settings), which already excludes every other writer.
    """

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)  # type: ignore[attr-defined]  # DatabaseCache's table name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # The table name comes from settings and is quoted; the key is a parameter.
            cursor.execute(
                f"SELECT {quote('value')}, {quote('expires')} FROM {table} WHERE {quote('cache_key')} = %s{lock}",  # noqa: S608
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._expired(row[1], connection):
                raise ValueError(f"Key '{key}' not found")
            # Django's DatabaseCache pickles values the same way; only this app writes the table.
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote('value')} = %s WHERE {quote('cache_key')} = %s",  # noqa: S608
                [encoded, key],
            )
        return value

    @staticmethod
    def _expired(expires: Any, connection: BaseDatabaseWrapper) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        if isinstance(expires, datetime) and timezone.is_naive(expires):
            expires = timezone.make_aware(expires, UTC)
        return bool(expires < timezone.now().replace(microsecond=0))
