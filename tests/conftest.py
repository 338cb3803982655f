"""Shared fixtures: API clients, personas, and the real services the suite talks to."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests.factories import AdminFactory, UserFactory


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def bearer_client(user) -> APIClient:
    """An APIClient sending a fresh access token for `user`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def client_for():
    return bearer_client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def user_client(user) -> APIClient:
    return bearer_client(user)


@pytest.fixture
def admin_client_api(admin_user) -> APIClient:
    return bearer_client(admin_user)


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Rate-limit counters and cached answers must not leak between tests (the cache table is not
    flushed with the models, and Redis not at all)."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "db")
        cache.clear()
    yield
