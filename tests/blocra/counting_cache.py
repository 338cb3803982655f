"""The SQLite cache file (blocra.cache), counting the writes made to it: how the tests see that the global
ceiling does not write per request."""

from typing import Any

from blocra.cache import SQLiteCache


class CountingSQLiteCache(SQLiteCache):
    writes = 0

    def add(self, *args: Any, **kwargs: Any) -> bool:
        CountingSQLiteCache.writes += 1
        return super().add(*args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        CountingSQLiteCache.writes += 1
        return super().incr(*args, **kwargs)
