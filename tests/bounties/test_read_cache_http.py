"""The cached bounty list and detail over HTTP: query counts of hits and misses, ETag and 304."""

import pytest
from rest_framework.test import APIClient

from tests.factories import BountyFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/bounties?page_size=50&status=active&ordering=-reward_amount"


@pytest.mark.parametrize("rows", [1, 50])
def test_read_cache_list_hit_runs_no_query(api_client, django_assert_num_queries, rows):
    BountyFactory.create_batch(rows)
    # a miss: COUNT for X-Total-Count; the page of bounties joined with their creators
    with django_assert_num_queries(2):
        miss = api_client.get(LIST)
    # a hit: the page and its total come from the cache
    with django_assert_num_queries(0):
        hit = api_client.get(LIST)
    assert hit.content == miss.content
    assert len(hit.json()) == rows
    assert hit["X-Total-Count"] == miss["X-Total-Count"] == str(rows)
    assert hit["Link"] == miss["Link"]


def test_read_cache_list_hit_signed_in_runs_only_auth(user_client, django_assert_num_queries):
    BountyFactory.create_batch(3)
    # auth; COUNT; page
    with django_assert_num_queries(3):
        user_client.get(LIST)
    # auth (the token's user, checked before the cache answers)
    with django_assert_num_queries(1):
        assert len(user_client.get(LIST).json()) == 3


def test_read_cache_detail_hit_runs_no_query(api_client, user_client, django_assert_num_queries):
    bounty = BountyFactory()
    # the bounty with its creator
    with django_assert_num_queries(1):
        miss = api_client.get(f"/api/bounties/{bounty.pk}")
    with django_assert_num_queries(0):
        hit = api_client.get(f"/api/bounties/{bounty.pk}")
    assert hit.content == miss.content
    user_client.get(f"/api/bounties/{bounty.pk}")
    # auth
    with django_assert_num_queries(1):
        assert user_client.get(f"/api/bounties/{bounty.pk}").json()["id"] == str(bounty.pk)


def test_read_cache_unknown_bounty_is_404_and_not_cached(api_client, django_assert_num_queries):
    url = "/api/bounties/00000000-0000-4000-8000-000000000000"
    assert api_client.get(url).status_code == 404
    # the bounty looked for again
    with django_assert_num_queries(1):
        assert api_client.get(url).status_code == 404


@pytest.mark.parametrize("path", ["list", "detail"])
def test_read_cache_etag_answers_304_without_body(api_client, django_assert_num_queries, path):
    bounty = BountyFactory()
    url = LIST if path == "list" else f"/api/bounties/{bounty.pk}"
    response = api_client.get(url)
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"')  # strong
    assert response["Cache-Control"] == "private, no-cache"
    # a hit: no query
    with django_assert_num_queries(0):
        again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # one of several, weakly compared, or any
    assert api_client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert api_client.get(url, HTTP_IF_NONE_MATCH="*").status_code == 304
    assert api_client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_read_cache_etag_answers_304_on_a_miss_too(api_client, settings):
    bounty = BountyFactory()
    etag = api_client.get(f"/api/bounties/{bounty.pk}")["ETag"]
    settings.RESPONSE_CACHE_ENABLED = False
    assert api_client.get(f"/api/bounties/{bounty.pk}", HTTP_IF_NONE_MATCH=etag).status_code == 304
    settings.RESPONSE_CACHE_ENABLED = True
    BountyFactory()  # every entry retired: the detail is a miss, its body unchanged
    assert api_client.get(f"/api/bounties/{bounty.pk}", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_read_cache_etag_changes_with_the_answer(api_client):
    bounty = BountyFactory()
    etag = api_client.get(f"/api/bounties/{bounty.pk}")["ETag"]
    list_etag = api_client.get("/api/bounties?page=5")["ETag"]
    bounty.title = "Changed"
    bounty.save(update_fields=["title"])
    changed = api_client.get(f"/api/bounties/{bounty.pk}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    # an empty page past the end: same body `[]`, another total, another ETag
    BountyFactory(created_by=UserFactory())
    past_the_end = api_client.get("/api/bounties?page=5", HTTP_IF_NONE_MATCH=list_etag)
    assert past_the_end.status_code == 200
    assert past_the_end.json() == []
    assert past_the_end["X-Total-Count"] == "2"


def test_read_cache_answer_is_the_uncached_one(api_client, settings):
    BountyFactory.create_batch(3)
    cached = [api_client.get("/api/bounties?page_size=2&page=2") for _ in range(2)]
    settings.RESPONSE_CACHE_ENABLED = False
    fresh = APIClient().get("/api/bounties?page_size=2&page=2")
    assert cached[1].content == cached[0].content == fresh.content
    assert cached[1]["X-Total-Count"] == fresh["X-Total-Count"]
    assert cached[1]["Link"] == fresh["Link"]
    assert cached[1]["Content-Type"] == fresh["Content-Type"] == "application/json"


def test_read_cache_failing_cache_serves_from_the_database(api_client, settings, tmp_path):
    bounty = BountyFactory()
    # a cache file that cannot be opened: every cache operation fails
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.RATELIMIT_ENABLE = False
    settings.CACHES = {"default": {"BACKEND": "blocra.cache.SQLiteCache", "LOCATION": str(blocker / "cache.db")}}
    listing = api_client.get("/api/bounties")
    one = api_client.get(f"/api/bounties/{bounty.pk}")
    assert listing.status_code == one.status_code == 200
    assert [row["id"] for row in listing.json()] == [str(bounty.pk)] and one.json()["id"] == str(bounty.pk)
    assert api_client.get(f"/api/bounties/{bounty.pk}", HTTP_IF_NONE_MATCH=one["ETag"]).status_code == 304
    # and writes still go through (their bump is logged, not raised)
    bounty.title = "Still writable"
    bounty.save(update_fields=["title"])
    assert api_client.get(f"/api/bounties/{bounty.pk}").json()["title"] == "Still writable"
