"""Sessions, CSRF, Django's authentication, messages and CommonMiddleware run on the admin site and the
account pages, never on the API's paths (blocra.admin_middleware)."""

import json

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from blocra.middleware import is_api_path_info
from tests.blocra.test_http import call
from tests.factories import TEST_PASSWORD, AdminFactory

pytestmark = pytest.mark.django_db

ALL_SET = {"session": True, "user": True, "messages": True, "csrf_checked": True}
NONE_SET = {"session": False, "user": False, "messages": False, "csrf_checked": False}


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/api", True),
        ("/api/", True),
        ("/api/bounties/1", True),
        ("/health", True),
        ("/metrics", True),
        ("/admin/", False),
        ("/account/confirm-email", False),
        ("/apis", False),
        ("/healthz", False),
        ("/", False),
    ],
)
def test_is_api_path_info(path, api):
    assert is_api_path_info(path) is api


@pytest.mark.urls("tests.blocra.request_attributes_urls")
def test_admin_middleware_does_not_run_on_api_paths(live_server):
    # given: a browser that holds a signed-in admin-site session and a CSRF cookie
    browser = Client()
    browser.force_login(AdminFactory())
    assert browser.get("/admin/").status_code == 200
    cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in browser.cookies.items())
    assert {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME} <= set(browser.cookies)
    # when: it asks an API path (over HTTP: the view is no operation of the API's schema)
    status, headers, raw = call(live_server, "GET", "/api/test-request-attributes", headers={"Cookie": cookies})
    # then: no session, user or messages were made for the view, no CSRF check ran, no cookie is sent back
    assert (status, json.loads(raw)) == (200, NONE_SET)
    assert "set-cookie" not in headers
    assert "cookie" not in headers.get("vary", "").lower()
    # and: the same request to a page gets all of them
    status, headers, raw = call(live_server, "GET", "/account/test-request-attributes", headers={"Cookie": cookies})
    assert (status, json.loads(raw)) == (200, ALL_SET)


def test_admin_session_does_not_authenticate_api_requests():
    # given: a signed-in admin-site session (a cookie), and no bearer token
    browser = Client()
    browser.force_login(AdminFactory())
    # when: the API is asked for the signed-in user
    response = browser.get("/api/auth/me")
    # then: the cookie counts for nothing there
    assert response.status_code == 401


def test_jwt_post_to_the_api_needs_no_csrf_token(user_client, user):
    # given: a client that enforces CSRF checks as a browser would, sending its bearer token and a
    # session cookie and no CSRF token
    user_client.handler.enforce_csrf_checks = True
    user_client.cookies[settings.SESSION_COOKIE_NAME] = "some-session"
    # when: it writes through the API
    response = user_client.put("/api/auth/profile", {"username": "hello-ada"}, format="json")
    # then: accepted, and no cookie set
    assert response.status_code == 200, response.content
    assert User.objects.get(pk=user.pk).username == "hello-ada"
    assert "Set-Cookie" not in response.headers


def test_admin_site_still_refuses_a_post_without_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/admin/login/", {"username": "root@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 403


def test_admin_site_signs_in_with_a_session_and_a_csrf_token():
    # given: an admin signed in through the admin site's login form, CSRF token and all
    AdminFactory(email="root@example.com")
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/admin/login/")
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    signed_in = browser.post(
        "/admin/login/",
        {"username": "root@example.com", "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert signed_in.status_code == 302
    assert settings.SESSION_COOKIE_NAME in signed_in.cookies
    # then: the session authenticates the next page (Django's authentication middleware)
    index = browser.get("/admin/")
    assert index.status_code == 200
    assert index.context["user"].email == "root@example.com"


def test_api_answers_carry_content_length_and_security_headers(client):
    response = client.get("/api/")
    assert int(response["Content-Length"]) == len(response.content)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
