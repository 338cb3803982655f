"""JWT sessions: /api/auth/refresh, /api/auth/logout, revocation and the bearer authentication."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import ActivityLog
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(user) -> dict:
    response = APIClient().post("/api/auth/login", {"email": user.email, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def refresh(refresh_token):
    return APIClient().post("/api/auth/refresh", {"refresh_token": refresh_token}, format="json")


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_refresh_rotates_and_revokes_the_old_token(user):
    session = sign_in(user)
    # when
    response = refresh(session["refresh_token"])
    # then a new pair works
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["user"]["id"] == user.pk
    assert body["refresh_token"] != session["refresh_token"]
    assert bearer(body["token"]).get("/api/auth/me").status_code == 200
    assert refresh(body["refresh_token"]).status_code == 200
    # and the old refresh token is refused
    reused = refresh(session["refresh_token"])
    assert reused.status_code == 401
    assert reused.json()["code"] == "auth.invalid_refresh_token"


def test_refresh_with_access_token_is_401(user):
    session = sign_in(user)
    response = refresh(session["token"])
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_refresh_token"


@pytest.mark.parametrize("value", ["garbage", "aaa.bbb.ccc", "x" * 500])
def test_refresh_with_junk_is_401(db, value):
    response = refresh(value)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_refresh_token"


def test_refresh_missing_field_is_400(db):
    response = APIClient().post("/api/auth/refresh", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "request.validation_failed"


def test_refresh_expired_token_is_401(user):
    token = RefreshToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    response = refresh(str(token))
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_refresh_token"


def test_refresh_token_signed_with_another_key_is_401(user):
    forged = RefreshToken.for_user(user)
    forged_text = str(forged)
    header, payload, _ = forged_text.split(".")
    response = refresh(f"{header}.{payload}.{'A' * 43}")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_refresh_token"


def test_refresh_of_deactivated_user_is_401(user):
    session = sign_in(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = refresh(session["refresh_token"])
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_refresh_token"


@pytest.mark.django_db(transaction=True)
def test_refresh_concurrent_reuse_has_one_winner():
    session = sign_in(UserFactory())
    results: list[int] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        try:
            barrier.wait()
            results.append(refresh(session["refresh_token"]).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 401, 401, 401]
    # each loser is logged: refused by the blacklist, or by losing the race to revoke the token
    refused = ActivityLog.objects.filter(action="auth.refresh_refused")
    assert refused.count() == 3
    assert set(refused.values_list("metadata__reason", flat=True)) <= {"revoked", "reused_concurrently"}


def test_refresh_query_count(user, django_assert_num_queries):
    session = sign_in(user)
    # 1 blacklisted? (token check), 1 user, savepoint, 1 outstanding token by jti, savepoint,
    # insert blacklist row, release, insert new outstanding token, release
    with django_assert_num_queries(9):
        response = refresh(session["refresh_token"])
    assert response.status_code == 200


def test_logout_revokes_the_given_refresh_token_only(user):
    first, second = sign_in(user), sign_in(user)
    # when
    response = bearer(first["token"]).post("/api/auth/logout", {"refresh_token": first["refresh_token"]}, format="json")
    # then
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Logged out successfully"}
    assert refresh(first["refresh_token"]).status_code == 401
    assert refresh(second["refresh_token"]).status_code == 200
    entry = ActivityLog.objects.get(action="auth.logout")
    assert (entry.actor, entry.metadata) == (user, {"scope": "token"})


def test_logout_without_token_revokes_every_session(user):
    first, second = sign_in(user), sign_in(user)
    other_user_session = sign_in(UserFactory())
    # when
    response = bearer(first["token"]).post("/api/auth/logout", {}, format="json")
    # then every refresh token of the user is dead, and so are the access tokens
    assert response.status_code == 200
    assert refresh(first["refresh_token"]).status_code == 401
    assert refresh(second["refresh_token"]).status_code == 401
    me = bearer(second["token"]).get("/api/auth/me")
    assert me.status_code == 401
    assert me.json()["code"] == "auth.invalid_token"
    # another user's session is untouched, and signing in again works
    assert refresh(other_user_session["refresh_token"]).status_code == 200
    fresh = sign_in(user)
    assert bearer(fresh["token"]).get("/api/auth/me").status_code == 200
    assert refresh(fresh["refresh_token"]).status_code == 200
    assert ActivityLog.objects.get(action="auth.logout").metadata == {"scope": "all"}


def test_logout_with_another_users_refresh_token_is_401(user):
    mine = sign_in(user)
    theirs = sign_in(UserFactory())
    response = bearer(mine["token"]).post("/api/auth/logout", {"refresh_token": theirs["refresh_token"]}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_refresh_token"
    assert refresh(theirs["refresh_token"]).status_code == 200


@pytest.mark.parametrize("value", [["a", "list"], {"an": "object"}, "x" * 8193])
def test_logout_malformed_refresh_token_is_400_and_revokes_nothing(user, value):
    session = sign_in(user)

    response = bearer(session["token"]).post("/api/auth/logout", {"refresh_token": value}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "request.validation_failed"
    assert refresh(session["refresh_token"]).status_code == 200


def test_logout_needs_authentication(db):
    response = APIClient().post("/api/auth/logout", {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.not_authenticated"


def test_logout_query_count(user, django_assert_num_queries):
    session = sign_in(user)
    client = bearer(session["token"])
    # 1 user (authentication), savepoint, select live outstanding tokens, insert blacklist rows,
    # bump token generation, insert activity, release
    with django_assert_num_queries(7):
        response = client.post("/api/auth/logout", {}, format="json")
    assert response.status_code == 200


def test_logout_one_token_query_count(user, django_assert_num_queries):
    session = sign_in(user)
    client = bearer(session["token"])
    # 1 user (authentication), 1 blacklisted? (token check), savepoint, outstanding token by jti,
    # savepoint, insert blacklist row, release, insert activity, release
    with django_assert_num_queries(9):
        response = client.post("/api/auth/logout", {"refresh_token": session["refresh_token"]}, format="json")
    assert response.status_code == 200


def test_deactivated_users_access_token_is_rejected_at_once(user):
    session = sign_in(user)
    client = bearer(session["token"])
    assert client.get("/api/auth/me").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"


def test_expired_access_token_is_401(user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    response = bearer(str(token)).get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"


def test_refresh_token_used_as_access_token_is_401(user):
    session = sign_in(user)
    response = bearer(session["refresh_token"]).get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"


@pytest.mark.parametrize("value", ["null", "undefined", "not-a-jwt", "", "two values"])
def test_malformed_bearer_is_anonymous_on_public_endpoint(db, value):
    # /api/feedback/submit is public and runs the default (bearer) authentication.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    response = client.post("/api/feedback/submit", {"name": "Ada", "feedback": "hello"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("value", ["null", "undefined"])
def test_malformed_bearer_on_protected_endpoint_is_not_authenticated(db, value):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.not_authenticated"


def test_forged_jwt_on_public_endpoint_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer aaa.bbb.ccc")
    response = client.post("/api/feedback/submit", {"name": "Ada", "feedback": "hello"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"
