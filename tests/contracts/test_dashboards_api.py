"""GET /dashboards (the caller's counts) and GET /dashboards/analytics (public, cached)."""

import pytest
from django.core.cache import cache

from bounties.models import Bounty
from bounties.selectors import BOUNTY_ANALYTICS_CACHE_KEY
from tests.contracts.conftest import assert_error
from tests.factories import BountyFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

COUNTS = "/api/dashboards"
ANALYTICS = "/api/dashboards/analytics"


def test_dashboards_counts_the_callers_bounties_and_submissions(owner, stranger, owner_client):
    # given
    BountyFactory.create_batch(2, created_by=owner)
    BountyFactory(created_by=stranger)
    SubmissionFactory.create_batch(3, user=owner)
    SubmissionFactory(user=stranger)
    # when
    response = owner_client.get(COUNTS)
    # then
    assert response.status_code == 200
    assert response.json() == {"success": True, "bounties": 2, "submissions": 3}


def test_dashboards_counts_zero_for_a_new_user(stranger_client):
    assert stranger_client.get(COUNTS).json() == {"success": True, "bounties": 0, "submissions": 0}


def test_dashboards_costs_the_same_for_few_and_many_rows(owner, owner_client, django_assert_num_queries):
    BountyFactory(created_by=owner)
    # user of the token, COUNT of bounties, COUNT of submissions
    with django_assert_num_queries(3):
        assert owner_client.get(COUNTS).json()["bounties"] == 1
    BountyFactory.create_batch(9, created_by=owner)
    SubmissionFactory.create_batch(5, user=owner)
    with django_assert_num_queries(3):
        assert owner_client.get(COUNTS).json()["bounties"] == 10


def test_dashboards_refuses_anonymous_callers(api_client):
    assert_error(api_client.get(COUNTS), 401, "auth.not_authenticated")


def test_analytics_counts_all_and_open_bounties(api_client):
    BountyFactory.create_batch(2)
    BountyFactory(status=Bounty.Status.CANCELLED)
    BountyFactory(status=Bounty.Status.IN_REVIEW)

    response = api_client.get(ANALYTICS)

    assert response.status_code == 200
    assert response.json() == {"success": True, "total_bounties": 4, "active_bounties": 2}


def test_analytics_is_public_even_with_a_junk_or_expired_bearer(api_client):
    BountyFactory()
    api_client.credentials(HTTP_AUTHORIZATION="Bearer eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.forged")

    assert api_client.get(ANALYTICS).json()["total_bounties"] == 1


def test_analytics_is_cached_until_the_entry_expires(api_client):
    BountyFactory()
    assert api_client.get(ANALYTICS).json()["total_bounties"] == 1
    BountyFactory.create_batch(2)

    assert api_client.get(ANALYTICS).json()["total_bounties"] == 1

    cache.delete(BOUNTY_ANALYTICS_CACHE_KEY)
    assert api_client.get(ANALYTICS).json()["total_bounties"] == 3


def test_analytics_hits_the_database_once_per_cache_period(api_client, django_assert_num_queries):
    BountyFactory.create_batch(3)
    # miss: one aggregate over bounties (the cache read and write are outside the database)
    with django_assert_num_queries(1):
        assert api_client.get(ANALYTICS).status_code == 200
    # hit: only the cache read, no SQL; no bounty is counted again, however many there are
    BountyFactory.create_batch(7)
    for _ in range(5):
        with django_assert_num_queries(0):
            assert api_client.get(ANALYTICS).json()["total_bounties"] == 3
