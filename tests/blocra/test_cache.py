"""The shared cache counts atomically: a SQLite file of its own by default, Redis when REDIS_URL is set."""

import sqlite3
import threading

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from blocra.cache import SQLiteCache
from blocra.clock import clock_replaced
from tests.clock import FakeClock
from tests.real_services import redis_url


@pytest.fixture
def file_cache(tmp_path):
    return SQLiteCache(str(tmp_path / "cache.db"), {"OPTIONS": {"busy_timeout": 0.05}})


def test_sqlite_cache_increments_atomically_across_threads(file_cache):
    # given: one counter, five threads (each with a connection of its own) adding ten each
    file_cache.set("hits", 0, 60)
    errors: list[Exception] = []

    def worker():
        try:
            for _ in range(10):
                file_cache.incr("hits")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then no increment is lost
    assert errors == []
    assert file_cache.get("hits") == 50


def test_sqlite_cache_add_keeps_a_live_entry_and_replaces_an_expired_one(file_cache):
    assert file_cache.add("k", 1, 60) is True
    assert file_cache.add("k", 2, 60) is False
    assert file_cache.get("k") == 1
    file_cache.set("gone", "old", -1)
    assert file_cache.add("gone", "new", 60) is True
    assert file_cache.get("gone") == "new"


def test_sqlite_cache_incr_of_missing_or_expired_key_raises(file_cache):
    with pytest.raises(ValueError):
        file_cache.incr("missing")
    file_cache.set("gone", 1, -1)
    with pytest.raises(ValueError):
        file_cache.incr("gone")


@pytest.mark.parametrize("value", [{"a": [1, "two"]}, "text", 2**70, True, None, 3.5])
def test_sqlite_cache_round_trips_values(file_cache, value):
    file_cache.set("k", value, None)
    assert file_cache.get("k", "absent") == value
    assert type(file_cache.get("k")) is type(value)


def test_sqlite_cache_touch_delete_and_clear(file_cache):
    file_cache.set("k", 1, 60)
    assert file_cache.touch("k", -1) is True
    assert file_cache.get("k") is None
    file_cache.set_many({"a": 1, "b": 2}, 60)
    assert file_cache.delete("a") is True
    assert file_cache.delete("a") is False
    file_cache.clear()
    assert file_cache.get_many(["a", "b"]) == {}


def test_sqlite_cache_culls_to_max_entries(tmp_path):
    small = SQLiteCache(str(tmp_path / "cache.db"), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}})
    for n in range(300):  # the 1st and the 257th write cull
        small.set(f"k{n}", n, 60 + n)
    count = sqlite3.connect(small.path).execute("SELECT COUNT(*) FROM cache").fetchone()[0]
    # the 257th write left 10 - 10 // 2 entries, the 43 after it added theirs
    assert count == 5 + 43
    # the entries that expire first went first
    assert small.get("k252") == 252
    assert small.get("k251") is None


def test_sqlite_cache_fails_with_sqlite_error_when_its_file_is_locked(file_cache):
    # given: another connection holds the cache file's write lock past the busy timeout
    file_cache.set("k", 1, 60)
    holder = sqlite3.connect(file_cache.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError):
            file_cache.incr("k")
        assert file_cache.get("k") == 1  # readers are not blocked (WAL)
    finally:
        holder.execute("ROLLBACK")
    # then it works again once the lock is gone
    assert file_cache.incr("k") == 2


def test_sqlite_cache_fails_with_os_error_when_its_directory_cannot_be_made(tmp_path):
    (tmp_path / "a-file").write_text("")
    broken = SQLiteCache(str(tmp_path / "a-file" / "cache.db"), {})
    with pytest.raises(OSError):
        broken.get("k")


@pytest.mark.django_db
def test_default_cache_round_trip_outside_the_main_database():
    cache.set("k", {"a": 1}, 30)
    assert cache.get("k") == {"a": 1}
    default = caches["default"]
    if isinstance(default, SQLiteCache):
        assert str(default.path) != connection.settings_dict["NAME"]
    else:
        assert isinstance(default, RedisCache)


def test_redis_cache_increments():
    url = redis_url()
    redis_cache = RedisCache(url, {"KEY_PREFIX": "blocra-test"})
    redis_cache.set("hits", 0, 30)
    for _ in range(5):
        redis_cache.incr("hits")
    assert redis_cache.get("hits") == 5
    redis_cache.delete("hits")
    assert isinstance(caches["default"], SQLiteCache | RedisCache)


def test_sqlite_cache_waits_for_another_process_switching_a_new_file_to_wal(tmp_path):
    # given: a new cache file whose lock another process holds (as when workers start at once and one
    # of them is switching the file to WAL), which SQLite refuses at once rather than waiting
    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")

    class OtherProcessFinishes(FakeClock):
        def sleep(self, seconds: float) -> None:
            if holder.in_transaction:
                holder.execute("ROLLBACK")
            super().sleep(seconds)

    cache = SQLiteCache(str(path), {"OPTIONS": {"busy_timeout": 0.05}})

    # when: this process opens it meanwhile
    with clock_replaced(OtherProcessFinishes()):
        stored = cache.add("key", 1)

    # then: it tried again once the lock was released, and the file is in WAL mode
    assert stored is True
    assert holder.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    holder.close()
