"""GET /api/auth/oauth/config."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_oauth_config_names_google_client_and_chain(settings):
    settings.GOOGLE_CLIENT_ID = "abc.apps.googleusercontent.com"
    response = APIClient().get("/api/auth/oauth/config")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {"google": {"clientId": "abc.apps.googleusercontent.com"}, "starknet": {"chainId": "SN_SEPOLIA"}},
    }


def test_oauth_config_without_google_has_empty_client_id(settings):
    settings.GOOGLE_CLIENT_ID = ""
    response = APIClient().get("/api/auth/oauth/config")
    assert response.json()["data"]["google"] == {"clientId": ""}


def test_oauth_config_ignores_stale_bearer_token():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer aaa.bbb.ccc")
    assert client.get("/api/auth/oauth/config").status_code == 200


def test_oauth_config_query_count(django_assert_num_queries):
    # no query: settings only
    with django_assert_num_queries(0):
        assert APIClient().get("/api/auth/oauth/config").status_code == 200
