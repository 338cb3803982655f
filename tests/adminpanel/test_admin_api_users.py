"""GET /api/admin/users (search, filters, pagination), GET and PATCH /api/admin/users/{id}: users with
their activity figures, and changes of role and activation under the moderation rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ActivityLog
from accounts.services import activity_record
from tests.adminpanel.conftest import placed_at
from tests.conftest import bearer_client
from tests.factories import ActivityFactory, AdminFactory, ContractQueryFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/admin/users"
LOGINS = ["auth.login", "auth.google_login", "auth.wallet_login", "auth.admin_login"]


def rfc3339(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def users_by_id(response) -> dict[int, dict]:
    assert response.status_code == 200
    return {row["user_id"]: row for row in response.json()["data"]}


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.com", username="ada", wallet_address=f"0x{0xBEEF:064x}")


# --- the list ---------------------------------------------------------------------------------------


def test_admin_users_list_counts_each_users_figures(clients, ada):
    now = timezone.now()
    # given sign-ins of every method, failures and other rows that are not sign-ins, queries, reports
    for action in LOGINS:
        placed_at(ActivityFactory(actor=ada, action=action), now - timedelta(days=2))
    for action in ["auth.login_failed", "auth.logout", "auth.admin_login_failed"]:
        ActivityFactory(actor=ada, action=action)
    ContractQueryFactory.create_batch(3, user=ada)
    ContractQueryFactory(user=UserFactory())
    activity_record(action="contract.analyzed", actor=ada)
    latest = placed_at(ActivityFactory(actor=ada, action="bounty.created"), now + timedelta(minutes=1))

    row = users_by_id(clients["moderator"].get(URL, {"search": "ada"}))[ada.pk]

    assert {key: row[key] for key in row if key != "recent_activities"} == {
        "user_id": ada.pk,
        "email": "ada@example.com",
        "username": "ada",
        "role": "user",
        "is_active": True,
        "total_logins": 4,
        "total_queries": 3,
        "total_reports": 1,
        "last_activity": rfc3339(latest.created_at),
    }
    # the five latest rows, newest first
    expected = ActivityLog.objects.filter(actor=ada).order_by("-created_at", "-pk")[:5]
    assert [entry["id"] for entry in row["recent_activities"]] == [entry.pk for entry in expected]
    assert row["recent_activities"][0]["actor"] == {"id": ada.pk, "email": "ada@example.com", "username": "ada"}


def test_admin_users_list_user_without_activity(clients, member):
    row = users_by_id(clients["admin"].get(URL))[member.pk]

    assert (row["total_logins"], row["total_queries"], row["total_reports"]) == (0, 0, 0)
    assert (row["last_activity"], row["recent_activities"]) == (None, [])


@pytest.mark.parametrize(
    ("search", "found"),
    [("ADA@", {"ada"}), ("bob", {"bob"}), ("beef", {"ada"}), ("0x000", {"ada"}), ("nobody", set())],
)
def test_admin_users_list_searches_email_username_and_wallet(clients, ada, search, found):
    UserFactory(email="robert@example.com", username="bob")

    response = clients["admin"].get(URL, {"search": search})

    assert {row["username"] for row in response.json()["data"]} == found


def test_admin_users_list_filters_by_role_and_activation(clients, admin, moderator, member):
    gone = UserFactory(is_active=False)

    moderators = users_by_id(clients["admin"].get(URL, {"role": "moderator"}))
    inactive = users_by_id(clients["admin"].get(URL, {"is_active": "false"}))
    active_users = users_by_id(clients["admin"].get(URL, {"is_active": "true", "role": "user"}))

    assert set(moderators) == {moderator.pk}
    assert set(inactive) == {gone.pk}
    assert set(active_users) == {member.pk}


def test_admin_users_list_is_paginated_newest_first(clients, admin, moderator, member):
    newer = UserFactory.create_batch(3)
    everyone = [*reversed(newer), member, moderator, admin]

    first = clients["admin"].get(URL, {"page_size": 2})
    last = clients["admin"].get(URL, {"page_size": 2, "page": 3})

    assert [row["user_id"] for row in first.json()["data"]] == [user.pk for user in everyone[:2]]
    assert [row["user_id"] for row in last.json()["data"]] == [user.pk for user in everyone[4:]]
    assert first["X-Total-Count"] == last["X-Total-Count"] == "6"
    assert 'rel="next"' in first["Link"] and 'rel="last"' in first["Link"]
    assert "page=2" in first["Link"] and 'rel="prev"' in last["Link"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"role": "owner"}, "role"),
        ({"is_active": "maybe"}, "is_active"),
        ({"page_size": "101"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"search": "x" * 255}, "search"),
    ],
)
def test_admin_users_list_bad_parameters_are_400(clients, params, field):
    response = clients["admin"].get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("rows", [1, 12])
def test_admin_users_list_query_count_is_constant(clients, django_assert_num_queries, rows):
    for user in UserFactory.create_batch(rows):
        ActivityFactory.create_batch(7, actor=user)
        ContractQueryFactory(user=user)
        activity_record(action="contract.analyzed", actor=user)
    # auth; COUNT; the page with its figures (subqueries); the latest five activities of each user on
    # the page (one windowed query)
    with django_assert_num_queries(4):
        response = clients["moderator"].get(URL, {"page_size": 100})
    assert len(response.json()["data"]) == rows + 3
    assert all(len(row["recent_activities"]) == 5 for row in response.json()["data"][:rows])


# --- one user ---------------------------------------------------------------------------------------


def test_admin_user_detail_adds_account_fields(clients, ada):
    ada.email_verified_at = ada.last_login = timezone.now()
    ada.save(update_fields=["email_verified_at", "last_login"])
    ContractQueryFactory(user=ada)

    response = clients["moderator"].get(f"{URL}/{ada.pk}")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["user_id"], data["total_queries"], data["wallet_address"]) == (ada.pk, 1, f"0x{0xBEEF:064x}")
    assert (data["email_verified"], data["is_superuser"]) == (True, False)
    assert data["created_at"] == rfc3339(ada.created_at)
    assert data["last_login"] == rfc3339(ada.last_login)


@pytest.mark.parametrize("method", ["get", "patch"])
def test_admin_user_detail_unknown_user_is_404(clients, method):
    response = getattr(clients["admin"], method)(f"{URL}/999999", {"role": "user"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "request.not_found"


@pytest.mark.parametrize("path", ["abc", "-1", "1" * 19])
def test_admin_user_detail_malformed_id_is_404(clients, path):
    assert clients["admin"].get(f"{URL}/{path}").status_code == 404


def test_admin_user_detail_query_count(clients, ada, django_assert_num_queries):
    ActivityFactory.create_batch(3, actor=ada)
    # auth; the user with their figures; their latest activities
    with django_assert_num_queries(3):
        response = clients["moderator"].get(f"{URL}/{ada.pk}")
    assert len(response.json()["data"]["recent_activities"]) == 3


# --- changes ----------------------------------------------------------------------------------------


def test_admin_user_patch_changes_the_role_and_logs_it(clients, admin, ada):
    user_token = bearer_client(ada)

    response = clients["admin"].patch(f"{URL}/{ada.pk}", {"role": "moderator"}, format="json")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["user_id"], data["role"], data["is_active"]) == (ada.pk, "moderator", True)
    entry = ActivityLog.objects.get(action="admin.user_role_change")
    assert (entry.actor, entry.target_type, entry.target_id) == (admin, "user", str(ada.pk))
    assert entry.metadata == {"from": "user", "to": "moderator"}
    # the user's live session goes on, with the new role at once (tokens carry no role)
    assert user_token.get("/api/admin/dashboard").status_code == 200


def test_admin_user_patch_deactivates_and_ends_sessions_then_activates(clients, admin, ada):
    user_token = bearer_client(ada)
    assert user_token.get("/api/auth/me").status_code == 200

    off = clients["admin"].patch(f"{URL}/{ada.pk}", {"is_active": False}, format="json")

    assert off.status_code == 200 and off.json()["data"]["is_active"] is False
    assert user_token.get("/api/auth/me").status_code == 401
    on = clients["admin"].patch(f"{URL}/{ada.pk}", {"is_active": True}, format="json")
    assert on.status_code == 200 and on.json()["data"]["is_active"] is True
    # the old token stays dead: the sessions were ended, not suspended
    assert user_token.get("/api/auth/me").status_code == 401
    log = ActivityLog.objects.filter(action__startswith="admin.user_").order_by("pk")
    assert [(entry.action, entry.metadata) for entry in log] == [
        ("admin.user_deactivate", {"from": True, "to": False}),
        ("admin.user_activate", {"from": False, "to": True}),
    ]


def test_admin_user_patch_both_fields_at_once(clients, ada):
    response = clients["admin"].patch(f"{URL}/{ada.pk}", {"role": "admin", "is_active": False}, format="json")

    assert response.status_code == 200
    ada.refresh_from_db()
    assert (ada.role, ada.is_active) == ("admin", False)
    assert ActivityLog.objects.filter(action__startswith="admin.user_").count() == 2


def test_admin_user_patch_to_the_current_values_changes_and_logs_nothing(clients, ada):
    response = clients["admin"].patch(f"{URL}/{ada.pk}", {"role": "user", "is_active": True}, format="json")

    assert response.status_code == 200
    assert not ActivityLog.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "adminpanel.nothing_to_change"),
        ({"role": "owner"}, "request.validation_failed"),
        ({"role": None}, "request.validation_failed"),
        ({"is_active": "perhaps"}, "request.validation_failed"),
        ({"role": "admin", "email": "x@example.com"}, "request.validation_failed"),
        (["role"], "request.validation_failed"),
    ],
)
def test_admin_user_patch_bad_input_is_400_and_changes_nothing(clients, ada, body, code):
    response = clients["admin"].patch(f"{URL}/{ada.pk}", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    ada.refresh_from_db()
    assert (ada.role, ada.is_active, ada.email) == ("user", True, "ada@example.com")
    assert not ActivityLog.objects.exists()


def test_admin_user_patch_unknown_field_is_named(clients, ada):
    response = clients["admin"].patch(f"{URL}/{ada.pk}", {"is_active": False, "email": "x@example.com"}, format="json")

    assert response.json()["errors"] == {"email": ["Unknown field: only role and is_active can be changed here."]}


@pytest.mark.parametrize("body", [{"role": "moderator"}, {"role": "user"}, {"is_active": False}])
def test_admin_user_patch_admin_cannot_lock_themselves_out(clients, admin, body):
    response = clients["admin"].patch(f"{URL}/{admin.pk}", body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "adminpanel.self_lockout"
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == ("admin", True)
    assert not ActivityLog.objects.exists()


def test_admin_user_patch_superuser_changed_only_by_a_superuser(clients, admin):
    root = AdminFactory(is_superuser=True)

    refused = clients["admin"].patch(f"{URL}/{root.pk}", {"is_active": False}, format="json")
    allowed = bearer_client(AdminFactory(is_superuser=True)).patch(
        f"{URL}/{root.pk}", {"role": "moderator"}, format="json"
    )

    assert refused.status_code == 403
    assert refused.json()["code"] == "adminpanel.superuser_protected"
    assert allowed.status_code == 200
    root.refresh_from_db()
    assert (root.role, root.is_active) == ("moderator", True)


def test_admin_user_patch_query_count(clients, ada, django_assert_num_queries):
    # auth; SAVEPOINT; the user, locked; INSERT activity; UPDATE user; RELEASE SAVEPOINT; the user
    # with their figures; their latest activities
    with django_assert_num_queries(8):
        response = clients["admin"].patch(f"{URL}/{ada.pk}", {"role": "moderator"}, format="json")
    assert response.status_code == 200
