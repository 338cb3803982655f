"""POST /api/auth/register."""

import threading
from datetime import datetime

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import ActivityLog, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STRONG = "correct-horse-battery-staple-42"


def register(client, **body):
    return client.post("/api/auth/register", body, format="json")


def test_register_creates_account_and_answers_auth_response(api_client):
    # when
    response = register(api_client, email="  Ada@Example.COM ", password=STRONG, username="ada")
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    assert set(body) == {"success", "token", "refresh_token", "user"}
    user = User.objects.get()
    assert body["user"] == {
        "id": user.pk,
        "email": "ada@example.com",
        "username": "ada",
        "wallet_address": None,
        "role": "user",
        "profile_picture": None,
        "created_at": body["user"]["created_at"],
        "email_verified": False,
        "pending_email": None,
    }
    assert datetime.fromisoformat(body["user"]["created_at"]).utcoffset().total_seconds() == 0
    assert user.password.startswith("argon2")
    assert user.check_password(STRONG)


def test_register_token_reads_me(api_client):
    token = register(api_client, email="ada@example.com", password=STRONG).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api_client.get("/api/auth/me")
    assert response.status_code == 200
    assert response.json()["data"]["user"]["email"] == "ada@example.com"


def test_register_without_username_stores_null(api_client):
    response = register(api_client, email="ada@example.com", password=STRONG)
    assert response.status_code == 201
    assert response.json()["user"]["username"] is None


def test_register_duplicate_email_is_409_case_insensitive(api_client):
    UserFactory(email="ada@example.com")
    response = register(api_client, email="ADA@Example.com", password=STRONG)
    assert response.status_code == 409
    assert response.json()["code"] == "auth.email_taken"
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short1", "too short"), ("password123", "too common"), ("1234567890123", "entirely numeric")],
)
def test_register_weak_password_is_400_with_field_errors(api_client, password, reason):
    response = register(api_client, email="ada@example.com", password=password)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "request.validation_failed"
    assert any(reason in message for message in body["errors"]["password"])
    assert not User.objects.exists()


def test_register_password_like_email_is_refused(api_client):
    response = register(api_client, email="adalovelace@example.com", password="adalovelace")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


@pytest.mark.parametrize(
    "body",
    [{"email": "ada@example.com"}, {"password": STRONG}, {"email": "not-an-email", "password": STRONG}, {}],
)
def test_register_missing_or_invalid_fields_are_400(api_client, body):
    response = api_client.post("/api/auth/register", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "request.validation_failed"
    assert not User.objects.exists()


def test_register_malformed_json_is_400(api_client):
    response = api_client.post("/api/auth/register", b'{"email": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "request.malformed"


def test_register_records_activity_with_ip_and_user_agent(api_client):
    register(api_client, email="ada@example.com", password=STRONG)
    entry = ActivityLog.objects.get(action="auth.register")
    assert entry.actor == User.objects.get()
    assert entry.ip_address == "127.0.0.1"


def test_register_ignores_stale_bearer_token(api_client):
    # The app may still send a dead token while signing up: register needs no credentials.
    api_client.credentials(HTTP_AUTHORIZATION="Bearer aaa.bbb.ccc")
    response = register(api_client, email="ada@example.com", password=STRONG)
    assert response.status_code == 201


def test_register_query_count(api_client, django_assert_num_queries):
    # 1 email taken?, savepoint, insert user, insert activity, insert outstanding token, release savepoint
    with django_assert_num_queries(6):
        response = register(api_client, email="ada@example.com", password=STRONG)
    assert response.status_code == 201


class TransactionNotingHasher(Argon2PasswordHasher):
    """Argon2, noting at each hash whether the database connection was inside a transaction."""

    in_transaction: list[bool] = []

    def encode(self, password, salt):
        self.in_transaction.append(connection.in_atomic_block)
        return super().encode(password, salt)


@pytest.mark.django_db(transaction=True)  # no test-wide transaction: the service's own is the only one
def test_register_hashes_the_password_outside_the_transaction(api_client, settings):
    # given: a hasher that notes whether it runs inside a transaction (on SQLite: holding the write lock)
    settings.PASSWORD_HASHERS = [f"{__name__}.TransactionNotingHasher"]
    TransactionNotingHasher.in_transaction = []
    # when
    response = register(api_client, email="ada@example.com", password=STRONG)
    # then: hashed once, before the transaction that writes the account, and the hash is the password's
    assert response.status_code == 201
    assert TransactionNotingHasher.in_transaction == [False]
    assert User.objects.get(email="ada@example.com").check_password(STRONG)


@pytest.mark.django_db(transaction=True)
def test_register_concurrent_same_email_creates_one_account():
    # given several clients registering the same address at once
    results: list[int] = []
    barrier = threading.Barrier(4)

    def attempt(n: int) -> None:
        try:
            barrier.wait()
            client = APIClient()
            results.append(
                register(client, email=f"{'ADA' if n % 2 else 'ada'}@example.com", password=STRONG).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly one wins; the others are told the email is taken, none sees a 500
    assert sorted(results) == [201, 409, 409, 409]
    assert User.objects.count() == 1
