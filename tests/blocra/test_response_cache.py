"""blocra.response_cache: the per-process copies of entries kept beside the shared cache."""

import pytest
from django.core.cache import cache

from blocra.clock import clock_replaced
from blocra.response_cache import VersionedCache
from tests.clock import FakeClock


@pytest.fixture
def reads(settings):
    settings.RESPONSE_CACHE_TTL_SECONDS = 60
    cache.clear()
    return VersionedCache("test:reads")


def test_versioned_cache_local_copy_serves_a_hit_without_the_shared_entry(reads):
    # given: an entry stored, then gone from the shared cache (evicted)
    version = reads.version()
    reads.set(version, "page", b"[1]")
    cache.delete(f"test:reads:{version}:page")

    # then: this process still holds it under its version
    assert reads.get(version, "page") == b"[1]"


def test_versioned_cache_local_copy_is_never_served_after_a_bump(reads):
    # given: an entry held in this process
    version = reads.version()
    reads.set(version, "page", b"[1]")

    # when: a write moves the version on
    reads.bump()

    # then: readers ask under the new version, which holds nothing
    new_version = reads.version()
    assert new_version != version
    assert reads.get(new_version, "page") is None


def test_versioned_cache_local_copy_expires_with_the_ttl(reads):
    with clock_replaced(FakeClock()) as fake:
        version = reads.version()
        reads.set(version, "page", b"[1]")
        cache.delete(f"test:reads:{version}:page")

        fake.advance(59)
        assert reads.get(version, "page") == b"[1]"
        fake.advance(2)
        assert reads.get(version, "page") is None


def test_versioned_cache_local_copies_are_bounded(reads, monkeypatch):
    monkeypatch.setattr(VersionedCache, "LOCAL_ENTRIES", 2)
    version = reads.version()
    for name in ("a", "b", "c"):
        reads.set(version, name, name.encode())
        cache.delete(f"test:reads:{version}:{name}")

    # the least recently used copy went first
    assert [reads.get(version, name) for name in ("a", "b", "c")] == [None, b"b", b"c"]
