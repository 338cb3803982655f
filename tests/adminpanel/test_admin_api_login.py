"""POST /api/admin/login: a staff account's own password, tokens as the API's sign-in issues them, one
answer for every failure, and the API's lock-out rule with its counters."""

import pytest
from django.contrib.auth.hashers import make_password

from accounts.models import ActivityLog, User
from tests.factories import TEST_PASSWORD, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/admin/login"
ATTACKER = "198.51.100.66"
OPERATOR = "203.0.113.5"


@pytest.fixture(autouse=True)
def _limits(settings, fake_clock):
    # Time stands still unless a test moves it: no window may end half-way through a test.
    settings.LOGIN_RATE_LIMIT_IP = "100/m"
    settings.LOGIN_RATE_LIMIT_EMAIL = "3/m"
    settings.LOGIN_RATE_LIMIT_ACCOUNT = "50/h"
    settings.ADMIN_EMAIL = ""


@pytest.fixture
def root(db):
    return AdminFactory(email="root@example.com")


def login(api_client, body: dict, address: str = OPERATOR):
    return api_client.post(URL, body, format="json", REMOTE_ADDR=address)


def failed_api_login_body(api_client) -> dict:
    """What /api/auth/login answers a wrong password with (from an address of its own)."""
    response = api_client.post(
        "/api/auth/login", {"email": "nobody@example.com", "password": "x"}, format="json", REMOTE_ADDR="192.0.2.99"
    )
    assert response.status_code == 401
    return response.json()


def test_admin_login_signs_a_staff_account_in_with_working_tokens(api_client, root, client_for):
    response = login(api_client, {"email": "Root@Example.com", "password": TEST_PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["user"] == {"id": root.pk, "email": "root@example.com", "role": "admin"}
    # the access token opens the admin API, the refresh token rotates like any session's
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api_client.get("/api/admin/dashboard").status_code == 200
    api_client.credentials()
    refreshed = api_client.post("/api/auth/refresh", {"refresh_token": body["refresh_token"]}, format="json")
    assert refreshed.status_code == 200
    # recorded, and the sign-in time kept
    entry = ActivityLog.objects.get(action="auth.admin_login")
    assert (entry.actor, entry.ip_address, entry.metadata) == (root, OPERATOR, {"method": "password", "via": "api"})
    root.refresh_from_db()
    assert root.last_login is not None


def test_admin_login_signs_a_moderator_in(api_client):
    UserFactory(email="mod@example.com", role=User.Role.MODERATOR)

    response = login(api_client, {"email": "mod@example.com", "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert response.json()["user"]["role"] == "moderator"


@pytest.mark.parametrize("body", [{"password": TEST_PASSWORD}, {"email": "", "password": TEST_PASSWORD}])
def test_admin_login_without_email_uses_admin_email(api_client, root, settings, body):
    settings.ADMIN_EMAIL = "ROOT@example.com"

    response = login(api_client, body)

    assert response.status_code == 200
    assert response.json()["user"]["id"] == root.pk


def _inactive_admin():
    AdminFactory(email="gone@example.com", is_active=False)
    return {"email": "gone@example.com", "password": TEST_PASSWORD}


def _plain_user():
    UserFactory(email="ada@example.com")
    return {"email": "ada@example.com", "password": TEST_PASSWORD}


def _admin_without_password():
    AdminFactory(email="nopass@example.com", password=make_password(None))
    return {"email": "nopass@example.com", "password": "anything"}


FAILURES = {
    "wrong password": lambda: (
        AdminFactory(email="root@example.com"),
        {"email": "root@example.com", "password": "guess"},
    )[1],
    "unknown account": lambda: {"email": "nobody@example.com", "password": TEST_PASSWORD},
    "not staff": _plain_user,
    "inactive": _inactive_admin,
    "no password set": _admin_without_password,
    "no email, no ADMIN_EMAIL": lambda: (AdminFactory(), {"password": TEST_PASSWORD})[1],
}


@pytest.mark.parametrize("case", FAILURES)
def test_admin_login_failures_are_one_401_like_a_failed_sign_in(api_client, case):
    body = FAILURES[case]()
    expected = failed_api_login_body(api_client)

    response = login(api_client, body)

    assert response.status_code == 401
    assert response.json() == expected
    assert "token" not in response.json()
    assert not ActivityLog.objects.filter(action="auth.admin_login").exists()
    failure = ActivityLog.objects.get(action="auth.admin_login_failed")
    assert (failure.actor, failure.ip_address, failure.metadata["via"]) == (None, OPERATOR, "api")
    assert failure.metadata["email"] == (body.get("email") or "")


def test_admin_login_failure_names_the_account_it_was_tried_on(api_client, root):
    login(api_client, {"email": "root@example.com", "password": "guess"})

    failure = ActivityLog.objects.get(action="auth.admin_login_failed")
    assert (failure.target_type, failure.target_id, failure.metadata) == (
        "user",
        str(root.pk),
        {"email": "root@example.com", "via": "api"},
    )


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"password"}),
        ({"email": "root@example.com"}, {"password"}),
        ({"email": "not-an-email", "password": "x"}, {"email"}),
        ({"email": ["root@example.com"], "password": {"a": 1}}, {"email", "password"}),
    ],
)
def test_admin_login_malformed_input_is_400(api_client, root, body, fields):
    response = login(api_client, body)

    assert response.status_code == 400
    assert response.json()["code"] == "request.validation_failed"
    assert set(response.json()["errors"]) == fields
    assert not ActivityLog.objects.exists()


