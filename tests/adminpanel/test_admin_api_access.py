"""Who may use /api/admin: staff only (anonymous 401, signed-in non-staff 403); moderators read
everything, only admins change users."""

import pytest

from accounts.models import User
from tests.conftest import bearer_client

pytestmark = pytest.mark.django_db

READS = [
    "/api/admin/dashboard",
    "/api/admin/users",
    "/api/admin/users/{member}",
    "/api/admin/query-logs",
    "/api/admin/activity",
]


def call(client, method: str, path: str, member: User):
    url = path.format(member=member.pk)
    if method == "patch":
        return client.patch(url, {"role": "moderator"}, format="json")
    return client.get(url)


ENDPOINTS = [("get", path) for path in READS] + [("patch", "/api/admin/users/{member}")]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_admin_api_anonymous_is_401(clients, member, method, path):
    response = call(clients["anonymous"], method, path, member)

    assert response.status_code == 401
    assert response.json()["code"] == "auth.not_authenticated"


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_admin_api_signed_in_non_staff_is_403(clients, member, method, path):
    response = call(clients["member"], method, path, member)

    assert response.status_code == 403
    assert response.json()["code"] == "auth.forbidden"
    member.refresh_from_db()
    assert member.role == User.Role.USER


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("persona", ["moderator", "admin"])
def test_admin_api_staff_read_everything(clients, member, persona, path):
    response = call(clients[persona], "get", path, member)

    assert response.status_code == 200
    assert response.json()["success"] is True


def test_admin_api_moderator_cannot_change_users(clients, member):
    response = call(clients["moderator"], "patch", "/api/admin/users/{member}", member)

    assert response.status_code == 403
    assert response.json()["code"] == "adminpanel.admin_required"
    member.refresh_from_db()
    assert member.role == User.Role.USER


def test_admin_api_admin_changes_users(clients, member):
    response = call(clients["admin"], "patch", "/api/admin/users/{member}", member)

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.role == User.Role.MODERATOR


def test_admin_api_refuses_a_demoted_admins_live_token_at_once(admin, clients):
    # given an admin's live token, when another admin demotes them (the token carries no role)
    User.objects.filter(pk=admin.pk).update(role=User.Role.USER)

    response = clients["admin"].get("/api/admin/dashboard")

    assert response.status_code == 403


def test_admin_api_refuses_a_deactivated_staff_token(moderator):
    client = bearer_client(moderator)
    User.objects.filter(pk=moderator.pk).update(is_active=False)

    assert client.get("/api/admin/dashboard").status_code == 401
