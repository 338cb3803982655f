"""POST /api/auth/login: one answer for every bad credential, throttling, hash upgrade, activity."""

import pytest
from django.contrib.auth.hashers import make_password

from accounts.models import ActivityLog, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email, password, **extra):
    return client.post("/api/auth/login", {"email": email, "password": password}, format="json", **extra)


def test_login_answers_auth_response(api_client):
    user = UserFactory(email="ada@example.com")
    response = login(api_client, "ada@example.com", TEST_PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["user"]["id"] == user.pk
    assert body["token"] and body["refresh_token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api_client.get("/api/auth/me").json()["data"]["user"]["id"] == user.pk


def test_login_email_is_case_insensitive(api_client):
    UserFactory(email="ada@example.com")
    assert login(api_client, " ADA@example.com", TEST_PASSWORD).status_code == 200


def test_login_unknown_email_wrong_password_and_no_password_share_one_answer(api_client):
    UserFactory(email="ada@example.com")
    passwordless = User.objects.create_user(email="nopass@example.com")
    assert not passwordless.has_usable_password()
    answers = [
        login(api_client, "nobody@example.com", TEST_PASSWORD),
        login(api_client, "ada@example.com", "wrong-password-entirely"),
        login(api_client, "nopass@example.com", ""),
        login(api_client, "nopass@example.com", "anything-at-all-123"),
    ]
    statuses = [answer.status_code for answer in answers]
    bodies = [answer.json() for answer in answers[:2] + answers[3:]]
    assert statuses == [401, 401, 400, 401]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["code"] == "auth.invalid_credentials"


def test_login_deactivated_account_is_401(api_client):
    UserFactory(email="ada@example.com", is_active=False)
    response = login(api_client, "ada@example.com", TEST_PASSWORD)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_credentials"


def test_login_upgrades_pbkdf2_hash_to_argon2(api_client):
    # given an account whose password was hashed by the earlier PBKDF2 default
    user = UserFactory(email="ada@example.com")
    User.objects.filter(pk=user.pk).update(password=make_password(TEST_PASSWORD, hasher="pbkdf2_sha256"))
    # when
    response = login(api_client, "ada@example.com", TEST_PASSWORD)
    # then it still verifies, and is stored as Argon2 from now on
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert login(api_client, "ada@example.com", TEST_PASSWORD).status_code == 200


def test_login_records_success_and_failure_without_password(api_client):
    user = UserFactory(email="ada@example.com")
    login(api_client, "ada@example.com", "wrong-password-entirely", HTTP_USER_AGENT="pytest-agent")
    login(api_client, "ada@example.com", TEST_PASSWORD, HTTP_USER_AGENT="pytest-agent")
    failed = ActivityLog.objects.get(action="auth.login_failed")
    assert failed.actor is None
    assert (failed.target_type, failed.target_id) == ("user", str(user.pk))
    assert failed.metadata == {"email": "ada@example.com"}
    assert "wrong-password" not in str(failed.metadata)
    succeeded = ActivityLog.objects.get(action="auth.login")
    assert succeeded.actor == user
    assert (succeeded.ip_address, succeeded.user_agent) == ("127.0.0.1", "pytest-agent")


def test_login_unknown_email_failure_is_recorded(api_client):
    login(api_client, "nobody@example.com", TEST_PASSWORD)
    failed = ActivityLog.objects.get(action="auth.login_failed")
    assert (failed.actor, failed.target_id, failed.metadata) == (None, "", {"email": "nobody@example.com"})


def test_login_ignores_stale_bearer_token(api_client):
    UserFactory(email="ada@example.com")
    api_client.credentials(HTTP_AUTHORIZATION="Bearer aaa.bbb.ccc")
    assert login(api_client, "ada@example.com", TEST_PASSWORD).status_code == 200


def _until_limited(attempt, limit: int = 10):
    """Call `attempt` until it answers 429 (at most `limit` times); the statuses seen and the 429."""
    statuses = []
    for _ in range(limit):
        response = attempt()
        statuses.append(response.status_code)
        if response.status_code == 429:
            return statuses, response
    return statuses, None


def test_login_attacker_failing_on_an_email_cannot_lock_its_owner_out(api_client, settings, fake_clock):
    # given an attacker at 198.51.100.66 guessing Ada's password past the per-email limit
    settings.LOGIN_RATE_LIMIT_EMAIL = "2/m"
    settings.LOGIN_RATE_LIMIT_IP = "100/m"
    UserFactory(email="ada@example.com")

    def attacker(password="wrong-password-entirely"):
        return login(api_client, "ada@example.com", password, REMOTE_ADDR="198.51.100.66")

    guesses = [attacker().status_code for _ in range(2)]
    refused = attacker(TEST_PASSWORD)

    # then the attacker is refused before its password is checked (even the right one)
    assert guesses == [401, 401]
    assert refused.status_code == 429
    assert refused.json()["code"] == "request.rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert ActivityLog.objects.filter(action="auth.login_failed").count() == 2
    # while Ada, from her own address, signs in with her password
    assert login(api_client, "ada@example.com", TEST_PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 200
    # and the attacker is still refused until its window ends, then may try again
    fake_clock.advance(int(refused["Retry-After"]) - 1)
    assert attacker().status_code == 429
    fake_clock.advance(1)
    assert attacker().status_code == 401


def test_login_successes_are_not_counted_as_failures(api_client, settings, fake_clock):
    settings.LOGIN_RATE_LIMIT_EMAIL = "2/m"
    settings.LOGIN_RATE_LIMIT_IP = "2/m"
    UserFactory(email="ada@example.com")

    signed_in = [login(api_client, "ada@example.com", TEST_PASSWORD).status_code for _ in range(5)]
    # the client still has its whole allowance of failures
    failures = [login(api_client, "ada@example.com", "wrong-password-entirely").status_code for _ in range(3)]

    assert signed_in == [200] * 5
    assert failures == [401, 401, 429]


def test_login_refusal_reads_the_same_for_unknown_and_registered_emails(api_client, settings, fake_clock):
    settings.LOGIN_RATE_LIMIT_EMAIL = "1/m"
    settings.LOGIN_RATE_LIMIT_IP = "100/m"
    UserFactory(email="ada@example.com")
    answers = {}
    for email in ("ada@example.com", "nobody@example.com"):
        login(api_client, email, "wrong-password-entirely")
        answers[email] = login(api_client, email, "wrong-password-entirely")

    registered, unknown = answers["ada@example.com"], answers["nobody@example.com"]
    assert registered.status_code == unknown.status_code == 429
    assert registered.json() == unknown.json()


def test_login_account_under_attack_allows_one_failure_per_client_and_the_owner(api_client, settings, fake_clock):
    # given a guesser with many addresses, each staying under the per-email limit
    settings.LOGIN_RATE_LIMIT_EMAIL = "5/m"
    settings.LOGIN_RATE_LIMIT_IP = "100/m"
    settings.LOGIN_RATE_LIMIT_ACCOUNT = "3/h"
    UserFactory(email="ada@example.com")

    def guess(address: str):
        return login(api_client, "ada@example.com", "wrong-password-entirely", REMOTE_ADDR=address)

    # when it fails past the account's ceiling from four addresses, twice from the first
    first_round = [guess(f"198.51.100.{n}").status_code for n in (1, 1, 2, 3)]
    # then, the account now under attack, an address that failed on it is refused at once
    assert first_round == [401, 401, 401, 401]
    again = guess("198.51.100.2")
    assert again.status_code == 429
    assert int(again["Retry-After"]) <= 3600
    # a fresh address gets one guess, no more
    assert [guess("198.51.100.9").status_code for _ in range(2)] == [401, 429]
    # and the owner, from an address that has not been failing, signs in
    assert login(api_client, "ada@example.com", TEST_PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 200
    # other accounts are not under attack
    UserFactory(email="bob@example.com")
    other = login(api_client, "bob@example.com", "wrong-password-entirely", REMOTE_ADDR="198.51.100.2")
    assert other.status_code == 401
    # once the period is over, the account is no longer under attack
    fake_clock.advance(3600)
    assert guess("198.51.100.2").status_code == 401


def test_login_throttled_per_ip_across_emails(api_client, settings, fake_clock):
    settings.LOGIN_RATE_LIMIT_IP = "3/m"
    settings.LOGIN_RATE_LIMIT_EMAIL = "100/m"
    UserFactory(email="ada@example.com")
    emails = iter(f"user{n}@example.com" for n in range(100))

    statuses, limited = _until_limited(lambda: login(api_client, next(emails), "wrong-password-entirely"))

    assert limited is not None, statuses
    assert set(statuses[:-1]) == {401}
    assert limited.json()["code"] == "request.rate_limited"
    assert int(limited["Retry-After"]) >= 1
    # another client address is not affected
    assert login(api_client, "ada@example.com", TEST_PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 200


def test_login_query_count(api_client, django_assert_num_queries):
    UserFactory(email="ada@example.com")
    # 1 user by email, savepoint, update last_login, insert activity, insert outstanding token,
    # release savepoint; the rate limits count outside the database (blocra.cache or Redis)
    with django_assert_num_queries(6):
        response = login(api_client, "ada@example.com", TEST_PASSWORD)
    assert response.status_code == 200


def test_login_failed_query_count(api_client, django_assert_num_queries):
    # 1 user by email, 1 insert activity (the rate limits count outside the database)
    with django_assert_num_queries(2):
        response = login(api_client, "nobody@example.com", TEST_PASSWORD)
    assert response.status_code == 401