def test_admin_login_is_throttled_and_the_operator_still_signs_in(api_client, root, fake_clock):
    # given an attacker failing on the operator's account
    failures = [login(api_client, {"email": "root@example.com", "password": f"guess-{n}"}, ATTACKER) for n in range(3)]
    # when it tries again, with the right password even
    refused = login(api_client, {"email": "root@example.com", "password": TEST_PASSWORD}, ATTACKER)

    # then it is refused unchecked, and told when to come back
    assert [response.status_code for response in failures] == [401, 401, 401]
    assert refused.status_code == 429
    assert refused.json()["code"] == "request.rate_limited"
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 60
    assert ActivityLog.objects.filter(action="auth.admin_login_failed").count() == 3
    # while the operator, from their own address, signs in
    assert login(api_client, {"email": "root@example.com", "password": TEST_PASSWORD}, OPERATOR).status_code == 200
    # and the attacker may try again once its window is over
    fake_clock.advance(retry_after)
    assert login(api_client, {"email": "root@example.com", "password": "guess-4"}, ATTACKER).status_code == 401


def test_admin_login_shares_the_sign_in_counters(api_client, client, root):
    # failures on the API's sign-in and the admin site's count here: three doors, one allowance
    for n in range(2):
        response = api_client.post(
            "/api/auth/login",
            {"email": "root@example.com", "password": f"guess-{n}"},
            format="json",
            REMOTE_ADDR=ATTACKER,
        )
        assert response.status_code == 401
    site = client.post("/admin/login/", {"username": "root@example.com", "password": "guess"}, REMOTE_ADDR=ATTACKER)
    assert site.status_code == 200

    response = login(api_client, {"email": "root@example.com", "password": TEST_PASSWORD}, ATTACKER)

    assert response.status_code == 429


def test_admin_login_successes_do_not_count(api_client, root):
    for _ in range(4):
        assert login(api_client, {"email": "root@example.com", "password": TEST_PASSWORD}).status_code == 200

    assert login(api_client, {"email": "root@example.com", "password": "guess"}).status_code == 401


def test_admin_login_fails_closed_when_its_counters_are_unreachable(api_client, root, settings, tmp_path):
    # the counters' SQLite file cannot be made: a plain file stands where its directory should be
    (tmp_path / "a-file").write_text("")
    store = {"BACKEND": "blocra.cache.SQLiteCache", "LOCATION": str(tmp_path / "a-file" / "counters.db")}
    settings.CACHES = {**settings.CACHES, "counters": store}
    settings.RATELIMIT_USE_CACHE = "counters"

    response = login(api_client, {"email": "root@example.com", "password": TEST_PASSWORD})

    assert response.status_code == 503
    assert response.json()["code"] == "server.rate_limit_unavailable"
    assert not ActivityLog.objects.exists()


def test_admin_login_query_count(api_client, root, django_assert_num_queries):
    # the account by email; SAVEPOINT; UPDATE last_login; INSERT activity; INSERT outstanding refresh
    # token; RELEASE SAVEPOINT (the lock-out counters live outside the database)
    with django_assert_num_queries(6):
        response = login(api_client, {"email": "root@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 200
