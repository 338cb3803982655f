"""The admin site's login (/admin/login/) under the API's lock-out rule: throttled per client and per
account, never locking out an owner who has not been failing."""

import pytest

from accounts.models import ActivityLog, User
from tests.factories import TEST_PASSWORD, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"
OPERATOR = "203.0.113.5"


@pytest.fixture
def operator():
    return AdminFactory(email="root@example.com")


@pytest.fixture(autouse=True)
def _limits(settings, fake_clock):
    # Time stands still unless a test moves it: no window may end half-way through a test.
    settings.LOGIN_RATE_LIMIT_IP = "100/m"
    settings.LOGIN_RATE_LIMIT_EMAIL = "3/m"
    settings.LOGIN_RATE_LIMIT_ACCOUNT = "50/h"


def admin_login(client, email: str, password: str, address: str):
    return client.post(
        "/admin/login/", {"username": email, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


def test_admin_login_signs_an_operator_in_and_records_it(client, operator):
    response = admin_login(client, "root@example.com", TEST_PASSWORD, OPERATOR)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    entry = ActivityLog.objects.get(action="auth.admin_login")
    assert (entry.actor, entry.ip_address) == (operator, OPERATOR)


def test_admin_login_refuses_after_failures_then_the_operator_still_signs_in(client, operator, fake_clock):
    # given an attacker failing on the operator's account
    failures = [admin_login(client, "root@example.com", f"guess-{n}", ATTACKER) for n in range(3)]
    # when it tries again, with the right password even
    refused = admin_login(client, "root@example.com", TEST_PASSWORD, ATTACKER)

    # then every failure was answered as a failure, and the next attempt is refused unchecked
    assert [response.status_code for response in failures] == [200, 200, 200]
    assert all(b"Please enter the correct" in response.content for response in failures)
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/html")
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 60
    assert f"try again in {retry_after} seconds".encode() in refused.content
    assert "_auth_user_id" not in client.session
    # each failure is in the activity log, the refusal is not
    failed = ActivityLog.objects.filter(action="auth.admin_login_failed")
    assert failed.count() == 3
    assert {(entry.target_id, entry.ip_address) for entry in failed} == {(str(operator.pk), ATTACKER)}
    assert all(entry.metadata == {"email": "root@example.com"} for entry in failed)
    # while the operator, from another address, signs in
    assert admin_login(client, "root@example.com", TEST_PASSWORD, OPERATOR).status_code == 302
    # and the attacker may try again once its window is over
    fake_clock.advance(retry_after)
    client.logout()
    assert admin_login(client, "root@example.com", "guess-4", ATTACKER).status_code == 200


def test_admin_login_throttled_per_client_across_accounts(client, operator, settings):
    settings.LOGIN_RATE_LIMIT_IP = "2/m"
    statuses = [admin_login(client, f"user{n}@example.com", "guess", ATTACKER).status_code for n in range(3)]

    assert statuses == [200, 200, 429]
    assert admin_login(client, "root@example.com", TEST_PASSWORD, OPERATOR).status_code == 302


def test_admin_login_shares_the_apis_counters(client, api_client, operator):
    # failures through the API count on the admin site: two doors, one allowance
    for n in range(3):
        api_response = api_client.post(
            "/api/auth/login",
            {"email": "root@example.com", "password": f"guess-{n}"},
            format="json",
            REMOTE_ADDR=ATTACKER,
        )
        assert api_response.status_code == 401

    assert admin_login(client, "root@example.com", TEST_PASSWORD, ATTACKER).status_code == 429


def test_admin_login_successes_do_not_count(client, operator):
    for _ in range(4):
        assert admin_login(client, "root@example.com", TEST_PASSWORD, OPERATOR).status_code == 302
        client.logout()

    assert admin_login(client, "root@example.com", "guess", OPERATOR).status_code == 200


def test_admin_login_right_password_of_a_non_staff_account_is_a_failure(client):
    UserFactory(email="ada@example.com", role=User.Role.USER)
    statuses = [admin_login(client, "ada@example.com", TEST_PASSWORD, ATTACKER).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert ActivityLog.objects.filter(action="auth.admin_login_failed").count() == 3
    assert not ActivityLog.objects.filter(action="auth.admin_login").exists()


def test_admin_login_page_without_a_password_is_not_an_attempt(client, operator):
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "root@example.com", "password": ""}, REMOTE_ADDR=ATTACKER)
        assert response.status_code == 200

    assert admin_login(client, "root@example.com", TEST_PASSWORD, ATTACKER).status_code == 302
    assert client.get("/admin/login/").status_code == 302  # signed in: the page sends the operator on
