"""GET /api/auth/me and /api/auth/profile; PUT and PATCH /api/auth/profile."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ActivityLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/auth/me", "/api/auth/profile", "/api/auth/me/"])
def test_me_and_profile_answer_the_user(user, user_client, path):
    response = user_client.get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["data"]["user"]["id"] == user.pk
    assert body["data"]["user"]["email"] == user.email
    assert set(body["data"]["user"]) == {
        "id",
        "email",
        "username",
        "wallet_address",
        "role",
        "profile_picture",
        "created_at",
        "email_verified",
        "pending_email",
    }


@pytest.mark.parametrize("path", ["/api/auth/me", "/api/auth/profile"])
def test_me_and_profile_need_authentication(db, path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.not_authenticated"


@pytest.mark.parametrize("path", ["/api/auth/me", "/api/auth/profile"])
def test_me_query_count(user_client, django_assert_num_queries, path):
    # 1 user (authentication)
    with django_assert_num_queries(1):
        assert user_client.get(path).status_code == 200


@pytest.mark.parametrize("method", ["put", "patch"])
def test_profile_update_changes_fields(user, user_client, method):
    response = getattr(user_client, method)(
        "/api/auth/profile",
        {"username": "ada", "email": " Ada@Example.org ", "profile_picture": "https://cdn.example.org/ada.png"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Profile updated successfully"
    assert body["data"]["user"]["username"] == "ada"
    assert body["data"]["user"]["profile_picture"] == "https://cdn.example.org/ada.png"
    # the new address waits for its confirmation link; the old one stays the account's meanwhile
    assert body["data"]["user"]["email"] == user.email
    assert body["data"]["user"]["pending_email"] == "ada@example.org"
    old_email = user.email
    user.refresh_from_db()
    assert (user.username, user.email, user.pending_email) == ("ada", old_email, "ada@example.org")
    entry = ActivityLog.objects.get(action="auth.profile_update")
    assert entry.actor == user
    assert entry.metadata == {"fields": ["profile_picture", "username"]}
    assert ActivityLog.objects.get(action="auth.email_change_requested").metadata == {
        "pending_email": "ada@example.org"
    }


def test_profile_patch_keeps_fields_not_sent(user, user_client):
    response = user_client.patch("/api/auth/profile", {"username": "ada"}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.username == "ada"
    assert user.email.endswith("@example.com")


def test_profile_update_clears_picture_and_blank_username(user, user_client):
    user.profile_picture = "https://cdn.example.org/old.png"
    user.save(update_fields=["profile_picture"])
    response = user_client.patch("/api/auth/profile", {"profile_picture": None, "username": ""}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["user"]["profile_picture"] is None
    assert response.json()["data"]["user"]["username"] is None


@pytest.mark.parametrize("method", ["put", "patch"])
def test_profile_update_empty_body_is_400(user_client, method):
    response = getattr(user_client, method)("/api/auth/profile", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "auth.profile_update_empty"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_profile_update_taken_email_is_409_case_insensitive(user, user_client, method):
    UserFactory(email="taken@example.com")
    response = getattr(user_client, method)("/api/auth/profile", {"email": "TAKEN@example.com"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "auth.email_taken"
    user.refresh_from_db()
    assert user.email != "taken@example.com"
    assert not ActivityLog.objects.filter(action="auth.profile_update").exists()


def test_profile_update_own_email_in_other_case_is_allowed(user, user_client):
    response = user_client.patch("/api/auth/profile", {"email": user.email.upper()}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["user"]["email"] == user.email


@pytest.mark.parametrize(
    "picture",
    [
        "http://cdn.example.org/ada.png",
        "javascript:alert(1)",
        "ftp://example.org/a.png",
        "not a url",
        # someone else's upload on our host may not be taken over
        "https://testserver/media/profile_pictures/0123456789abcdef0123456789abcdef.png",
    ],
)
def test_profile_update_refuses_foreign_or_insecure_picture(user_client, picture):
    response = user_client.patch("/api/auth/profile", {"profile_picture": picture}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "request.validation_failed"
    assert "profile_picture" in body["errors"]


def test_profile_update_invalid_email_is_400(user_client):
    response = user_client.patch("/api/auth/profile", {"email": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "request.validation_failed"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_profile_update_needs_authentication(db, method):
    response = getattr(APIClient(), method)("/api/auth/profile", {"username": "x"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.not_authenticated"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_profile_update_query_count(user_client, django_assert_num_queries, method):
    # 1 user (authentication), 1 email taken?, savepoint, lock user row, update user, insert activity,
    # update pending email, insert activity (change requested), release
    with django_assert_num_queries(9):
        response = getattr(user_client, method)(
            "/api/auth/profile", {"username": "ada", "email": "new@example.com"}, format="json"
        )
    assert response.status_code == 200
