"""The shared cache counts atomically: the database cache by default, Redis when REDIS_URL is set."""

import threading
from datetime import UTC, timedelta

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from blocra.cache import AtomicDatabaseCache
from tests.real_services import redis_url


@pytest.fixture
def db_cache():
    # The table exists already unless REDIS_URL made Redis the default cache.
    call_command("createcachetable", "blocra_test_cache", verbosity=0)
    return AtomicDatabaseCache("blocra_test_cache", {})


@pytest.mark.django_db(transaction=True)
def test_database_cache_increments_atomically_across_threads(db_cache):
    db_cache.set("hits", 0, 60)
    errors: list[Exception] = []

    def worker():
        try:
            for _ in range(10):
                db_cache.incr("hits")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db_cache.get("hits") == 50


@pytest.mark.django_db
def test_database_cache_incr_of_missing_or_expired_key_raises(db_cache):
    with pytest.raises(ValueError):
        db_cache.incr("missing")
    db_cache.set("gone", 1, -1)
    with pytest.raises(ValueError):
        db_cache.incr("gone")


@pytest.mark.django_db
def test_default_cache_round_trip():
    cache.set("k", {"a": 1}, 30)
    assert cache.get("k") == {"a": 1}


def test_redis_cache_increments():
    url = redis_url()
    redis_cache = RedisCache(url, {"KEY_PREFIX": "blocra-test"})
    redis_cache.set("hits", 0, 30)
    for _ in range(5):
        redis_cache.incr("hits")
    assert redis_cache.get("hits") == 5
    redis_cache.delete("hits")
    assert isinstance(caches["default"], AtomicDatabaseCache | RedisCache)


@pytest.mark.django_db
@pytest.mark.parametrize(("offset", "expired"), [(-60, True), (60, False)])
def test_database_cache_expiry_reads_naive_datetimes_as_utc(offset, expired):
    # A backend that hands back naive datetimes (USE_TZ off on MySQL, say) must not crash the check.
    naive = (timezone.now() + timedelta(seconds=offset)).astimezone(UTC).replace(tzinfo=None)
    assert AtomicDatabaseCache._expired(naive, connections["default"]) is expired
